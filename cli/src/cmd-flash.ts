/**
 * `layerfleet flash`: put things on a board.
 *   flash --port P [--layers 0,1,2,3,4] [--no-verify]   provision LeNet's int8 layers over the serial protocol
 *   flash --firmware [--port P] [--tool NAME]          write the STM32H7 image with a standard tool
 * Layers go to slots in the order given. With verification on, golden vector 0 is run through
 * each provisioned layer on the board and compared byte for byte.
 */
import { loadLenetGolden, loadLenetInt8, layerMacs } from '@layerfleet/models';
import { Board, encodeLayerBlob, openSerialTransport } from '@layerfleet/firmware-bindings';
import { parseCommandFlags, requiredNumber, stringFlag, type CommandSpec } from './args.js';
import { Progress } from '@layerfleet/report';
import { flashFirmware } from './firmware-tools.js';

export const spec: CommandSpec = {
  name: 'flash',
  summary: "provision LeNet's int8 layers to a board over the serial protocol (--port), or write its firmware image (--firmware)",
  flags: {
    port: { type: 'string', value: 'PATH', description: "the board's serial port, e.g. /dev/ttyACM0 or the path `board emulate` printed (required to provision)" },
    baud: { type: 'number', default: 115200, unit: 'bit/s', description: 'serial line rate' },
    layers: { type: 'string', value: '0,1,...', defaultNote: 'every layer', description: 'layer indices to provision, to slots 0, 1, … in this order' },
    verify: { type: 'boolean', default: true, description: 'run golden vector 0 through each provisioned layer on the board (--verify=false skips)' },
    firmware: { type: 'boolean', description: 'write the STM32H7 firmware image instead, with a standard tool' },
    tool: { type: 'string', value: 'NAME', defaultNote: 'the first one installed', description: 'with --firmware: stm32flash, st-flash, openocd or dfu-util' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  const port = stringFlag(flags, 'port');
  if (flags.firmware) return flashFirmware(port, stringFlag(flags, 'tool'));
  if (!port) throw new Error('flash: --port is required (the board\'s serial port, e.g. /dev/ttyACM0 or the path `board emulate` printed)');
  const model = loadLenetInt8();
  const layers = parseLayers(stringFlag(flags, 'layers'), model.layers.length);
  const board = await Board.open(await openSerialTransport(port, requiredNumber(flags, 'baud')), { handshakeMs: 3000 });
  try {
    console.error(`flash: ${board.info.board} ${board.info.id} (firmware ${board.info.fw}) on ${port}: ${board.info.free} of ${board.info.arena} arena bytes free, ${(board.info.macs / 1e6).toFixed(1)} MMAC/s`);
    const blobs = layers.map((i) => encodeLayerBlob(model.layers[i]!));
    const total = blobs.reduce((s, b) => s + b.length, 0);
    const progress = new Progress('provisioning', total);
    let before = 0;
    for (const [slot, blob] of blobs.entries()) {
      const r = await board.load(slot, blob, (p) => progress.update(before + p.sent));
      before += blob.length;
      progress.update(before);
      const name = model.layers[layers[slot]!]!.spec.name;
      console.error(`\n  slot ${slot}: ${name}, ${blob.length} bytes, board stored CRC-32 0x${r.crc.toString(16).padStart(8, '0')}${r.resumedFrom > 0 ? ` (resumed at ${r.resumedFrom})` : ''}`);
    }
    progress.done();
    if (flags.verify !== false) {
      const v = loadLenetGolden().vectors[0]!;
      for (const [slot, index] of layers.entries()) {
        const input = Int8Array.from(index === 0 ? v.input.data : v.outputs[index - 1]!.data);
        const r = await board.run([slot], input, layerMacs(model.layers[index]!.spec));
        const same = r.output.length === v.outputs[index]!.data.length && r.output.every((x, i) => x === v.outputs[index]!.data[i]);
        if (!same) throw new Error(`verify: slot ${slot} (${model.layers[index]!.spec.name}) differs from the golden output`);
      }
      console.error(`verify: ${layers.length} layers bit-exact with the golden vector on the board`);
    }
    console.log(JSON.stringify({ port, board: board.info.board, id: board.info.id, slots: layers.map((index, slot) => ({ slot, layer: model.layers[index]!.spec.name })) }));
    return 0;
  } finally {
    await board.close();
  }
}

function parseLayers(spec: string | undefined, count: number): number[] {
  if (!spec) return Array.from({ length: count }, (_, i) => i);
  const layers = spec.split(',').map((s) => Number(s.trim()));
  for (const l of layers) if (!Number.isInteger(l) || l < 0 || l >= count) throw new Error(`--layers: ${l} is not a layer index 0…${count - 1}`);
  return layers;
}
