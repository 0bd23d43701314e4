/**
 * rl-pdnn policies on disk: `npm run train:rl` writes one per workload and privacy level into
 * simulator/policies/, and the CLI reads them for the simulator, `plan` and the gateway. The
 * JSON format itself (and its validation) is the planner's: planning needs no file I/O.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyFromJson, policyToJson, privacyLevelName, workloadOfModel, MODEL_ALIASES, type Privacy, type RlPdnn } from '@layerfleet/planner';

/** Where `npm run train:rl` puts the policy for a workload and privacy level. */
export function defaultPolicyPath(workload: string, privacy: string): string {
  return fileURLToPath(new URL(`../../policies/rl-pdnn-${workload}-${privacy}.json`, import.meta.url));
}

/**
 * The shipped policy for a request: the workload of its model (`lenet5` or its alias `lenet` →
 * lenet, see the planner's model-names.ts) and its privacy level by the paper's names. Throws,
 * naming what is missing, when the instance is none of the paper's cells.
 */
export function shippedPolicyPath(modelName: string, privacy: Privacy): { path: string; workload: string; privacy: string } {
  const workload = workloadOfModel(modelName);
  if (workload === undefined) throw new Error(`strategy rl-pdnn: no shipped policy for model ${modelName} (shipped: ${Object.entries(MODEL_ALIASES).map(([a, m]) => `${m} or ${a}`).join(', ')}); pass --policy FILE`);
  const level = privacyLevelName(privacy);
  if (level === undefined) throw new Error(`strategy rl-pdnn: no shipped policy for privacy maxExposedFraction ${privacy.maxExposedFraction}, minHidden ${privacy.minHidden} (shipped: none (1, 0), two-hidden (1, 2), half (0.5, 0)); pass --policy FILE`);
  return { path: defaultPolicyPath(workload, level), workload, privacy: level };
}

export function savePolicy(agent: RlPdnn, path: string): void {
  writeFileSync(path, JSON.stringify(policyToJson(agent)) + '\n');
}

export function loadPolicy(path: string): RlPdnn {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`${path}: cannot read the policy (${(e as Error).message})`); }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`${path}: not JSON (${(e as Error).message})`); }
  return policyFromJson(json, path);
}
