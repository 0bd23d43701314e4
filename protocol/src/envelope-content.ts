/**
 * What the sender signs: the payload together with everything that gives it meaning, so that a
 * recipient cannot re-encrypt a message it received to someone else (sign-then-encrypt is only
 * safe with the recipient inside the signature), nor a broker move it to another topic, nor
 * anyone replay it unnoticed.
 *
 * A CBOR map with small integer keys (compact, and written in ascending order so the encoding
 * is deterministic):
 *   1 to     tstr  recipient device id
 *   2 topic  tstr  MQTT topic the message is published on
 *   3 seq    uint  per-sender sequence number
 *   4 ts     uint  sender's clock, milliseconds since the Unix epoch
 *   5 body   bstr  the application payload
 * The sender's id is not repeated here: it is the kid in the Sign1 protected header, which the
 * signature covers too. The encoded map is the COSE_Sign1 payload (a plain bstr), so any COSE
 * library can verify the signature without knowing this layout.
 */
import { asSafeInteger, cborInt, decodeCbor, describe, encodeCbor, isBytes, isMap } from './cbor.js';
import { EnvelopeError } from './envelope-error.js';
import { assertDeviceId } from './topics.js';

export interface EnvelopeContent {
  to: string;
  topic: string;
  seq: number;
  ts: number;
  body: Uint8Array;
}

export const ContentKey = { to: 1, topic: 2, seq: 3, ts: 4, body: 5 } as const;

/** Throws TypeError naming the field; used by `seal` on caller input. */
export function assertContent(c: EnvelopeContent): void {
  assertDeviceId(c.to, 'recipient.id');
  assertTopic(c.topic);
  if (!Number.isSafeInteger(c.seq) || c.seq < 0) throw new TypeError(`seq: expected a non-negative safe integer, got ${c.seq}`);
  if (!Number.isSafeInteger(c.ts) || c.ts < 0) throw new TypeError(`ts: expected non-negative integer milliseconds, got ${c.ts}`);
  if (!(c.body instanceof Uint8Array)) throw new TypeError('payload: expected a Uint8Array');
}

/** MQTT 5.0 §4.7: a topic name is non-empty and, unlike a filter, holds no wildcard; §1.5.4: no U+0000. */
function assertTopic(topic: unknown): void {
  if (typeof topic !== 'string' || topic.length === 0 || /[+#\u0000]/.test(topic)) {
    throw new TypeError(`topic: expected a non-empty MQTT topic name without + # or NUL, got ${JSON.stringify(topic)}`);
  }
}

export function encodeContent(c: EnvelopeContent): Uint8Array {
  return encodeCbor(new Map<number, unknown>([
    [ContentKey.to, c.to],
    [ContentKey.topic, c.topic],
    [ContentKey.seq, cborInt(c.seq)],
    [ContentKey.ts, cborInt(c.ts)],
    [ContentKey.body, c.body],
  ]));
}

/** Throws EnvelopeError('malformed-inner') naming the key at fault. Unknown keys are refused: a
 * signed field this version would ignore could be one the sender relied on. */
export function decodeContent(bytes: Uint8Array): EnvelopeContent {
  const fail = (msg: string): never => {
    throw new EnvelopeError('malformed-inner', `signed content: ${msg}`);
  };
  let value: unknown;
  try {
    value = decodeCbor(bytes, 'signed content');
  } catch (err) {
    throw new EnvelopeError('malformed-inner', (err as Error).message);
  }
  if (!isMap(value)) return fail(`expected a map, got ${describe(value)}`);
  for (const k of value.keys()) {
    if (!(typeof k === 'number' && k >= ContentKey.to && k <= ContentKey.body && Number.isInteger(k))) fail(`unknown key ${describe(k)}`);
  }
  const to = value.get(ContentKey.to);
  if (typeof to !== 'string') return fail(`to (1) must be a text string, got ${describe(to)}`);
  const topic = value.get(ContentKey.topic);
  if (typeof topic !== 'string') return fail(`topic (2) must be a text string, got ${describe(topic)}`);
  const seq = asSafeInteger(value.get(ContentKey.seq));
  if (seq === null || seq < 0) return fail(`seq (3) must be a non-negative integer, got ${describe(value.get(ContentKey.seq))}`);
  const ts = asSafeInteger(value.get(ContentKey.ts));
  if (ts === null || ts < 0) return fail(`ts (4) must be a non-negative integer, got ${describe(value.get(ContentKey.ts))}`);
  const body = value.get(ContentKey.body);
  if (!isBytes(body)) return fail(`body (5) must be a byte string, got ${describe(body)}`);
  return { to, topic, seq, ts, body };
}
