/**
 * Programs some tests need that a developer's fresh machine may lack, and the Debian packages
 * that bring them (the same ones .ci/apt-packages lists, so CI always has them; firmware-bindings
 * keeps its own copy for its error messages, since test-support depends on no package).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RequiredTool = 'arm-none-eabi-gcc' | 'qemu-system-arm' | 'clang-16' | 'wasm-ld-16' | 'promtool' | 'chromium' | 'mosquitto';

const DEBIAN_PACKAGES: Record<RequiredTool, readonly string[]> = {
  'arm-none-eabi-gcc': ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
  'qemu-system-arm': ['qemu-system-arm'],
  'clang-16': ['clang-16'],
  'wasm-ld-16': ['lld-16'],
  promtool: ['prometheus'],
  chromium: ['chromium'],
  mosquitto: ['mosquitto'],
};

/** Directories searched besides PATH: Debian installs mosquitto in /usr/sbin, which a user's PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Where `program` is: the first executable file of that name in PATH or EXTRA_DIRS, or null. */
export function whereIs(program: string): string | null {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return join(dir, program);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Whether `program` is an executable file in a PATH directory (or a usual sbin directory), checked synchronously so tests can be declared accordingly. */
function onPath(program: string): boolean {
  return whereIs(program) !== null;
}

/** The ones of `tools` not installed here, in the order given. */
export function missingTools(tools: readonly RequiredTool[]): RequiredTool[] {
  return tools.filter((tool) => !onPath(tool));
}

/** "qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm)", for one tool or several. */
export function describeMissingTools(missing: readonly RequiredTool[]): string {
  const list = missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]!}`;
  return `${list} ${missing.length === 1 ? 'is' : 'are'} not installed (Debian: apt-get install ${missing.flatMap((tool) => DEBIAN_PACKAGES[tool]).join(' ')})`;
}

/** A CI run (.ci/run, CI=true) installs every required tool, so there a missing one is a failure, never a skip. */
export const isCiRun = (): boolean => process.env['CI'] === 'true';
