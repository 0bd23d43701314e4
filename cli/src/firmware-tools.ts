/**
 * Writing the STM32H7 image with whichever standard tool is installed. In order of preference:
 * stm32flash (the ROM bootloader over the serial port, BOOT0 high), st-flash and OpenOCD (an
 * ST-LINK, as on a NUCLEO board), dfu-util (the ROM's USB DFU). We say which one we use, and
 * when none is there, what to install.
 */
import { spawn } from 'node:child_process';
import { ensureFirmware, haveProgram, STM32H7_BIN_PATH, STM32H7_ELF_PATH } from '@layerfleet/firmware-bindings';

interface Tool { name: string; needsPort: boolean; args: (port?: string) => string[] }

const TOOLS: Tool[] = [
  { name: 'stm32flash', needsPort: true, args: (port) => ['-w', STM32H7_BIN_PATH, '-v', '-g', '0x08000000', port!] },
  { name: 'st-flash', needsPort: false, args: () => ['--reset', 'write', STM32H7_BIN_PATH, '0x08000000'] },
  { name: 'openocd', needsPort: false, args: () => ['-f', 'interface/stlink.cfg', '-f', 'target/stm32h7x.cfg', '-c', `program ${STM32H7_ELF_PATH} verify reset exit`] },
  { name: 'dfu-util', needsPort: false, args: () => ['-a', '0', '-s', '0x08000000:leave', '-D', STM32H7_BIN_PATH] },
];

export async function flashFirmware(port: string | undefined, wanted: string | undefined): Promise<number> {
  if (wanted && !TOOLS.some((t) => t.name === wanted)) throw new Error(`--tool: ${wanted} is not one of ${TOOLS.map((t) => t.name).join(', ')}`);
  const candidates = TOOLS.filter((t) => (!wanted || t.name === wanted) && (port !== undefined || !t.needsPort));
  let tool: Tool | undefined;
  for (const t of candidates) if (await haveProgram(t.name)) { tool = t; break; }
  if (!tool) {
    throw new Error(`flash --firmware: no flashing tool found (looked for ${candidates.map((t) => t.name).join(', ')}). `
      + 'Install one: stm32flash (serial ROM bootloader, needs --port), stlink-tools (st-flash), openocd, or dfu-util.');
  }
  console.error('flash --firmware: building the stm32h7 image…');
  await ensureFirmware('stm32h7');
  const args = tool.args(port);
  console.error(`flash --firmware: using ${tool.name}: ${tool.name} ${args.join(' ')}`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(tool.name, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`flash --firmware: ${tool.name} exited with ${code}`);
  return 0;
}
