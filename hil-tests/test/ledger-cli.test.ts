// The audit ledger of a real demo run: `layerfleet ledger verify` passes on it, and fails naming
// the entry after a single byte of it is changed (the in-process tests change every byte).
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/index.js';

test('ledger verify passes on a demo run\'s ledger and names the entry after any one byte changes', async (t) => {
  t.timeout(240_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-ledger-'));
  const demo = await runCli(['demo', '--inferences', '20', '--boards', 'none', '--state', state, '--json']);
  t.is(demo.code, 0, demo.stderr.slice(-2000));
  const ok = await runCli(['ledger', 'verify', '--state', state, '--json'], 60_000);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  const report = JSON.parse(ok.stdout) as { ok: boolean; entries: number; actions: Record<string, number>; signedBy: { devices: number }; witnessed: number };
  t.true(report.ok);
  // every hop and result of the demo is in its device's own words: none had to be witnessed
  t.true(report.signedBy.devices > (report.actions.layer ?? 0), JSON.stringify(report));
  t.is(report.witnessed, 0);
  // per request: a placement, weights to each device that got layers, a layer record per hop, a result
  t.true(report.entries >= 20 * 4, `${report.entries} entries`);
  for (const action of ['enrol', 'placement', 'weights', 'layer', 'result']) t.true((report.actions[action] ?? 0) > 0, `${action} recorded: ${JSON.stringify(report.actions)}`);

  const file = join(state, 'ledger', 'ledger.bin');
  const original = await readFile(file);
  const positions = [0, 3, 4, 100, Math.floor(original.length / 3), Math.floor(original.length / 2), original.length - 5, original.length - 1];
  for (const at of positions) {
    const altered = Buffer.from(original);
    altered[at]! ^= 0x01;
    await writeFile(file, altered);
    const bad = await runCli(['ledger', 'verify', '--state', state], 60_000);
    t.is(bad.code, 1, `byte ${at}: ${bad.stdout}`);
    t.regex(bad.stdout + bad.stderr, /NOT intact — (entry \d+|byte \d+)/, `byte ${at}`);
  }
  await writeFile(file, original);
  t.is((await runCli(['ledger', 'verify', '--state', state], 60_000)).code, 0, 'restored, intact again');

  // Whole entries cut from the end leave a valid chain: the gateway's signed checkpoint catches it.
  const frameStarts: number[] = [];
  for (let at = 8; at < original.length; at += 4 + original.readUInt32BE(at) + 4) frameStarts.push(at);
  await writeFile(file, original.subarray(0, frameStarts.at(-3)));
  const cut = await runCli(['ledger', 'verify', '--state', state], 60_000);
  t.is(cut.code, 1, cut.stdout);
  t.regex(cut.stdout, /NOT intact — the ledger holds \d+ entries but was pinned at \d+ — entries were removed from its end/);
  await writeFile(file, original);
  const checkpointFile = join(state, 'ledger', 'checkpoint.json');
  const checkpoint = JSON.parse(await readFile(checkpointFile, 'utf8')) as { count: number };
  await writeFile(checkpointFile, JSON.stringify({ ...checkpoint, count: checkpoint.count - 2 }));
  const forged = await runCli(['ledger', 'verify', '--state', state], 60_000);
  t.is(forged.code, 1, forged.stdout);
  t.regex(forged.stdout, /checkpoint\.json: the signature does not verify with the gateway's key/);
});
