// Builds the host golden runner (firmware/host/golden_runner.c + the kernels) with the system C
// compiler, the same strict flags CI uses, only when a source is newer than the binary.
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** firmware-bindings/ — this file runs from dist/src/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIRMWARE_DIR = join(PACKAGE_ROOT, 'firmware');
export const HOST_RUNNER_PATH = join(FIRMWARE_DIR, 'build', 'host', 'golden-runner');

export const HOST_CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'] as const;

const SOURCES = ['src/lf_kernels.c', 'host/golden_runner.c'];
const HEADERS = ['include/lf_kernels.h'];

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface HostBuildOptions {
  /** C compiler; defaults to $CC, then `cc`. */
  cc?: string;
  /** Rebuild even when the binary is up to date. */
  force?: boolean;
}

/** Returns the runner's path, compiling it first if it is missing or older than any source. */
export async function ensureHostRunner(options: HostBuildOptions = {}): Promise<string> {
  const inputs = [...SOURCES, ...HEADERS].map((f) => join(FIRMWARE_DIR, f));
  const built = mtimeMs(HOST_RUNNER_PATH);
  const newest = Math.max(...inputs.map((f) => {
    const m = mtimeMs(f);
    if (m === undefined) throw new Error(`firmware source missing: ${f}`);
    return m;
  }));
  if (!options.force && built !== undefined && built >= newest) return HOST_RUNNER_PATH;

  const cc = options.cc ?? process.env['CC'] ?? 'cc';
  mkdirSync(dirname(HOST_RUNNER_PATH), { recursive: true });
  // Compile to a private name and rename: a concurrent reader never sees a half-written binary.
  const tmp = `${HOST_RUNNER_PATH}.${process.pid}.tmp`;
  const args = [...HOST_CFLAGS, '-I', join(FIRMWARE_DIR, 'include'), ...SOURCES.map((f) => join(FIRMWARE_DIR, f)), '-o', tmp];
  try {
    await execFileAsync(cc, args, { cwd: FIRMWARE_DIR });
  } catch (err) {
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`no C compiler: '${cc}' was not found on PATH (install gcc, or set CC) — needed to build the firmware host runner`);
    }
    throw new Error(`compiling the firmware host runner failed (${cc} ${args.join(' ')}):\n${e.stderr ?? e.message}`);
  }
  renameSync(tmp, HOST_RUNNER_PATH);
  return HOST_RUNNER_PATH;
}
