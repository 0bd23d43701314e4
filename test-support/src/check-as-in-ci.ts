// How an ava test runs a fuzz target: CI's own cases and seed, and a failure thrown with
// fast-check's report (seed, path, counterexample, the decoder's error).
import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-target.js';

/** Runs `target` with its CI budget; resolves with what its cases tallied. */
export async function checkAsInCi<Tally>(target: FuzzTarget<Tally, void>): Promise<Tally>;
export async function checkAsInCi<Tally, Running>(target: FuzzTarget<Tally, Running>, running: Running): Promise<Tally>;
export async function checkAsInCi<Tally, Running>(target: FuzzTarget<Tally, Running>, running?: Running): Promise<Tally> {
  const { property, tally } = target.arm(running as Running);
  await fc.assert(property, { ...target.ci, includeErrorInReport: true });
  return tally;
}
