// One contract every board must meet, whatever carries its bytes: the host firmware on a pty,
// the Cortex-M7 image under QEMU, a real STM32H7 (hil-tests runs the same checks on a rig).
import type { TestFn } from 'ava';
import { crc32 } from 'node:zlib';
import { layerMacs, loadLenetGolden, loadLenetInt8, mulberry32 } from '@layerfleet/models';
import {
  Board, BoardError, Command, encodeFrame, encodeLayerBlob, noisyTransport, openSerialTransport, startEmulatedBoard,
  type EmulatedBoard, type EmulatedTarget,
} from '../src/index.js';

async function withBoard(target: EmulatedTarget, work: (board: Board, emu: EmulatedBoard) => Promise<void>, noise?: Parameters<typeof noisyTransport>[1]): Promise<void> {
  const emu = await startEmulatedBoard(target, { id: `contract-${process.pid}` });
  try {
    const raw = await openSerialTransport(emu.port);
    // Clean lines get a patient floor on timeouts: on a loaded machine (QEMU shares 2 cores with
    // the other tests) a spurious retry would otherwise turn one refusal into another.
    const board = await Board.open(noise ? noisyTransport(raw, noise) : raw, noise ? {} : { minTimeoutMs: 1500 });
    try {
      await work(board, emu);
    } finally {
      await board.close();
    }
  } finally {
    await emu.stop();
  }
}

