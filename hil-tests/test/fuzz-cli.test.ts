// `npm run fuzz` runs the hostile-input properties outside ava, as its own process: this keeps it
// runnable (nothing it loads may need an ava worker) and its table honest about what ran.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FUZZ_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test-support/dist/src/fuzz-cli.js');

test('the fuzz runner runs the chosen properties with N cases from a seed and prints their table', (t) => {
  const run = spawnSync(process.execPath, [FUZZ_CLI, '--runs', '40', '--seed', '7', '--only', 'cobsDecode'], { encoding: 'utf8', timeout: 120_000 });
  t.is(run.status, 0, run.stderr);
  const rows = run.stdout.split('\n').filter((l) => l.startsWith('| cobsDecode'));
  t.true(rows.length >= 1, run.stdout);
  for (const row of rows) t.regex(row, /\|\s+40 \|\s+0 \|/, row);
  t.regex(run.stdout, /seed 7: npm run fuzz -- --runs 40 --seed 7/);
});

test('the fuzz runner refuses a wrong flag, naming it', (t) => {
  const run = spawnSync(process.execPath, [FUZZ_CLI, '--runs', 'many'], { encoding: 'utf8', timeout: 60_000 });
  t.not(run.status, 0);
  t.regex(run.stderr, /--runs: expected a whole number/);
});
