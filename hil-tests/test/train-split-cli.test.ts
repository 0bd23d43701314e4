// `layerfleet train-split` as a user runs it: a tiny run (2 edges, 16 digits each, centralized
// comparison included) ends with the JSON object the issue names, writes the convergence SVG and
// the trained network, and leaves a ledger `layerfleet ledger verify` accepts.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastJsonLine, runCli } from '../src/run-cli.js';

test('train-split --json: one object with the issue\'s fields; --svg and --out written; the ledger verifies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-train-split-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  const run = await runCli(['train-split', '--edges', '2', '--epochs', '1', '--samples-per-edge', '16', '--batch', '8', '--eval-every', '2', '--eval-samples', '20',
    '--state', state, '--svg', join(dir, 'conv.svg'), '--out', join(dir, 'model'), '--json'], 170_000);
  t.is(run.code, 0, run.stderr.slice(-2000));
  const j = lastJsonLine(run);
  for (const key of ['edges', 'epochs', 'accuracy', 'central_accuracy', 'bytes_up_per_step', 'bytes_down_per_step', 'values_up_per_sample', 'wall_s', 'ledger_entries']) t.true(key in j, `${key} in ${JSON.stringify(j)}`);
  t.is(j.edges, 2);
  t.is(j.values_up_per_sample, 1176);
  // 8 samples per step of 1176 float32 each way, plus envelopes and claims
  t.true((j.bytes_up_per_step as number) > 8 * 1176 * 4 && (j.bytes_down_per_step as number) > 8 * 1176 * 4);
  t.is(j.ledger_entries, 2 * 4);
  const acc = j.accuracy as { float: number; int8: number };
  const central = j.central_accuracy as { float: number; int8: number };
  for (const a of [acc.float, acc.int8, central.float, central.int8]) t.true(a >= 0 && a <= 1);
  t.regex(readFileSync(join(dir, 'conv.svg'), 'utf8'), /^<svg [^>]*>[\s\S]*split, 2 edges[\s\S]*centralized/);
  t.true(existsSync(join(dir, 'model', 'lenet5.int8.cbor')) && existsSync(join(dir, 'model', 'lenet5.f32.cbor')));
  const verify = await runCli(['ledger', 'verify', '--state', state], 60_000);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
});
