/**
 * The programs an emulated board needs beyond Node, make and the host C compiler, and the Debian
 * packages that bring them (CI installs them from .ci/apt-packages). The Cortex-M7 board needs
 * two: arm-none-eabi-gcc builds its image and qemu-system-arm runs it. Asking up front lets a
 * caller name everything missing at once, or leave such a board out, before starting anything.
 */
import { haveProgram } from './firmware-build.js';
import type { EmulatedTarget } from './emulated-board.js';

export interface NeededProgram { program: string; debianPackages: readonly string[] }

const ARM_GCC: NeededProgram = { program: 'arm-none-eabi-gcc', debianPackages: ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'] };
const QEMU: NeededProgram = { program: 'qemu-system-arm', debianPackages: ['qemu-system-arm'] };

const NEEDS: Record<EmulatedTarget, readonly NeededProgram[]> = { host: [], qemu: [ARM_GCC, QEMU] };

/** The programs `target` needs that are not on PATH here (empty: it can be emulated). */
export async function missingEmulatorPrograms(target: EmulatedTarget): Promise<NeededProgram[]> {
  const present = await Promise.all(NEEDS[target].map((p) => haveProgram(p.program)));
  return NEEDS[target].filter((_, i) => !present[i]);
}

/** "qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm)", for any number of programs. */
export function describeMissingPrograms(missing: readonly NeededProgram[]): string {
  const names = missing.map((p) => p.program);
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
  return `${list} ${names.length === 1 ? 'is' : 'are'} not installed (Debian: apt-get install ${missing.flatMap((p) => p.debianPackages).join(' ')})`;
}
