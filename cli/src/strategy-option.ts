/**
 * A planner strategy from the CLI's flags. rl-pdnn needs its trained policy loaded from a file:
 * the simulator package reads policy files, so it is loaded only when rl-pdnn is asked for
 * (the planner itself does no file I/O, and `plan` with another strategy loads nothing more).
 */
import { existsSync } from 'node:fs';
import type { StrategyOptions } from '@layerfleet/planner';

/** `policyPath`: the file the rl-pdnn policy was loaded from, for the command to say which. */
export async function strategyOptions(strategy: string, policyPath: string | undefined, fallbackPath?: () => Promise<string>): Promise<StrategyOptions & { policyPath?: string }> {
  if (strategy !== 'rl-pdnn') return {};
  const { loadPolicy } = await import('@layerfleet/simulator');
  const path = policyPath ?? (fallbackPath ? await fallbackPath() : undefined);
  if (path === undefined) return {};
  if (!existsSync(path)) throw new Error(`strategy rl-pdnn: no policy at ${path}; train one with \`layerfleet train-rl\` or \`npm run train:rl\``);
  return { policy: loadPolicy(path), policyPath: path };
}
