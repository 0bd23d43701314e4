// The shape every hostile-input property shares, so that one definition serves both CI's ava test
// (its own few cases from a fixed seed) and the fuzz runner (`npm run fuzz -- --runs N`: any
// number of cases, any seed). Properties live in <package>/test/<name>.properties.ts as named
// exports of this shape; the fuzz runner finds them there.
import type fc from 'fast-check';

/** How many cases, from which seed. */
export interface FuzzBudget {
  readonly numRuns: number;
  readonly seed: number;
}

/**
 * Something a property needs running — a gateway listening on a port, a state directory of
 * enrolled devices, an endpoint that keeps its peers — started once for every target that names
 * it, and stopped after them.
 */
export interface FuzzFixture<Running> {
  readonly name: string;
  start(): Running | Promise<Running>;
  stop(running: Running): void | Promise<void>;
}

/** A property built afresh, and what its cases tally (the reasons seen, say) for the ava test's assertions. */
export interface ArmedProperty<Tally> {
  readonly property: fc.IRawProperty<unknown>;
  readonly tally: Tally;
}

export interface FuzzTarget<Tally = void, Running = void> {
  /** What takes the hostile input: "open (envelope)", "decodeFrame". */
  readonly decoder: string;
  /** What holds for every input, in a few words. */
  readonly claim: string;
  /** The cases and seed CI's ava test runs. */
  readonly ci: FuzzBudget;
  readonly fixture?: FuzzFixture<Running>;
  /** A fresh property (and tally) against the running fixture; called once per run. */
  arm(running: Running): ArmedProperty<Tally>;
}

/**
 * A target whose ava test needs nothing back from its cases. (Ts is the property's own: were the
 * callback typed to return IRawProperty<unknown>, fast-check would infer its values as unknown.)
 */
export function fuzzTarget<Running = void, Ts = unknown>(
  about: { decoder: string; claim: string; ci: FuzzBudget; fixture?: FuzzFixture<Running> },
  property: (running: Running) => fc.IRawProperty<Ts>,
): FuzzTarget<void, Running> {
  return { ...about, arm: (running) => ({ property: property(running), tally: undefined }) };
}

/** Is `value` (an export of a *.properties.js module) a fuzz target? */
export function isFuzzTarget(value: unknown): value is FuzzTarget<unknown, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<Record<keyof FuzzTarget, unknown>>;
  const ci = t.ci as Partial<FuzzBudget> | undefined;
  return typeof t.decoder === 'string' && typeof t.claim === 'string' && typeof t.arm === 'function'
    && typeof ci?.numRuns === 'number' && typeof ci.seed === 'number';
}
