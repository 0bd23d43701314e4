// An edge process killed mid-epoch (SIGKILL) does not stop training: its batches are skipped and
// counted while it is gone, and restarted it rejoins from the current (averaged) front.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type SplitConfig } from '../src/config.js';
import { runSplitTraining } from '../src/run.js';
import { PARTY_MAIN } from '../src/index.js';

test('an edge killed mid-epoch: training goes on, its skipped steps are reported, and it rejoins when restarted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-split-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config: SplitConfig = { ...defaultConfig(2), epochs: 1, batch: 8, samplesPerEdge: 400, evalEvery: 10, evalSamples: 20, frontSync: 2, waitMs: 1500 };
  const result = await runSplitTraining({
    config, command: [process.execPath, PARTY_MAIN], stateDir: join(dir, 'state'), central: false, timeoutMs: 150_000,
    kill: [{ edge: 'edge-2', atStep: 2, backAtStep: 6 }],
    // edge-1 a little slow (its messages leave 60 ms late): the run lasts long enough for edge-2's restart to join it
    slow: { 'edge-1': 60 },
  });
  const r = result.trainer;
  t.truthy(r, JSON.stringify(result.deaths));
  t.is(r!.steps, r!.totalSteps);
  t.deepEqual(result.deaths, []);
  t.is(result.kills.length, 2, JSON.stringify(result.kills));
  const e2 = r!.edges['edge-2']!;
  t.true(e2.stepsSkipped >= 1, JSON.stringify(r!.edges));
  t.true(e2.rejoins >= 1, JSON.stringify(r!.edges));
  t.is(r!.edges['edge-1']!.batchesUsed, r!.totalSteps);
  t.true(e2.batchesUsed > 2, 'edge-2 contributed again after its restart');
  t.log(JSON.stringify({ kills: result.kills, edges: r!.edges }));
});
