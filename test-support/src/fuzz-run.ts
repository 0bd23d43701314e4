// One fuzz target run the fuzz runner's way: N cases from a seed, counting every failing case
// instead of stopping at the first (fast-check's own way, right for CI, where one counterexample
// is enough), then replaying the first failure through fast-check, which shrinks it and reports
// the seed and path that repeat it — what a regression case in the ava test needs.
import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-target.js';

export interface FuzzRunOptions {
  readonly numRuns: number;
  readonly seed: number;
  /** Called after every case with the cases done so far (for a progress line). */
  readonly onCase?: (done: number) => void;
}

export interface FuzzRunResult {
  /** Cases run (cases a precondition skipped are not counted, as in fast-check). */
  readonly cases: number;
  readonly failures: number;
  readonly ms: number;
  /** fast-check's report of the first failure, shrunk; absent when nothing failed. */
  readonly report?: string;
}

type RunOutcome = fc.PreconditionFailure | fc.PropertyFailure | null;
interface FirstFailure { readonly index: number; readonly value: unknown; readonly error: unknown }

/** Passes every case through to `inner` and counts failures rather than reporting them to fast-check. */
class CountingProperty implements fc.IRawProperty<unknown> {
  cases = 0;
  failures = 0;
  /** The first failing value, and its index in the generated sequence: fast-check's replay path. */
  firstFailure: FirstFailure | undefined;
  private generated = 0;

  constructor(private readonly inner: fc.IRawProperty<unknown>, private readonly onCase: (done: number) => void) {}

  isAsync(): boolean { return this.inner.isAsync(); }
  generate(mrng: fc.Random, runId?: number): fc.Value<unknown> { return this.inner.generate(mrng, runId); }
  shrink(value: fc.Value<unknown>): fc.Stream<fc.Value<unknown>> { return this.inner.shrink(value); }
  runBeforeEach = (): void | Promise<void> => this.inner.runBeforeEach();
  runAfterEach = (): void | Promise<void> => this.inner.runAfterEach();

  run(value: unknown): RunOutcome | Promise<RunOutcome> {
    // Skipped values take a place in the sequence too, so the index counts every run.
    const index = this.generated++;
    const outcome: RunOutcome | Promise<RunOutcome> = this.inner.run(value);
    return outcome instanceof Promise ? outcome.then((o) => this.count(o, index, value)) : this.count(outcome, index, value);
  }

  private count(outcome: RunOutcome, index: number, value: unknown): RunOutcome {
    if (outcome !== null && fc.PreconditionFailure.isFailure(outcome)) return outcome;
    this.cases++;
    if (outcome !== null) {
      this.failures++;
      this.firstFailure ??= { index, value, error: outcome.error };
    }
    this.onCase(this.cases);
    return null;
  }
}

/** Runs `target` against its running fixture (undefined when it has none). */
export async function fuzzRun<Tally, Running>(target: FuzzTarget<Tally, Running>, running: Running, options: FuzzRunOptions): Promise<FuzzRunResult> {
  const started = performance.now();
  const counting = new CountingProperty(target.arm(running).property, options.onCase ?? (() => {}));
  const details = await fc.check(counting, { numRuns: options.numRuns, seed: options.seed });
  const ms = performance.now() - started;
  const { cases, failures, firstFailure } = counting;
  // A failure of the run itself (too many skipped cases) is one failure too.
  if (details.failed && firstFailure === undefined) return { cases, failures: failures + 1, ms, report: await fc.asyncDefaultReportMessage(details) };
  if (firstFailure === undefined) return { cases, failures, ms };
  return { cases, failures, ms, report: await replay(target, running, options.seed, firstFailure) };
}

/** fast-check's shrunk report of the failure at `index`, or why there is none. */
async function replay<Tally, Running>(target: FuzzTarget<Tally, Running>, running: Running, seed: number, failure: FirstFailure): Promise<string> {
  const details = await fc.check(target.arm(running).property, { seed, path: String(failure.index), numRuns: 1, includeErrorInReport: true });
  // fast-check counts the replay only, so its report begins "failed after 1 tests": say which case it was.
  if (details.failed) return `first failure: case ${failure.index} of the run\n${await fc.asyncDefaultReportMessage(details)}`;
  const error = failure.error instanceof Error ? failure.error.stack ?? failure.error.message : String(failure.error);
  const value = fc.stringify(failure.value);
  return `case ${failure.index} (seed ${seed}) failed, but passed when replayed alone (it depends on earlier cases, or on timing):\n`
    + `value: ${value.length > 2000 ? `${value.slice(0, 2000)}…` : value}\n${error}`;
}