export function boardContract(test: TestFn, target: EmulatedTarget, boardName: string): void {
  const model = loadLenetInt8();
  const golden = loadLenetGolden();
  const blobs = model.layers.map((l) => encodeLayerBlob(l));
  const title = (s: string) => `${target}: ${s}`;

  test.serial(title('info describes the board'), async (t) => {
    t.timeout(120_000);
    await withBoard(target, async (board) => {
      const i = board.info;
      t.is(i.board, boardName);
      t.is(i.proto, 1);
      t.is(i.maxFrame, 1280);
      t.is(i.maxChunk, 1024);
      t.is(i.slots, 16);
      t.true(i.arena >= 256 * 1024 && i.free === i.arena, `arena ${i.arena}, free ${i.free}`);
      t.true(i.maxIo >= 4704, 'holds LeNet conv1 output');
      t.true(i.hz > 0 && i.macs > 0, `hz ${i.hz}, macs ${i.macs}`);
      t.deepEqual(i.loaded, []);
    });
  });

  test.serial(title('every LeNet layer: loaded with proof, bit-exact on every golden vector, singly and chained'), async (t) => {
    t.timeout(300_000);
    await withBoard(target, async (board) => {
      let progressCalls = 0;
      for (const [slot, blob] of blobs.entries()) {
        const r = await board.load(slot, blob, () => { progressCalls++; });
        t.is(r.crc, crc32(blob) >>> 0);
        t.is(r.resumedFrom, 0);
      }
      t.true(progressCalls >= blobs.length);
      const info = await board.refreshInfo();
      t.deepEqual(info.loaded, [0, 1, 2, 3, 4]);
      t.is(info.arena - info.free >= blobs.reduce((s, b) => s + b.length, 0), true);
      // Loading the same blob again is answered from what is stored.
      const again = await board.load(3, blobs[3]!);
      t.is(again.resumedFrom, blobs[3]!.length);
      t.is(again.chunks, 0);
      for (const v of golden.vectors) {
        let input = Int8Array.from(v.input.data);
        for (const [slot, layer] of model.layers.entries()) {
          const r = await board.run([slot], input, layerMacs(layer.spec));
          t.deepEqual(Array.from(r.output), v.outputs[slot]!.data, `digit ${v.heldOutIndex}, ${layer.spec.name}`);
          t.is(r.macs, layerMacs(layer.spec));
          input = Int8Array.from(v.outputs[slot]!.data);
        }
        const chained = await board.run([1, 2, 3], Int8Array.from(v.outputs[0]!.data));
        t.deepEqual(Array.from(chained.output), v.outputs[3]!.data, `digit ${v.heldOutIndex}, conv2→fc2 chained`);
      }
    });
  });

  test.serial(title('an interrupted load resumes from the board\'s offset; a bad chunk offset is answered with the expected one'), async (t) => {
    t.timeout(120_000);
    await withBoard(target, async (board) => {
      const blob = blobs[2]!;
      const crc = crc32(blob) >>> 0;
      const opened = await board.link.request(Command.load, { slot: 7, size: blob.length, crc });
      t.is(opened['next'], 0);
      // On a loaded machine the first copy may time out after the board stored it: the retry is
      // then told the offset it is at, which says the same.
      const first = await board.link.request(Command.chunk, { slot: 7, off: 0, data: blob.subarray(0, 1024) })
        .catch((e: unknown) => (e instanceof BoardError && e.kind === 'offset' ? e.details : Promise.reject(e)));
      t.is(first['next'], 1024);
      const wrong = await t.throwsAsync(board.link.request(Command.chunk, { slot: 7, off: 3000, data: blob.subarray(3000, 3100) }), { instanceOf: BoardError });
      t.is(wrong?.kind, 'offset');
      t.is(wrong?.details['next'], 1024);
      const resumed = await board.load(7, blob);
      t.is(resumed.resumedFrom, 1024);
      t.is(resumed.crc, crc);
      const v = golden.vectors[0]!;
      t.deepEqual(Array.from((await board.run([7], Int8Array.from(v.outputs[1]!.data))).output), v.outputs[2]!.data);
    });
  });

  test.serial(title('a blob whose CRC or shape is wrong is refused and the slot stays empty'), async (t) => {
    t.timeout(120_000);
    await withBoard(target, async (board) => {
      const small = blobs[0]!;
      t.true(small.length <= board.info.maxChunk);
      await board.link.request(Command.load, { slot: 2, size: small.length, crc: (crc32(small) ^ 1) >>> 0 });
      const e = await t.throwsAsync(board.link.request(Command.chunk, { slot: 2, off: 0, data: small }), { instanceOf: BoardError });
      t.is(e?.kind, 'blob-crc');
      const bad = Uint8Array.from(blobs[4]!);
      bad[8 + 4 * 8]! ^= 1; // `inputs` no longer matches the weights
      const e2 = await t.throwsAsync(board.load(2, bad), { instanceOf: BoardError });
      t.is(e2?.kind, 'layer');
      t.regex(String(e2?.details['field']), /weights|inputs/);
      t.deepEqual((await board.refreshInfo()).loaded, []);
      const e3 = await t.throwsAsync(board.run([2], new Int8Array(84)), { instanceOf: BoardError });
      t.regex(e3?.kind ?? '', /slot|run|args/);
    });
  });

  test.serial(title('garbage, broken frames and unknown commands are answered with errors and counted; the board keeps serving'), async (t) => {
    t.timeout(120_000);
    await withBoard(target, async (board) => {
      const rng = mulberry32(3);
      const raw = board.link.transport;
      raw.write(Uint8Array.from({ length: 5000 }, () => Math.floor(rng() * 256)));
      const frame = encodeFrame({ type: Command.info, seq: 77, payload: new Uint8Array(0) });
      const flipped = Uint8Array.from(frame);
      flipped[3]! ^= 0x40;
      raw.write(flipped);
      raw.write(new Uint8Array(3000).fill(0x55));
      raw.write(Uint8Array.from([0]));
      // Let the board's answers to all that drain before counting what follows.
      await board.refreshInfo();
      await t.throwsAsync(board.link.requestRaw(0x33, new Uint8Array(0)), { instanceOf: BoardError, message: /command/ });
      await t.throwsAsync(board.link.requestRaw(Command.load, Uint8Array.from([0xa1, 0x64, 0x73, 0x6c, 0x6f, 0x74, 0xf9, 0x3c, 0x00])), { instanceOf: BoardError, message: /cbor/ });
      await t.throwsAsync(board.link.request(Command.read, { off: 0, n: 5000 }), { instanceOf: BoardError, message: /args/ });
      const info = await board.refreshInfo();
      t.is(info.proto, 1);
      const stats = await board.stats();
      const errors = stats['errors'] as Record<string, number>;
      t.true((errors['too-long'] ?? 0) >= 1, JSON.stringify(errors));
      t.true((errors['crc'] ?? 0) + (errors['cobs'] ?? 0) + (errors['short'] ?? 0) >= 2, JSON.stringify(errors));
      // Exactly one each, unless a copy timed out on a loaded machine and was sent again.
      t.true(errors['command']! >= 1 && errors['command']! <= 1 + board.link.timeouts, JSON.stringify(errors));
      t.true(errors['cbor']! >= 1 && errors['cbor']! <= 1 + board.link.timeouts, JSON.stringify(errors));
      t.true((stats['frames'] as number) >= 4);
      t.true((board.link.rejections.get('unread') ?? 0) + (board.link.rejections.get('stale') ?? 0) >= 1, 'answers to frames this side did not send are ignored and counted');
    });
  });

  test.serial(title('with bytes flipped, dropped and bursts of garbage on the line, every layer still comes back exact'), async (t) => {
    t.timeout(300_000);
    const random = mulberry32(target === 'host' ? 21 : 22);
    await withBoard(target, async (board) => {
      for (const [slot, blob] of blobs.entries()) await board.load(slot, blob);
      let runs = 0;
      for (const v of golden.vectors.slice(0, 4)) {
        const r = await board.run([1, 2, 3], Int8Array.from(v.outputs[0]!.data));
        t.deepEqual(Array.from(r.output), v.outputs[3]!.data, `digit ${v.heldOutIndex}`);
        runs++;
      }
      t.is(runs, 4);
      const noise = (board.link.transport as unknown as { noise: { flipped: number; dropped: number; bursts: number } }).noise;
      t.true(noise.flipped + noise.dropped + noise.bursts > 5, JSON.stringify(noise));
      t.true(board.link.retries > 0, 'damage was noticed and repaired');
    }, { flip: 0.0001, drop: 0.0001, burst: 0.05, bothWays: true, random });
  });

  test.serial(title('reset empties every slot, changes the boot id and announces itself'), async (t) => {
    t.timeout(120_000);
    await withBoard(target, async (board) => {
      await board.load(0, blobs[0]!);
      const before = board.info.boot;
      const bootsSeen = board.bootCount;
      const after = await board.reset();
      t.deepEqual(after.loaded, []);
      t.not(after.boot, before);
      t.is(board.bootCount, bootsSeen + 1);
      t.is(after.free, after.arena);
    });
  });
}

