// Builds the firmware with its Makefile (firmware/Makefile): the host board and golden runner
// with the system C compiler, the Cortex-M7 images with arm-none-eabi-gcc. make decides what is
// stale; a lock directory keeps two test workers from compiling the same target at once.
import { execFile } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** firmware-bindings/ — this file runs from dist/src/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIRMWARE_DIR = join(PACKAGE_ROOT, 'firmware');
export const BUILD_DIR = join(FIRMWARE_DIR, 'build');

export type FirmwareTarget = 'host' | 'qemu' | 'stm32h7';
export const FIRMWARE_TARGETS: readonly FirmwareTarget[] = ['host', 'qemu', 'stm32h7'];

export const HOST_RUNNER_PATH = join(BUILD_DIR, 'host', 'golden-runner');
export const HOST_BOARD_PATH = join(BUILD_DIR, 'host', 'lf-board');
export const QEMU_ELF_PATH = join(BUILD_DIR, 'qemu', 'lf-board.elf');
export const STM32H7_ELF_PATH = join(BUILD_DIR, 'stm32h7', 'lf-board.elf');
export const STM32H7_BIN_PATH = join(BUILD_DIR, 'stm32h7', 'lf-board.bin');

const ARTIFACT: Record<FirmwareTarget, string> = { host: HOST_BOARD_PATH, qemu: QEMU_ELF_PATH, stm32h7: STM32H7_BIN_PATH };

/** Whether a program is on PATH (what `make` and the emulators need). */
export async function haveProgram(name: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

export const haveArmToolchain = (): Promise<boolean> => haveProgram('arm-none-eabi-gcc');
export const haveQemu = (): Promise<boolean> => haveProgram('qemu-system-arm');

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const lock = join(BUILD_DIR, '.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left over from a killed process.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`firmware build: ${lock} held for 3 minutes; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmdirSync(lock);
  }
}

/** Runs make for one target and returns its main artifact's path. */
export async function ensureFirmware(target: FirmwareTarget): Promise<string> {
  if (target !== 'host' && !(await haveArmToolchain())) {
    throw new Error(`firmware ${target}: arm-none-eabi-gcc is not installed (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)`);
  }
  await withBuildLock(async () => {
    try {
      await execFileAsync('make', ['-C', FIRMWARE_DIR, '--no-print-directory', target], { maxBuffer: 16 << 20 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
      if (e.code === 'ENOENT') throw new Error('firmware build: make is not installed (Debian: apt-get install make gcc)');
      throw new Error(`firmware build of ${target} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    }
  });
  return ARTIFACT[target];
}

/** The golden runner (built with the host target). */
export async function ensureHostRunner(): Promise<string> {
  await ensureFirmware('host');
  return HOST_RUNNER_PATH;
}
