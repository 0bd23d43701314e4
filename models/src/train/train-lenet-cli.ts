// `npm run train:lenet`: trains LeNet-5 on the 8000 training digits, checks float and int8
// accuracy on the 2000 held-out ones, and writes the weights and golden vectors that are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { accuracyFloat, accuracyInt8 } from '../evaluate.js';
import { goldenToJson, makeGolden, type GoldenSample } from '../golden.js';
import { loadMnistSplit } from '../mnist.js';
import { quantizeModel } from '../quantize.js';
import { encodeFloatModel, encodeQuantizedModel } from '../serialize.js';
import { goldenPath, LENET_FLOAT_FILE, LENET_GOLDEN_FILE, LENET_INT8_FILE, weightsPath } from '../weights.js';
import { lenet5 } from '../zoo.js';
import { LENET_CALIBRATION_IMAGES, LENET_MIN_INT8_ACCURACY, LENET_RECIPE, LENET_SPLIT_SEED } from './lenet-recipe.js';
import { trainModel, type TrainProgress } from './train.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function progressPrinter(): (p: TrainProgress) => void {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (p) => {
    const line = `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  elapsed ${secs(p.elapsedMs)}`;
    const endOfEpoch = p.batch === p.batches;
    if (tty) {
      process.stderr.write(`\r${line}${endOfEpoch ? '\n' : ''}`);
    } else if (endOfEpoch || p.elapsedMs - lastLine >= 5000) {
      // Logs (CI, pipes) get a line every few seconds instead of a carriage-return ticker.
      lastLine = p.elapsedMs;
      log(line);
    }
  };
}

function write(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  log(`wrote ${path} (${typeof data === 'string' ? Buffer.byteLength(data) : data.length} bytes)`);
}

function main(): void {
  const start = Date.now();
  const { train, heldOut } = loadMnistSplit(LENET_SPLIT_SEED);
  log(`lenet5: ${train.length} training / ${heldOut.length} held-out digits; ${JSON.stringify(LENET_RECIPE)}`);
  const model = trainModel(lenet5, train, LENET_RECIPE, progressPrinter());
  const trainMs = Date.now() - start;

  const floatAcc = accuracyFloat(model, heldOut);
  const quantized = quantizeModel(model, train.slice(0, LENET_CALIBRATION_IMAGES).map((s) => s.image));
  const int8Acc = accuracyInt8(quantized, heldOut);
  const pct = (a: number) => `${(a * 100).toFixed(2)} %`;
  log(`held-out accuracy: float ${pct(floatAcc)}, int8 ${pct(int8Acc)} (${heldOut.length} digits)`);
  if (int8Acc < LENET_MIN_INT8_ACCURACY) {
    log(`int8 accuracy ${pct(int8Acc)} is below the ${pct(LENET_MIN_INT8_ACCURACY)} acceptance bar; nothing written`);
    process.exitCode = 1;
    return;
  }

  const int8Bytes = encodeQuantizedModel(quantized);
  write(weightsPath(LENET_FLOAT_FILE), encodeFloatModel(model));
  write(weightsPath(LENET_INT8_FILE), int8Bytes);
  // Golden vectors: the first held-out digit of each class.
  const golden: GoldenSample[] = [];
  for (let label = 0; label < 10; label++) {
    const i = heldOut.findIndex((s) => s.label === label);
    golden.push({ heldOutIndex: i, image: heldOut[i]!.image, label });
  }
  write(goldenPath(LENET_GOLDEN_FILE), goldenToJson(makeGolden(quantized, golden, { file: LENET_INT8_FILE, bytes: int8Bytes }, LENET_SPLIT_SEED)));
  const summary = {
    model: 'lenet5', recipe: LENET_RECIPE, trainSeconds: +(trainMs / 1000).toFixed(1), totalSeconds: +((Date.now() - start) / 1000).toFixed(1),
    heldOut: heldOut.length, floatAccuracy: floatAcc, int8Accuracy: int8Acc, node: process.version,
  };
  write(weightsPath('lenet5.train.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`done in ${secs(Date.now() - start)}`);
}

main();
