/** Runs the real `layerfleet` binary as a user would and returns its output. */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/layerfleet.mjs');

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** `nodeArgs` go to node before the binary (e.g. `--import` of module hooks). */
export function runCli(args: string[], timeoutMs = 170_000, nodeArgs: string[] = []): Promise<CliRun> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolveRun({ code, stdout, stderr }); });
  });
}

/** The last line of stdout as JSON (the demo's `--json` contract). */
export function lastJsonLine(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON on the last line of stdout; stderr tail:\n${run.stderr.slice(-2000)}`);
  }
}
