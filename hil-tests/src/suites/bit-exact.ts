/**
 * Every LeNet layer on each board, against the committed golden vectors: provisioned over the
 * serial protocol (the board's CRC is its proof of what it stored), then every golden vector run
 * layer by layer and through the three middle layers chained. One test case per board and layer.
 */
import { layerMacs, loadLenetGolden, loadLenetInt8 } from '@layerfleet/models';
import { Board, encodeLayerBlob, openSerialTransport } from '@layerfleet/firmware-bindings';
import type { CaseResult } from '../junit.js';

export async function bitExactSuite(boardName: string, port: string, log: (line: string) => void): Promise<CaseResult[]> {
  const model = loadLenetInt8();
  const golden = loadLenetGolden();
  const cases: CaseResult[] = [];
  const suite = `bit-exact ${boardName}`;
  let board: Board;
  const opened = performance.now();
  try {
    board = await Board.open(await openSerialTransport(port));
  } catch (err) {
    return [{ suite, name: 'handshake', seconds: (performance.now() - opened) / 1000, failure: `${port}: ${(err as Error).message}` }];
  }
  try {
    const info = board.info;
    const linkBits = await board.measureLink();
    cases.push({
      suite, name: 'handshake', seconds: (performance.now() - opened) / 1000,
      output: `${info.board} ${info.id} fw ${info.fw}: ${(info.macs / 1e6).toFixed(1)} MMAC/s measured on its ${(info.hz / 1e6).toFixed(0)} MHz counter, ${Math.round(info.arena / 1024)} KiB arena, line ${(linkBits / 1e3).toFixed(0)} kbit/s`,
    });
    for (const [slot, layer] of model.layers.entries()) {
      const started = performance.now();
      const name = `${layer.spec.name}: provisioned and bit-exact on ${golden.vectors.length} golden vectors`;
      try {
        const blob = encodeLayerBlob(layer);
        const loaded = await board.load(slot, blob);
        let cycles = 0;
        for (const v of golden.vectors) {
          const input = Int8Array.from(slot === 0 ? v.input.data : v.outputs[slot - 1]!.data);
          const r = await board.run([slot], input, layerMacs(layer.spec));
          const want = v.outputs[slot]!.data;
          const at = r.output.findIndex((x, i) => x !== want[i]);
          if (r.output.length !== want.length || at >= 0) throw new Error(`digit ${v.heldOutIndex}: output differs from the golden vector${at >= 0 ? ` at byte ${at} (${r.output[at]} ≠ ${want[at]})` : ` in length (${r.output.length} ≠ ${want.length})`}`);
          cycles += r.cycles;
        }
        const boardMs = (1000 * cycles) / golden.vectors.length / Math.max(1, info.hz);
        cases.push({
          suite, name, seconds: (performance.now() - started) / 1000, figures: { boardMs, layer: slot },
          output: `${blob.length} bytes, CRC-32 0x${loaded.crc.toString(16)}; ${boardMs.toFixed(3)} ms per run on the board's counter`,
        });
      } catch (err) {
        cases.push({ suite, name, seconds: (performance.now() - started) / 1000, failure: (err as Error).message });
      }
    }
    const started = performance.now();
    const name = 'conv2→fc1→fc2 chained on the board';
    try {
      for (const v of golden.vectors) {
        const r = await board.run([1, 2, 3], Int8Array.from(v.outputs[0]!.data));
        if (r.output.some((x, i) => x !== v.outputs[3]!.data[i])) throw new Error(`digit ${v.heldOutIndex}: chained output differs from the golden fc2 output`);
      }
      const stats = await board.stats();
      cases.push({ suite, name, seconds: (performance.now() - started) / 1000, output: `board stats ${JSON.stringify(stats['errors'])}; host side retries ${board.link.retries}, timeouts ${board.link.timeouts}` });
    } catch (err) {
      cases.push({ suite, name, seconds: (performance.now() - started) / 1000, failure: (err as Error).message });
    }
    log(`${suite}: ${cases.filter((c) => !c.failure).length}/${cases.length} cases passed`);
    return cases;
  } finally {
    await board.close();
  }
}
