// Hostile input from the board itself, as fuzz targets (hostile-board-answers.test.ts runs them
// with CI's budget, `npm run fuzz` with any): its answers' CBOR payloads (decodeAnswerPayload,
// parseInfo and the field readers) and the frames the link dispatches (answers, error answers,
// boot announcements). A board is outside our process: whatever it sends, the request ends with a
// value or a BoardError / BoardProtocolError, and nothing throws out of the link's receive path.
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { fuzzTarget, type FuzzTarget } from '@layerfleet/test-support';
import { isDeepStrictEqual } from 'node:util';
import { BoardError, BoardProtocolError, Command, decodeAnswerPayload, parseInfo, uintField, type BoardInfo } from '../src/serial/commands.js';
import { decodeFrame, encodeFrame } from '../src/serial/frame.js';
import { BoardLink } from '../src/serial/link.js';
import type { ByteTransport } from '../src/serial/transport.js';

// What the board writes: CBOR maps with the shortest headers, plain byte strings.
const board = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, pack: false });
const encodeMap = (o: Record<string, unknown>) => board.encode(new Map(Object.entries(o)));

const INFO_FIELDS = ['board', 'id', 'fw', 'proto', 'arena', 'free', 'maxFrame', 'maxChunk', 'maxIo', 'slots', 'hz', 'macs', 'boot', 'loaded'];
const PROTO_NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'toJSON'];
const key = fc.oneof(fc.constantFrom(...INFO_FIELDS, 'err', 'msg', 'next', 'crc', 'len', 'data', ...PROTO_NAMES), fc.string({ maxLength: 6 }));
const leaf = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, -1, 1, NaN, Infinity, 2 ** 53, 2 ** 64, 0.5, '', 'crc', 'cobs'),
  fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.string({ maxLength: 12 }), fc.uint8Array({ maxLength: 32 }),
);
const { value: hostile } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const validInfo: fc.Arbitrary<BoardInfo> = fc.record({
  board: fc.string({ maxLength: 16 }), id: fc.string({ maxLength: 16 }), fw: fc.string({ maxLength: 16 }), proto: fc.constantFrom(1, 2),
  arena: u32, free: u32, maxFrame: u32, maxChunk: u32, maxIo: u32, slots: fc.integer({ min: 0, max: 64 }), hz: u32, macs: u32, boot: u32,
  loaded: fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 8 }),
}, { noNullPrototype: true });
/** An info answer with each field right, wrong or missing, and stray fields. */
const infoAnswer = fc.tuple(validInfo, fc.dictionary(key, hostile, { maxKeys: 4 }), fc.subarray(INFO_FIELDS)).map(([info, wrong, drop]) => {
  const o: Record<string, unknown> = { ...info };
  for (const k of drop) delete o[k];
  for (const [k, v] of Object.entries(wrong)) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
  return encodeMap(o);
});
/** An error answer's fields ({err, msg}), each right or anything, with stray fields. */
const errorAnswer = fc.tuple(
  fc.oneof(fc.constantFrom('crc', 'cobs', 'args', 'cbor', 'command', 'slot'), hostile), fc.oneof(fc.string({ maxLength: 20 }), hostile), fc.dictionary(key, hostile, { maxKeys: 2 }),
).map(([err, msg, rest]) => encodeMap({ ...rest, err, msg }));
const anyPayload = fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 1272, size: 'max' }), infoAnswer, hostile.map((v) => board.encode(v)));

