// Command codes and the shapes of their answers (docs/serial-protocol.md, "Commands"). Answers
// are checked field by field: a board is outside our process, its bytes are input like any other.
import { Encoder } from 'cbor-x';
import { encodeCbor } from '@layerfleet/protocol';

export const Command = { info: 0x01, load: 0x02, chunk: 0x03, input: 0x04, run: 0x05, read: 0x06, stats: 0x07, reset: 0x08 } as const;
export type CommandName = keyof typeof Command;
export const ANSWER_BIT = 0x80;
export const ERROR_TYPE = 0xff;
export const BOOT_TYPE = 0x40;

export function commandName(type: number): string {
  const name = (Object.keys(Command) as CommandName[]).find((k) => Command[k] === (type & ~ANSWER_BIT));
  return name ?? `0x${type.toString(16).padStart(2, '0')}`;
}

// Maps, not objects: cbor-x then writes the shortest map header, which is what the board's
// small decoder is tested against; Uint8Array stays a plain byte string (no tag 64).
// Writing uses the protocol's codec (Maps); reading wants plain objects, so it has its own.
const reader = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false, pack: false });

export type Args = Record<string, number | Uint8Array | number[] | string>;

export function encodeArgs(args: Args): Uint8Array {
  return encodeCbor(new Map(Object.entries(args)));
}

export function decodeAnswerPayload(payload: Uint8Array, what: string): Record<string, unknown> {
  if (payload.length === 0) return {};
  let value: unknown;
  try {
    value = reader.decode(payload);
  } catch (err) {
    throw new BoardProtocolError(`${what}: answer is not well-formed CBOR (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new BoardProtocolError(`${what}: answer is not a CBOR map`);
  }
  return value as Record<string, unknown>;
}

/** The board sent something that breaks the protocol (not a refusal: a refusal is BoardError). */
export class BoardProtocolError extends Error {
  override name = 'BoardProtocolError';
}

/** The board refused a request with an error answer; `kind` is its `err`. */
export class BoardError extends Error {
  override name = 'BoardError';
  constructor(readonly kind: string, message: string, readonly details: Record<string, unknown>) {
    super(message);
  }
}

/** A value the board sent, for an error message. Never throws, unlike String(), which does for a
 * map with a "toString" or "valueOf" key (it calls the map's own, non-callable, member). */
export function boardText(v: unknown): string {
  if (typeof v !== 'object' || v === null) return String(v);
  return Array.isArray(v) ? `an array of ${v.length}` : v instanceof Uint8Array ? `${v.length} bytes` : 'a map';
}

export function uintField(m: Record<string, unknown>, key: string, what: string): number {
  const v = m[key];
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new BoardProtocolError(`${what}: field '${key}' is not an unsigned integer (${boardText(v)})`);
  return n;
}

export function textField(m: Record<string, unknown>, key: string, what: string): string {
  const v = m[key];
  if (typeof v !== 'string') throw new BoardProtocolError(`${what}: field '${key}' is not text`);
  return v;
}

export function bytesField(m: Record<string, unknown>, key: string, what: string): Uint8Array {
  const v = m[key];
  if (!(v instanceof Uint8Array)) throw new BoardProtocolError(`${what}: field '${key}' is not a byte string`);
  return v;
}

export interface BoardInfo {
  board: string;
  id: string;
  fw: string;
  proto: number;
  arena: number;
  free: number;
  maxFrame: number;
  maxChunk: number;
  maxIo: number;
  slots: number;
  hz: number;
  macs: number;
  boot: number;
  loaded: number[];
}

export function parseInfo(m: Record<string, unknown>): BoardInfo {
  const w = 'info';
  const loaded = m['loaded'];
  if (!Array.isArray(loaded) || !loaded.every((x) => typeof x === 'number')) throw new BoardProtocolError(`${w}: field 'loaded' is not an array of slots`);
  return {
    board: textField(m, 'board', w), id: textField(m, 'id', w), fw: textField(m, 'fw', w), proto: uintField(m, 'proto', w),
    arena: uintField(m, 'arena', w), free: uintField(m, 'free', w), maxFrame: uintField(m, 'maxFrame', w), maxChunk: uintField(m, 'maxChunk', w),
    maxIo: uintField(m, 'maxIo', w), slots: uintField(m, 'slots', w), hz: uintField(m, 'hz', w), macs: uintField(m, 'macs', w),
    boot: uintField(m, 'boot', w), loaded: loaded as number[],
  };
}
