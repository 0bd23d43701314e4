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
import { parseFlags, numberFlag, stringFlag } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'emulate': return emulate(rest);
    case 'info': return info(rest);
    case 'build': return build();
    default:
      throw new Error(`board: expected a subcommand: emulate, info or build (got ${JSON.stringify(sub ?? '')})`);
  }
}

async function emulate(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { target: 'string', id: 'string' });
  const target = stringFlag(flags, 'target') ?? 'host';
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
  const flags = parseFlags(argv, { port: 'string', baud: 'string' });
  const port = stringFlag(flags, 'port');
  if (!port) throw new Error('board info: --port is required (a board\'s serial port, e.g. /dev/ttyACM0 or the path `board emulate` printed)');
  const board = await Board.open(await openSerialTransport(port, numberFlag(flags, 'baud', 115200)), { handshakeMs: 3000 });
  try {
    const bitsPerSecond = await board.measureLink();
    const stats = await board.stats();
    console.log(JSON.stringify({ port, ...board.info, linkBitsPerSecond: Math.round(bitsPerSecond), stats }, null, 2));
    return 0;
  } finally {
    await board.close();
  }
}

async function build(): Promise<number> {
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
