/**
 * Programs some tests need that a developer's fresh machine may lack, and the Debian packages
 * that bring them (the same ones .ci/apt-packages lists, so CI always has them; firmware-bindings
 * keeps its own copy for its error messages, since test-support depends on no package).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RequiredTool = 'arm-none-eabi-gcc' | 'qemu-system-arm' | 'mosquitto';

const DEBIAN_PACKAGES: Record<RequiredTool, readonly string[]> = {
  'arm-none-eabi-gcc': ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
  'qemu-system-arm': ['qemu-system-arm'],
  mosquitto: ['mosquitto'],
};

/** Debian installs some programs in an sbin directory a user's PATH may leave out (mosquitto in /usr/sbin). */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/** Whether `program` is an executable file in a PATH directory (what `command -v` answers) or an sbin one, checked synchronously so tests can be declared accordingly. */
function onPath(program: string): boolean {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN_DIRS]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
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
