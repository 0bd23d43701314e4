// fast-check arbitraries shared by the hostile-*.properties.ts files of this package: CBOR-shaped junk,
// hostile decoded values (the shapes CBOR can carry, with keys that collide with Object.prototype)
// and byte-level mutations of valid inputs.
import fc from 'fast-check';

/** Names that break code which looks untrusted strings up in plain objects or prints values. */
export const PROTO_NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString', '__defineGetter__', 'toJSON'] as const;

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

/** A CBOR head: major type and argument in a short or 1/2/4/8-byte form, with extreme values. */
const cborHead = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.oneof(
  fc.integer({ min: 0, max: 23 }).map((n) => [n]),
  fc.integer({ min: 0, max: 0xff }).map((n) => [24, n]),
  fc.integer({ min: 0, max: 0xffff }).map((n) => [25, n >> 8, n & 0xff]),
  fc.constantFrom([26, 0xff, 0xff, 0xff, 0xff], [26, 0, 0x10, 0, 0], [27, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], [27, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [28], [31]),
)).map(([major, arg]) => Uint8Array.from([(major << 5) | arg[0]!, ...arg.slice(1)]));

/** Tags cbor-x gives meaning to (dates, bignums, typed arrays, records, shared refs, packed values, Set/Map, generic objects) and COSE's. */
const cborTag = fc.constantFrom(0, 1, 2, 3, 6, 18, 25, 27, 28, 29, 51, 64, 69, 72, 78, 81, 85, 96, 105, 256, 258, 259, 0xe000, 0xe0ff, 28704, 55799)
  .map((tag) => (tag < 24 ? Uint8Array.of(0xc0 | tag) : tag < 0x100 ? Uint8Array.of(0xd8, tag) : Uint8Array.of(0xd9, tag >> 8, tag & 0xff)));

const textToken = fc.constantFrom('t', 'act', 'hello', 'plan', ...PROTO_NAMES).map((s) => {
  const b = new TextEncoder().encode(s);
  return Uint8Array.from([0x60 | b.length, ...b]);
});

/** Byte strings built from CBOR tokens: far more of them reach deep into a CBOR decoder than random bytes do. */
export const cborSoup = fc.array(fc.oneof(
  { arbitrary: cborHead, weight: 6 },
  { arbitrary: cborTag, weight: 2 },
  { arbitrary: textToken, weight: 1 },
  { arbitrary: fc.constantFrom(0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb).map((b) => Uint8Array.of(b)), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 8 }), weight: 2 },
), { maxLength: 60, size: 'max' }).map(concat);

/**
 * Arbitrary bytes: short, up to 4 KiB, and some up to 64 KiB. (size 'max' spreads lengths over the
 * whole range; fast-check's default size keeps them under about ten.)
 */
export const junkBytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 16 }), weight: 10 },
  { arbitrary: fc.uint8Array({ maxLength: 4096, size: 'max' }), weight: 10 },
  { arbitrary: fc.uint8Array({ minLength: 4096, maxLength: 65536, size: 'max' }), weight: 1 },
);

export const hostileKey = fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 8 }));

/** A leaf value of every kind CBOR carries, extremes included. */
export const hostileLeaf = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, 1, -1, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 63), 1e308, 0.5, ''),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...PROTO_NAMES),
  fc.uint8Array({ maxLength: 80 }),
);

/** Nested values built from hostile leaves: arrays, objects (CBOR maps with text keys) and Maps with any keys. */
export function hostileValueOf(keys: fc.Arbitrary<string> = hostileKey, maxDepth = 3): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown>; map: Map<unknown, unknown> }>((tie) => ({
    value: fc.oneof({ maxDepth, depthSize: 'small' }, hostileLeaf, tie('array'), tie('object'), tie('map')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(keys, tie('value'), { maxKeys: 6 }),
    map: fc.array(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 8 }), hostileLeaf), tie('value')), { maxLength: 5 }).map((e) => new Map(e)),
  }));
  return value;
}

export type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

/** One to four edits at fast-check-chosen positions (taken modulo the length at the time). */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0, 0xff, 0x01, 0x80, 0x7f, 0x18, 0x40) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
), { minLength: 1, maxLength: 4 });

export function mutate(input: Uint8Array, edits: Mutation[]): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  for (const m of edits) {
    const at = m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at]! ^= m.mask;
    else if (m.kind === 'set' && at < b.length) b[at] = m.byte;
    else if (m.kind === 'insert') b = concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'delete') b = concat([b.subarray(0, at), b.subarray(at + m.count)]);
    else if (m.kind === 'truncate') b = b.slice(0, at);
  }
  return b;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** A plain, comparable copy: Buffers and Uint8Arrays become arrays of numbers. */
export function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? [...x] : x?.type === 'Buffer' ? x.data : x)));
}
