// The firmware's C frame fuzzer (firmware-bindings/firmware/test/fuzz_frames.c, built with ASan
// and UBSan by its Makefile) as one row of the fuzz table: N frames from the run's seed.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FuzzRunResult } from './fuzz-run.js';

export const FRAME_FUZZER = { decoder: 'lf_firmware_run (C, ASan+UBSan)', claim: 'any frame stream: one well-formed answer per frame, no UB' } as const;

const RESULT = /^fuzz-frames: (\d+) frames, seed (\d+): (\d+) failures/;
const PROGRESS = /^fuzz-frames: (\d+)\/\d+ frames$/;

/** Builds the fuzzer if needed, runs it, and reads its result line; a crash (a sanitizer's abort) is a failure. */
export async function runFrameFuzzer(root: string, frames: number, seed: number, onProgress: (done: number) => void): Promise<FuzzRunResult> {
  const dir = join(root, 'firmware-bindings', 'firmware');
  execFileSync('make', ['-s', '-C', dir, 'build/host/fuzz-frames'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const started = performance.now();
  const child = spawn(join(dir, 'build', 'host', 'fuzz-frames'), [String(frames), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let done = 0;
  const stderrTail: string[] = [];
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  createInterface({ input: child.stderr }).on('line', (line) => {
    const progress = PROGRESS.exec(line);
    if (progress) onProgress(done = Number(progress[1]));
    else stderrTail.push(line);
    if (stderrTail.length > 80) stderrTail.shift();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  const result = RESULT.exec(stdout.trim().split('\n').at(-1) ?? '');
  const again = `repeat: make -C firmware-bindings/firmware fuzz N=${frames} SEED=${seed}`;
  if (result && code === 0) return { cases: Number(result[1]), failures: 0, ms };
  const failedChecks = stdout.split('\n').filter((l) => l.startsWith('FAIL')).slice(0, 20);
  return {
    // Without a result line it crashed: the frames of the sessions it finished, at least.
    cases: result ? Number(result[1]) : done,
    failures: result ? Math.max(1, Number(result[3])) : 1,
    ms,
    report: [`fuzz-frames exited with ${code}`, ...failedChecks, ...stderrTail, again].join('\n'),
  };
}