/** A decoder's value, checked, or a BoardProtocolError with a message; anything else fails. */
function typed<T>(run: () => T, check: (v: T) => void = () => undefined): 'ok' | 'refused' {
  let v: T;
  try {
    v = run();
  } catch (err) {
    if (err instanceof BoardProtocolError && err.message.length > 0) return 'refused';
    throw new Error(`untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  check(v);
  return 'ok';
}
function assertInfo(i: BoardInfo): void {
  const uints = [i.proto, i.arena, i.free, i.maxFrame, i.maxChunk, i.maxIo, i.slots, i.hz, i.macs, i.boot];
  if (![i.board, i.id, i.fw].every((s) => typeof s === 'string') || !uints.every((n) => Number.isSafeInteger(n) && n >= 0) || !i.loaded.every((n) => typeof n === 'number')) {
    throw new Error('parseInfo returned fields of the wrong type');
  }
}

/** 'ok' and 'refused', as seen: the ava test checks both happened. */
export const anyAnswerPayloadReadOrRefused: FuzzTarget<Set<string>> = {
  decoder: 'decodeAnswerPayload, parseInfo, uintField', claim: 'any answer payload: read or BoardProtocolError', ci: { seed: 601, numRuns: 5000 },
  arm() {
    const outcomes = new Set<string>();
    return {
      tally: outcomes,
      property: fc.property(anyPayload, (p) => {
        const r = typed(() => parseInfo(decodeAnswerPayload(p, 'info')), assertInfo);
        outcomes.add(r);
        if (r === 'ok') return;
        typed(() => { const m = decodeAnswerPayload(p, 'run'); for (const k of ['len', 'crc', 'next', 'proto', ...PROTO_NAMES]) typed(() => uintField(m, k, 'run')); });
      }),
    };
  },
};

export const mutatedInfoAnswerReadOrRefused = fuzzTarget({ decoder: 'decodeAnswerPayload, parseInfo', claim: 'mutations of a valid info answer: read or BoardProtocolError', ci: { seed: 602, numRuns: 3000 } },
  () => {
    const edit = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate'));
    return fc.property(validInfo, fc.array(edit, { minLength: 1, maxLength: 3 }), (info, edits) => {
      const b = Array.from(encodeMap({ ...info }));
      for (const [at0, v, kind] of edits) {
        const at = at0 % (b.length + 1);
        if (kind === 'flip' && at < b.length) b[at]! ^= v;
        else if (kind === 'insert') b.splice(at, 0, v);
        else if (kind === 'delete') b.splice(at, 1 + (v % 8));
        else if (kind === 'truncate') b.length = at;
      }
      typed(() => parseInfo(decodeAnswerPayload(Uint8Array.from(b), 'info')), assertInfo);
    });
  });

export const validInfoReadBack = fuzzTarget({ decoder: 'decodeAnswerPayload, parseInfo', claim: 'a valid info answer is read back exactly', ci: { seed: 603, numRuns: 2000 } },
  () => fc.property(validInfo, (info) => {
    if (!isDeepStrictEqual(parseInfo(decodeAnswerPayload(encodeMap({ ...info }), 'info')), info)) throw new Error('info changed on the way');
  }));

/** A board on a fake line that answers each request with the frame the property chose. */
function fakeBoard(answer: (seq: number, request: number) => Uint8Array[]) {
  let listener: (chunk: Uint8Array) => void = () => {};
  const thrown: unknown[] = [];
  let requests = 0;
  const transport: ByteTransport = {
    name: 'fake', baudRate: 1e9,
    write(bytes) {
      const req = decodeFrame(bytes.subarray(1, -1)); // the link writes 0x00, the frame, 0x00
      // Answers arrive later, as from a serial port; an exception out of the link's receive path
      // would be an uncaught exception in a real process.
      setImmediate(() => {
        for (const chunk of answer(req.seq, requests++)) {
          try { listener(chunk); } catch (err) { thrown.push(err); }
        }
      });
    },
    onData(l) { listener = l; },
    onClose() {},
    close: async () => {},
  };
  return { transport, thrown };
}

/** How requests ended (a value read, refused, BoardError, BoardProtocolError), for the ava test to see each. */
export const whateverTheBoardAnswers: FuzzTarget<Set<string>> = {
  decoder: 'BoardLink', claim: 'any answer, error answer or boot frame: the request ends typed, nothing escapes', ci: { seed: 604, numRuns: 1500 },
  arm() {
    const kinds = new Set<string>();
    const answerType = fc.constantFrom(Command.info | 0x80, 0xff, 0x40, 0x85);
    return {
      tally: kinds,
      property: fc.asyncProperty(answerType, fc.oneof(anyPayload, errorAnswer), fc.boolean(), async (type, payload, sameSeq) => {
        // The chosen frame (a boot announcement only once: a board that never stops rebooting is another test),
        // then a plain answer, so that a request whose first answer is ignored still ends without a timeout.
        const { transport, thrown } = fakeBoard((seq, n) => [
          ...(type === 0x40 && n > 0 ? [] : [encodeFrame({ type, seq: type === 0x40 || sameSeq ? seq : (seq + 1) % 0xffff, payload })]),
          encodeFrame({ type: 0x81, seq, payload: encodeMap({}) }),
        ]);
        const link = new BoardLink(transport, { retries: 1, minTimeoutMs: 2000, maxTimeoutMs: 2000 });
        link.on('boot', () => {});
        let kind: string;
        try {
          const m = await link.request(Command.info);
          kind = typed(() => parseInfo(m), assertInfo);
        } catch (err) {
          if (!(err instanceof BoardError || err instanceof BoardProtocolError) || err.message.length === 0) {
            throw new Error(`request failed untyped: ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
          }
          kind = err.name;
        }
        if (thrown.length > 0) throw new Error(`the link's receive path threw ${String(thrown[0])}`, { cause: thrown[0] });
        kinds.add(kind);
      }),
    };
  },
};
