// Hostile input for layerFromWire: the int8 layers a device receives inside a plan message are
// decoded CBOR from the wire. Whatever arrives: a layer that runs, or an Error naming the field
// (models has no error class of its own: a plain Error, never a TypeError or RangeError).
import test from 'ava';
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { inputLength, outputLength, outputShape, weightCount, outputChannels, type LayerSpec } from '../src/graph.js';
import { runLayerInt8, type QuantizedLayer } from '../src/quantize.js';
import { decodeQuantizedModel, layerFromWire, layerToWire } from '../src/serialize.js';

fc.configureGlobal({ includeErrorInReport: true });

// The codec a plan message is read with (protocol's messages.ts): maps as objects, plain byte strings.
const wire = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const viaCbor = (v: unknown): unknown => wire.decode(wire.encode(v));

const PROTO_NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'toJSON'];
const FIELDS = ['spec', 'kind', 'name', 'inputs', 'units', 'relu', 'input', 'filters', 'kernel', 'stride', 'padding', 'pool', 'size',
  'weights', 'bias', 'multipliers', 'shifts', 'inputScale', 'inputZeroPoint', 'outputScale', 'outputZeroPoint'];
const key = fc.oneof(fc.constantFrom(...FIELDS, ...PROTO_NAMES), fc.string({ maxLength: 6 }));
const leaf = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, -1, 1, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 1e308, 'dense', 'conv2d', 'same', 'valid', ''),
  fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.string({ maxLength: 12 }), fc.uint8Array({ maxLength: 64 }),
);
const { value: hostile } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

/** Specs of either kind with small dimensions, including kernels and pools that do not fit their input. */
const spec: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ kind: fc.constant('dense' as const), name: fc.string({ minLength: 1, maxLength: 8 }), inputs: fc.integer({ min: 1, max: 64 }), units: fc.integer({ min: 1, max: 16 }), relu: fc.boolean() }, { noNullPrototype: true }),
  fc.record({
    kind: fc.constant('conv2d' as const), name: fc.string({ minLength: 1, maxLength: 8 }),
    input: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 })),
    filters: fc.integer({ min: 1, max: 6 }), kernel: fc.integer({ min: 1, max: 6 }), stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom('same' as const, 'valid' as const), relu: fc.boolean(),
    pool: fc.record({ size: fc.integer({ min: 1, max: 4 }), stride: fc.integer({ min: 1, max: 3 }) }, { noNullPrototype: true }),
  }, { requiredKeys: ['kind', 'name', 'input', 'filters', 'kernel', 'stride', 'padding', 'relu'], noNullPrototype: true }),
);
const int32s = (n: number, min = -(2 ** 31), max = 2 ** 31 - 1) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a));
const scale = fc.double({ min: 1e-6, max: 10, noNaN: true });
const zeroPoint = fc.integer({ min: -128, max: 127 });
const layer: fc.Arbitrary<QuantizedLayer> = spec.chain((s) => fc.record({
  spec: fc.constant(s), inputScale: scale, inputZeroPoint: zeroPoint, outputScale: scale, outputZeroPoint: zeroPoint,
  weights: fc.int8Array({ minLength: weightCount(s), maxLength: weightCount(s) }),
  bias: int32s(outputChannels(s), -(2 ** 20), 2 ** 20), multipliers: int32s(outputChannels(s), 0), shifts: int32s(outputChannels(s), -31, 30),
}, { noNullPrototype: true }));

/** A layer layerFromWire accepted must be one a device can run: output ≥ 1×1, and a full input gives a full output. */
function assertRunnable(l: QuantizedLayer): void {
  const shape = outputShape(l.spec);
  if (!shape.every((d) => Number.isInteger(d) && d >= 1)) throw new Error(`accepted layer ${l.spec.name} has output shape [${shape}]`);
  const out = runLayerInt8(l, new Int8Array(inputLength(l.spec)));
  if (out.length !== outputLength(l.spec)) throw new Error(`accepted layer ${l.spec.name} gave ${out.length} values, not ${outputLength(l.spec)}`);
}
/** Runs a decoder: its result, checked, or a plain Error with a message; anything else fails. */
function typed<T>(run: () => T, check: (v: T) => void): 'ok' | 'refused' {
  let v: T;
  try {
    v = run();
  } catch (err) {
    if (err instanceof Error && err.constructor === Error && err.message.length > 0) return 'refused';
    throw new Error(`untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  check(v);
  return 'ok';
}
/** Small layers only: the property is about decoding, running them is the check. */
const small = (l: QuantizedLayer) => { if (inputLength(l.spec) <= 4096 && weightCount(l.spec) <= 4096) assertRunnable(l); };

test('anything at all, as decoded from CBOR, is a layer or an Error', (t) => {
  fc.assert(fc.property(hostile, (v) => { typed(() => layerFromWire(viaCbor(v)), small); }), { seed: 401, numRuns: 3000 });
  fc.assert(fc.property(fc.dictionary(key, hostile, { maxKeys: 10 }), hostile, (o, specValue) => {
    typed(() => layerFromWire(viaCbor({ ...o, spec: specValue })), small);
  }), { seed: 402, numRuns: 2000 });
  t.pass();
});

test('a valid wire layer with one field — of the layer, its spec or its pool — replaced by anything or removed is a runnable layer or an Error', (t) => {
  const outcomes = new Set<string>();
  const where = fc.constantFrom('layer', 'spec', 'pool');
  fc.assert(fc.property(layer, where, key, fc.option(hostile), (l, at, k, v) => {
    const w = layerToWire(l);
    const target = at === 'layer' ? w : at === 'spec' ? (w.spec as Record<string, unknown>) : ((w.spec as Record<string, unknown>).pool as Record<string, unknown> | undefined);
    if (target) {
      if (v === null) delete target[k];
      else Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    outcomes.add(typed(() => layerFromWire(viaCbor(w)), small));
  }), { seed: 403, numRuns: 4000 });
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('every layer layerFromWire accepts can run — kernels and pools that do not fit their input are refused', (t) => {
  let refused = 0;
  fc.assert(fc.property(layer, (l) => { if (typed(() => layerFromWire(viaCbor(layerToWire(l))), assertRunnable) === 'refused') refused++; }), { seed: 404, numRuns: 3000 });
  t.true(refused > 0);
});

test('layers that fit survive layerToWire → CBOR → layerFromWire exactly', (t) => {
  const fits = layer.filter((l) => outputShape(l.spec).every((d) => d >= 1));
  fc.assert(fc.property(fits, (l) => {
    if (!isDeepStrictEqual(layerFromWire(viaCbor(layerToWire(l))), l)) throw new Error(`layer ${l.spec.name} changed on the way`);
  }), { seed: 405, numRuns: 2000 });
  t.pass();
});

test('arbitrary bytes as a model file are a model or an Error', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => { typed(() => decodeQuantizedModel(b), () => undefined); }), { seed: 406, numRuns: 2000 });
  t.pass();
});
