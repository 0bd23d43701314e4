/**
 * rl-pdnn policies on disk: `npm run train:rl` writes one per workload and privacy level into
 * simulator/policies/, and the CLI reads them for the simulator, `plan` and the gateway. The
 * JSON format itself (and its validation) is the planner's: planning needs no file I/O.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyFromJson, policyToJson, type RlPdnn } from '@layerfleet/planner';

/** Where `npm run train:rl` puts the policy for a workload and privacy level. */
export function defaultPolicyPath(workload: string, privacy: string): string {
  return fileURLToPath(new URL(`../../policies/rl-pdnn-${workload}-${privacy}.json`, import.meta.url));
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
