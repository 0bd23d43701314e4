/**
 * `layerfleet board …`: boards on their own.
 *   board emulate --target host|qemu [--id ID]  start an emulated board, print its port, run until stopped
 *   board info --port P [--baud B]              handshake, the board's info and stats, the measured line rate
 *   board build                                 build the firmware for every target the toolchains allow
 */
import {
  Board, ensureFirmware, haveArmToolchain, openSerialTransport, startEmulatedBoard, STM32H7_ELF_PATH, type FirmwareTarget,
} from '@layerfleet/firmware-bindings';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { groupHelp, wantsHelp } from './help.js';

export const emulateSpec: CommandSpec = {
  name: 'board emulate',
  summary: 'start an emulated board, print {"port": …} and run until stopped',
  flags: {
    target: { type: 'string', value: 'host|qemu', default: 'host', description: 'host: a process on a pseudo-terminal; qemu: Cortex-M7 under qemu-system-arm' },
    id: { type: 'string', value: 'ID', defaultNote: 'one the firmware makes up', description: 'the id the board reports' },
  },
};

export const infoSpec: CommandSpec = {
  name: 'board info',
  summary: "handshake, the board's info and stats, the measured line rate (JSON)",
  flags: {
    port: { type: 'string', value: 'PATH', required: true, description: "the board's serial port, e.g. /dev/ttyACM0 or the path `board emulate` printed" },
    baud: { type: 'number', default: 115200, unit: 'bit/s', description: 'serial line rate' },
  },
};

export const buildSpec: CommandSpec = {
  name: 'board build',
  summary: 'build the firmware for every target the installed toolchains allow (host; qemu and stm32h7 with arm-none-eabi-gcc)',
  flags: {},
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'emulate': return emulate(rest);
    case 'info': return info(rest);
    case 'build': return build(rest);
    default:
      if (sub === undefined || wantsHelp([sub])) {
        console.log(groupHelp('board', 'boards on their own', [emulateSpec, infoSpec, buildSpec]));
        return sub === undefined ? 1 : 0;
      }
      throw new Error(`board: expected emulate, info or build, got ${JSON.stringify(sub)} (see \`layerfleet board --help\`)`);
  }
}

async function emulate(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, emulateSpec);
  if (!flags) return 0;
  const target = requiredString(flags, 'target');
  if (target !== 'host' && target !== 'qemu') throw new Error(`--target: expected host or qemu, got ${JSON.stringify(target)}`);
  const id = stringFlag(flags, 'id');
  console.error(`board emulate: building and starting the ${target} board…`);
  const board = await startEmulatedBoard(target, { ...(id ? { id } : {}), log: (line) => console.error(`[${target}] ${line}`) });
  console.log(JSON.stringify({ target, port: board.port, pid: board.process.pid }));
  console.error(`board emulate: ${target} board on ${board.port} (Ctrl-C stops it)`);
  const exited = new Promise<number>((resolve) => board.process.once('exit', (code) => resolve(code ?? 0)));
  const stop = () => { void board.stop(); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await exited;
  return 0;
}

async function info(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, infoSpec);
  if (!flags) return 0;
  const port = requiredString(flags, 'port');
  const board = await Board.open(await openSerialTransport(port, requiredNumber(flags, 'baud')), { handshakeMs: 3000 });
  try {
    const bitsPerSecond = await board.measureLink();
    const stats = await board.stats();
    console.log(JSON.stringify({ port, ...board.info, linkBitsPerSecond: Math.round(bitsPerSecond), stats }, null, 2));
    return 0;
  } finally {
    await board.close();
  }
}

async function build(argv: string[]): Promise<number> {
  if (!parseCommandFlags(argv, buildSpec)) return 0;
  const targets: FirmwareTarget[] = ['host'];
  if (await haveArmToolchain()) targets.push('qemu', 'stm32h7');
  else console.error('board build: arm-none-eabi-gcc not found, building the host target only (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)');
  for (const target of targets) {
    const artifact = await ensureFirmware(target);
    console.error(`${target}: ${artifact}`);
  }
  if (targets.includes('stm32h7')) {
    const sizes = parseSizes(readFileSync(join(dirname(STM32H7_ELF_PATH), 'size.txt'), 'utf8'));
    const flash = (sizes['.isr_vector'] ?? 0) + (sizes['.text'] ?? 0) + (sizes['.ARM.exidx'] ?? 0) + (sizes['.data'] ?? 0);
    const axi = (sizes['.data'] ?? 0) + (sizes['.bss'] ?? 0);
    const pct = (used: number, of: number) => `${used.toLocaleString('en')} of ${of.toLocaleString('en')} B (${((100 * used) / of).toFixed(1)} %)`;
    console.log(`stm32h743 (${STM32H7_ELF_PATH}): flash ${pct(flash, 2 << 20)}; AXI SRAM ${pct(axi, 512 << 10)}; DTCM stack ${pct(sizes['.stack'] ?? 0, 128 << 10)}`);
  }
  return 0;
}

/** Section sizes from `arm-none-eabi-size -A`. */
function parseSizes(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
