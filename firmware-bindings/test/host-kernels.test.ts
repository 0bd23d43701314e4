// The C kernels, built for the host, against the committed golden vectors and the TS kernels.
import test from 'ava';
import { loadLenetGolden, loadLenetInt8, mulberry32, outputShape, runLayerInt8 } from '@layerfleet/models';
import { encodeJob, encodeLayerJob, BLOB_MAGIC, layerJob, runHostJob, runHostLayer } from '../src/index.js';
import { ensureHostRunner } from '../src/firmware-build.js';

// Compiled once for this file; every test awaits the same build.
const built = ensureHostRunner();

test('C output equals every golden output and the TS kernel, layer by layer', async (t) => {
  t.timeout(180_000);
  await built;
  const golden = loadLenetGolden();
  const model = loadLenetInt8();
  t.true(golden.vectors.length >= 1);
  t.is(golden.layers.length, model.layers.length);
  let checked = 0;
  for (const v of golden.vectors) {
    let input = Int8Array.from(v.input.data);
    for (const [i, layer] of model.layers.entries()) {
      const expected = v.outputs[i]!;
      t.is(expected.layer, layer.spec.name);
      t.deepEqual(expected.shape, outputShape(layer.spec));
      const c = await runHostLayer(layer, input);
      const ts = runLayerInt8(layer, input);
      const where = `digit ${v.heldOutIndex}, layer ${layer.spec.name}`;
      t.deepEqual(Array.from(c), expected.data, `${where}: C vs golden`);
      t.deepEqual(Array.from(c), Array.from(ts), `${where}: C vs TS`);
      checked++;
      // Each layer is fed the previous golden output, as the golden file is defined.
      input = Int8Array.from(expected.data);
    }
  }
  t.is(checked, golden.vectors.length * model.layers.length);
});

test('a truncated job is refused with exit 2 naming the field', async (t) => {
  t.timeout(60_000);
  await built;
  const golden = loadLenetGolden();
  const layer = loadLenetInt8().layers[0]!;
  const job = encodeLayerJob(layer, Int8Array.from(golden.vectors[0]!.input.data));
  for (const [cut, field] of [[job.length - 10, 'input'], [70, 'bias'], [60 + 3 * (4 + 6 * 4) + 4 + 50, 'weights'], [30, 'header']] as const) {
    const r = await runHostJob(job.subarray(0, cut));
    t.is(r.signal, null);
    t.is(r.code, 2, `cut at ${cut}`);
    t.regex(r.stderr, new RegExp(`^golden-runner: ${field}: .*truncated`), `cut at ${cut}`);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.is(r.stdout.length, 0);
  }
});

test('a job whose weights length disagrees with its shape is refused naming weights', async (t) => {
  t.timeout(60_000);
  await built;
  for (const layer of loadLenetInt8().layers) {
    const input = new Int8Array(layer.spec.kind === 'conv2d' ? layer.spec.input[0] * layer.spec.input[1] * layer.spec.input[2] : layer.spec.inputs);
    const job = layerJob(layer, input);
    job.weights = job.weights.subarray(0, job.weights.length - 1);
    const r = await runHostJob(encodeJob(job));
    t.is(r.signal, null);
    t.is(r.code, 2, layer.spec.name);
    t.regex(r.stderr, /^golden-runner: weights: length \d+ inconsistent/, layer.spec.name);
    t.is(r.stdout.length, 0);
  }
});

test('C equals the TS kernel on seeded random inputs (beyond the golden digits)', async (t) => {
  t.timeout(120_000);
  await built;
  const model = loadLenetInt8();
  for (let seed = 1; seed <= 3; seed++) {
    const rng = mulberry32(1000 + seed);
    for (const layer of model.layers) {
      const n = layer.spec.kind === 'conv2d' ? layer.spec.input[0] * layer.spec.input[1] * layer.spec.input[2] : layer.spec.inputs;
      const input = new Int8Array(n);
      for (let i = 0; i < n; i++) input[i] = Math.floor(rng() * 256) - 128;
      t.deepEqual(Array.from(await runHostLayer(layer, input)), Array.from(runLayerInt8(layer, input)), `seed ${seed}, layer ${layer.spec.name}`);
    }
  }
});

test('bad magic, and random noise on stdin, exit 2 without a signal', async (t) => {
  t.timeout(120_000);
  await built;
  const bad = await runHostJob(Buffer.from('NOPE and some more bytes'));
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^golden-runner: magic: /);
  const empty = await runHostJob(new Uint8Array(0));
  t.is(empty.code, 2);
  const tooBig = await runHostJob(new Uint8Array(256 * 1024 + 1).fill(1));
  t.is(tooBig.code, 2);
  t.regex(tooBig.stderr, /^golden-runner: job: larger than/);
  for (let seed = 1; seed <= 12; seed++) {
    const rng = mulberry32(seed);
    const bytes = new Uint8Array(1 + Math.floor(rng() * 4096));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng() * 256);
    // Half the buffers get a valid magic/version so the noise reaches the field parsing.
    if (seed % 2 === 0 && bytes.length >= 8) {
      bytes.set(Buffer.from(BLOB_MAGIC, 'ascii'), 0);
      bytes[4] = 1;
      bytes[5] = 0;
      bytes[6] = 1 + (seed % 3);
    }
    const r = await runHostJob(bytes);
    t.is(r.signal, null, `seed ${seed}`);
    t.is(r.code, 2, `seed ${seed}: ${r.stderr}`);
    t.is(r.stderr.trim().split('\n').length, 1, `seed ${seed}`);
  }
});
