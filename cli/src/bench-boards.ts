/**
 * `layerfleet bench boards`: the firmware on each emulated board against the TypeScript int8
 * kernels in this process (the peer), layer by layer, plus what the serial line costs. The
 * board's figures come from its own cycle counter; the line's from the host side's clock.
 */
import { crc32 } from 'node:zlib';
import { layerMacs, loadLenetGolden, loadLenetInt8, runLayerInt8 } from '@layerfleet/models';
import { Board, encodeLayerBlob, missingEmulatorPrograms, openSerialTransport, startEmulatedBoard, type EmulatedTarget } from '@layerfleet/firmware-bindings';

/** Best-of timing of `fn` over about `seconds`, in seconds per call. */
function timeBest(fn: () => void, seconds = 0.3): number {
  let best = Infinity;
  const until = performance.now() + seconds * 1000;
  do {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  } while (performance.now() < until);
  return best;
}

export async function benchBoards(): Promise<void> {
  const model = loadLenetInt8();
  const v = loadLenetGolden().vectors[0]!;
  const inputs = model.layers.map((_, i) => Int8Array.from(i === 0 ? v.input.data : v.outputs[i - 1]!.data));
  const targets: EmulatedTarget[] = (await missingEmulatorPrograms('qemu')).length === 0 ? ['host', 'qemu'] : ['host'];
  const ts = model.layers.map((layer, i) => timeBest(() => runLayerInt8(layer, inputs[i]!)));
  for (const target of targets) {
    const emu = await startEmulatedBoard(target, { id: `bench-${target}` });
    const board = await Board.open(await openSerialTransport(emu.port));
    try {
      const blobs = model.layers.map((l) => encodeLayerBlob(l));
      const t0 = performance.now();
      for (const [slot, blob] of blobs.entries()) await board.load(slot, blob);
      const provisionS = (performance.now() - t0) / 1000;
      const bytes = blobs.reduce((s, b) => s + b.length, 0);
      const line = await board.measureLink(16);
      console.log(`\n${board.info.board} board (${target}): ${(board.info.macs / 1e6).toFixed(0)} MMAC/s measured at boot on its ${(board.info.hz / 1e6).toFixed(0)} MHz counter; `
        + `line ${(line / 1e3).toFixed(0)} kbit/s; LeNet provisioned (${bytes} bytes, CRC-checked) in ${provisionS.toFixed(2)} s`);
      console.log('layer     MACs   board µs  board MMAC/s   TS µs   board/TS   round trip µs (serial + board)');
      for (const [slot, layer] of model.layers.entries()) {
        let best = Infinity;
        let bestTrip = Infinity;
        for (let k = 0; k < 5; k++) {
          const t1 = performance.now();
          const r = await board.run([slot], inputs[slot]!, layerMacs(layer.spec));
          bestTrip = Math.min(bestTrip, (performance.now() - t1) / 1000);
          best = Math.min(best, r.boardSeconds);
          if (crc32(new Uint8Array(r.output.buffer)) >>> 0 !== crc32(Int8Array.from(v.outputs[slot]!.data)) >>> 0) throw new Error(`bench: ${target} ${layer.spec.name} differs from the golden output`);
        }
        const macs = layerMacs(layer.spec);
        console.log(`${layer.spec.name.padEnd(7)} ${String(macs).padStart(7)} ${(best * 1e6).toFixed(0).padStart(10)} ${(macs / best / 1e6).toFixed(0).padStart(12)} ${(ts[slot]! * 1e6).toFixed(0).padStart(7)} ${(ts[slot]! / best).toFixed(2).padStart(9)}× ${(bestTrip * 1e6).toFixed(0).padStart(12)}`);
      }
    } finally {
      await board.close();
      await emu.stop();
    }
  }
  console.log('\nboard/TS > 1: the firmware computes the layer faster than the TS kernels in this process. QEMU times host wall-clock, not a 25 MHz chip.');
}
