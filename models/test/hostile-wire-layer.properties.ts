// Hostile input for layerFromWire, as fuzz targets (hostile-wire-layer.test.ts runs them with CI's
// budget, `npm run fuzz` with any): the int8 layers a device receives inside a plan message are
// decoded CBOR from the wire. Whatever arrives: a layer that runs, or an Error naming the field
// (models has no error class of its own: a plain Error, never a TypeError or RangeError).
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { fuzzTarget, type FuzzTarget } from '@layerfleet/test-support';
import { isDeepStrictEqual } from 'node:util';
import { inputLength, outputLength, outputShape, weightCount, outputChannels, type LayerSpec } from '../src/graph.js';
import { runLayerInt8, type QuantizedLayer } from '../src/quantize.js';
import { decodeQuantizedModel, layerFromWire, layerToWire } from '../src/serialize.js';

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

const WIRE_LAYER = 'layerFromWire';

export const anythingIsLayerOrError = fuzzTarget({ decoder: WIRE_LAYER, claim: 'anything, as decoded from CBOR: a runnable layer or an Error', ci: { seed: 401, numRuns: 3000 } },
  () => fc.property(hostile, (v) => { typed(() => layerFromWire(viaCbor(v)), small); }));

export const anyFieldsAnySpecIsLayerOrError = fuzzTarget({ decoder: WIRE_LAYER, claim: 'any fields with any spec: a runnable layer or an Error', ci: { seed: 402, numRuns: 2000 } },
  () => fc.property(fc.dictionary(key, hostile, { maxKeys: 10 }), hostile, (o, specValue) => {
    typed(() => layerFromWire(viaCbor({ ...o, spec: specValue })), small);
  }));

/** 'ok' and 'refused', as seen: the ava test checks both happened. */
export const oneFieldReplacedIsLayerOrError: FuzzTarget<Set<string>> = {
  decoder: WIRE_LAYER, claim: 'a valid layer, one field of it, its spec or pool replaced or removed', ci: { seed: 403, numRuns: 4000 },
  arm() {
    const outcomes = new Set<string>();
    const where = fc.constantFrom('layer', 'spec', 'pool');
    return {
      tally: outcomes,
      property: fc.property(layer, where, key, fc.option(hostile), (l, at, k, v) => {
        const w = layerToWire(l);
        const target = at === 'layer' ? w : at === 'spec' ? (w.spec as Record<string, unknown>) : ((w.spec as Record<string, unknown>).pool as Record<string, unknown> | undefined);
        if (target) {
          if (v === null) delete target[k];
          else Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
        }
        outcomes.add(typed(() => layerFromWire(viaCbor(w)), small));
      }),
    };
  },
};

export const acceptedLayersRun: FuzzTarget<{ refused: number }> = {
  decoder: WIRE_LAYER, claim: 'every accepted layer runs; kernels and pools that do not fit are refused', ci: { seed: 404, numRuns: 3000 },
  arm() {
    const tally = { refused: 0 };
    return {
      tally,
      property: fc.property(layer, (l) => { if (typed(() => layerFromWire(viaCbor(layerToWire(l))), assertRunnable) === 'refused') tally.refused++; }),
    };
  },
};

export const fittingLayersRoundTrip = fuzzTarget({ decoder: 'layerToWire/layerFromWire', claim: 'layers that fit round-trip through CBOR exactly', ci: { seed: 405, numRuns: 2000 } },
  () => {
    const fits = layer.filter((l) => outputShape(l.spec).every((d) => d >= 1));
    return fc.property(fits, (l) => {
      if (!isDeepStrictEqual(layerFromWire(viaCbor(layerToWire(l))), l)) throw new Error(`layer ${l.spec.name} changed on the way`);
    });
  });

export const modelFileBytesAreModelOrError = fuzzTarget({ decoder: 'decodeQuantizedModel', claim: 'arbitrary bytes as a model file: a model or an Error', ci: { seed: 406, numRuns: 2000 } },
  () => fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => { typed(() => decodeQuantizedModel(b), () => undefined); }));
