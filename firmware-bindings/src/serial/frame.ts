// One serial frame (docs/serial-protocol.md, "Frames"): version, type, seq, a CBOR payload and
// a CRC-32, COBS-encoded and ended by 0x00.
import { crc32 } from 'node:zlib';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength, CobsError } from './cobs.js';

export const FRAME_VERSION = 1;
/** Largest body (before COBS) either side accepts; larger ones are dropped whole. */
export const MAX_FRAME_BODY = 1280;
export const MIN_FRAME_BODY = 8;
/** Largest encoded frame without its 0x00 delimiter. */
export const MAX_ENCODED_FRAME = cobsMaxEncodedLength(MAX_FRAME_BODY);
export const MAX_PAYLOAD = MAX_FRAME_BODY - MIN_FRAME_BODY;
/** The seq a board answers with when it could not read the frame's own. */
export const SEQ_UNKNOWN = 0xffff;

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

/** Why a frame was refused; the same kinds the board counts (`stats.errors`). */
export type FrameErrorKind = 'cobs' | 'short' | 'too-long' | 'crc' | 'version';

export class FrameError extends Error {
  override name = 'FrameError';
  constructor(readonly kind: FrameErrorKind, message: string, readonly seq?: number) {
    super(message);
  }
}

export function frameCrc(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

/** The bytes to write: COBS(body) followed by 0x00. */
export function encodeFrame(frame: Frame): Uint8Array {
  if (frame.payload.length > MAX_PAYLOAD) {
    throw new RangeError(`frame payload: ${frame.payload.length} bytes, the limit is ${MAX_PAYLOAD}`);
  }
  const body = new Uint8Array(MIN_FRAME_BODY + frame.payload.length);
  const view = new DataView(body.buffer);
  body[0] = FRAME_VERSION;
  body[1] = frame.type;
  view.setUint16(2, frame.seq, true);
  body.set(frame.payload, 4);
  view.setUint32(4 + frame.payload.length, frameCrc(body.subarray(0, 4 + frame.payload.length)), true);
  const encoded = cobsEncode(body);
  const wire = new Uint8Array(encoded.length + 1);
  wire.set(encoded);
  return wire;
}

/** Decodes one encoded frame (the bytes between two 0x00); every check of the spec, in its order. */
export function decodeFrame(encoded: Uint8Array): Frame {
  if (encoded.length > MAX_ENCODED_FRAME) {
    throw new FrameError('too-long', `frame: ${encoded.length} encoded bytes, the limit is ${MAX_ENCODED_FRAME}`);
  }
  let body: Uint8Array;
  try {
    body = cobsDecode(encoded);
  } catch (err) {
    if (err instanceof CobsError) throw new FrameError('cobs', err.message);
    throw err;
  }
  const seq = body.length >= 4 ? body[2]! | (body[3]! << 8) : undefined;
  if (body.length < MIN_FRAME_BODY) throw new FrameError('short', `frame: ${body.length} bytes, at least ${MIN_FRAME_BODY} needed`, seq);
  if (body.length > MAX_FRAME_BODY) throw new FrameError('too-long', `frame: ${body.length} bytes, the limit is ${MAX_FRAME_BODY}`, seq);
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const end = body.length - 4;
  const want = view.getUint32(end, true);
  const got = frameCrc(body.subarray(0, end));
  if (want !== got) throw new FrameError('crc', `frame: CRC-32 ${hex(got)} does not match the ${hex(want)} it carries`, seq);
  if (body[0] !== FRAME_VERSION) throw new FrameError('version', `frame: version ${body[0]}, this side speaks ${FRAME_VERSION}`, seq);
  return { type: body[1]!, seq: seq!, payload: body.slice(4, end) };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
