/**
 * `testNeeding(['qemu-system-arm'])` is ava's `test` when the tools are installed. When one is
 * missing it declares the same tests differently: on a developer's machine each is skipped, its
 * title naming the missing tool and the Debian packages that bring it; under CI each fails saying
 * the same, because CI installs them and must never pass by skipping. Hooks declared through it
 * are skipped either way: they could only start what is missing.
 *
 * It covers ava's whole chain (`.serial`, `.failing`, `.before`, `.after.always`, …) with a
 * Proxy rather than a copy of ava's TestFn type, so a test file can swap `test` for it unchanged.
 */
import test, { type ExecutionContext, type TestFn } from 'ava';
import { describeMissingTools, isCiRun, missingTools, type RequiredTool } from './required-tools.js';

type Declare = (...args: unknown[]) => void;
type Declaration = 'test' | 'hook';

const HOOKS = new Set<PropertyKey>(['before', 'after', 'beforeEach', 'afterEach']);
/** Members that declare nothing needing the tools, or skip already: passed through as they are. */
const AS_IS = new Set<PropertyKey>(['skip', 'todo', 'macro', 'meta']);

export function testNeeding(tools: readonly RequiredTool[]): TestFn {
  const missing = missingTools(tools);
  if (missing.length === 0) return test;
  const reason = describeMissingTools(missing);
  const declareTest: Declare = isCiRun()
    ? (...args) => test(titleOf(args), (t: ExecutionContext) => t.fail(`${reason}; under CI (CI=true) that is a failure, not a skip: .ci/run installs .ci/apt-packages`))
    : (...args) => (test.skip as Declare)(`${titleOf(args)} — skipped: ${reason}`, ...(typeof args[0] === 'string' ? args.slice(1) : args));
  return declaring(test, 'test', declareTest) as TestFn;
}

function declaring(target: object, kind: Declaration, declareTest: Declare): unknown {
  return new Proxy(target as Declare, {
    apply: (fn, _this, args: unknown[]) => (kind === 'hook' ? (Reflect.get(fn, 'skip') as Declare)(...args) : declareTest(...args)),
    get: (fn, key) => {
      const member: unknown = Reflect.get(fn, key);
      if (AS_IS.has(key) || typeof member !== 'function') return member;
      return declaring(member, kind === 'hook' || HOOKS.has(key) ? 'hook' : 'test', declareTest);
    },
  });
}

/** A test's title: given, or made by its macro (ava's `test(macro, ...args)` form). */
function titleOf(args: unknown[]): string {
  if (typeof args[0] === 'string') return args[0];
  const macro = args[0] as { title?: (provided: string | undefined, ...macroArgs: unknown[]) => string };
  const title = macro.title?.(undefined, ...args.slice(1));
  if (title === undefined) throw new TypeError('testNeeding: give the test a title (or its macro a title function)');
  return title;
}
