import test from 'ava';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastJsonLine, runCli } from '../src/run-cli.js';
import { FORBIDDEN } from './fixtures/forbid-runtime-packages.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../..');
const forbidRuntime = ['--import', resolve(here, 'fixtures/forbid-runtime-packages-register.js')];

const lenetInstance = {
  requestRate: 3,
  source: 'cam1',
  model: { name: 'lenet', layers: [
    { name: 'conv1', macs: 117600, weightBytes: 156, outputBytes: 1176 },
    { name: 'conv2', macs: 240000, weightBytes: 2416, outputBytes: 400 },
    { name: 'fc1', macs: 48000, weightBytes: 48120, outputBytes: 120 },
    { name: 'fc2', macs: 10080, weightBytes: 10164, outputBytes: 84 },
    { name: 'fc3', macs: 840, weightBytes: 850, outputBytes: 10 },
  ] },
  devices: [
    { id: 'cam1', trusted: true, macsPerSecond: 5.6e7, memoryBytes: 1e9, rateBitsPerSecond: 7.22e7 },
    { id: 'nexus', macsPerSecond: 8e7, memoryBytes: 2e9, rateBitsPerSecond: 7.22e7 },
    { id: 'stm32', macsPerSecond: 4e6, memoryBytes: 1e6, rateBitsPerSecond: 7.2e6 },
  ],
};

test('layerfleet plan prints { feasible, latencySeconds, assignment } and every strategy agrees with exact here', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-plan-'));
  const file = join(dir, 'lenet.json');
  await writeFile(file, JSON.stringify(lenetInstance));
  const exact = lastJsonLine(await runCli(['plan', '--instance', file, '--strategy', 'exact', '--json']));
  t.is(exact.feasible, true);
  t.deepEqual(exact.assignment, ['cam1', 'nexus', 'nexus', 'nexus', 'cam1']);
  t.true(typeof exact.latencySeconds === 'number' && exact.latencySeconds > 0);
  for (const strategy of ['segment-dp', 'neurosurgeon', 'static']) {
    const out = lastJsonLine(await runCli(['plan', '--instance', file, '--strategy', strategy, '--json']));
    t.is(out.feasible, true, strategy);
    t.is(out.latencySeconds, exact.latencySeconds, strategy);
  }
});

test('layerfleet plan on an infeasible instance exits 2 and says which constraint ruled out which device', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-plan-'));
  const file = join(dir, 'busy.json');
  await writeFile(file, JSON.stringify({ ...lenetInstance, requestRate: 1000 }));
  const run = await runCli(['plan', '--instance', file, '--json']);
  t.is(run.code, 2);
  const out = lastJsonLine(run);
  t.is(out.feasible, false);
  t.deepEqual(out.assignment, []);
  t.regex((out.reasons as string[]).join('\n'), /layer 2 \(conv2\): no device fits — .*nexus \(4\.b compute/);
  const bad = await runCli(['plan', '--instance', join(dir, 'missing.json')]);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /cannot read .*missing\.json/);
});

test('layerfleet plan names the binding constraint when every layer fits alone but no combination does', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-plan-'));
  const file = join(dir, 'shared.json');
  // conv2 and fc1 each fit edge-a, not both: 4.b summed over its layers
  await writeFile(file, JSON.stringify({
    requestRate: 20, source: 'cam1',
    model: { name: 'm', layers: [
      { name: 'conv1', macs: 1000, weightBytes: 100, outputBytes: 1000 }, { name: 'conv2', macs: 150000, weightBytes: 1000, outputBytes: 500 },
      { name: 'fc1', macs: 160000, weightBytes: 1000, outputBytes: 100 }, { name: 'fc2', macs: 1000, weightBytes: 100, outputBytes: 10 }] },
    devices: [
      { id: 'cam1', trusted: true, macsPerSecond: 1e9, memoryBytes: 1e9, rateBitsPerSecond: 1e8 },
      { id: 'edge-a', macsPerSecond: 5e6, memoryBytes: 1e6, rateBitsPerSecond: 1e8 }, { id: 'edge-b', macsPerSecond: 1e6, memoryBytes: 1e6, rateBitsPerSecond: 1e8 }],
  }));
  const text = await runCli(['plan', '--instance', file]);
  t.is(text.code, 2);
  t.regex(text.stdout, /segment-dp: infeasible\n {2}.*conv2 on edge-a; layer 3 \(fc1\) then fits no device — 4\.b compute: edge-a would need 6\.20e\+6 MAC\/s for conv2\+fc1 at 20 requests\/s, 5\.00e\+6 free/);
  const json = lastJsonLine(await runCli(['plan', '--instance', file, '--strategy', 'exact', '--json']));
  const rejection = json.rejection as Array<{ kind: string; layer: number; refusals: Array<{ code: string; device: string; layers: number[] }> }>;
  t.is(rejection[0]!.kind, 'together');
  t.deepEqual(rejection[0]!.refusals.filter((r) => r.device === 'edge-a').map((r) => [r.code, r.layers]), [['4.b', [2, 3]]]);
});

test('layerfleet plan --strategy rl-pdnn without --policy uses the shipped policy for the model (lenet or lenet5) and privacy level, and says which', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-plan-'));
  const cases: Array<[string, object, string]> = [['lenet', {}, 'none'], ['lenet5', {}, 'none'], ['lenet', { maxExposedFraction: 0.5, minHidden: 0 }, 'half']];
  for (const [name, privacy, level] of cases) {
    const file = join(dir, `${name}-${level}.json`);
    await writeFile(file, JSON.stringify({ ...lenetInstance, privacy, model: { ...lenetInstance.model, name } }));
    const run = await runCli(['plan', '--instance', file, '--strategy', 'rl-pdnn', '--json']);
    t.true(run.code === 0 || run.code === 2, run.stderr.slice(-500));
    const out = lastJsonLine(run);
    const shipped = join(ROOT, 'simulator', 'policies', `rl-pdnn-lenet-${level}.json`);
    t.is(out.policy, shipped, `${name}/${level}`);
    t.true(run.stderr.includes(`plan: rl-pdnn policy ${shipped} (shipped`), run.stderr);
    // a 51-slot policy on a fleet of two workers: the argmax is over slots that name a device
    t.is((out.assignment as string[]).length, 5, `${name}/${level}: a device is chosen for every layer`);
  }
  const file = join(dir, 'resnet.json');
  await writeFile(file, JSON.stringify({ ...lenetInstance, model: { ...lenetInstance.model, name: 'resnet' } }));
  const none = await runCli(['plan', '--instance', file, '--strategy', 'rl-pdnn']);
  t.not(none.code, 0);
  t.regex(none.stderr, /no shipped policy for model resnet .*pass --policy FILE/);
});

test('layerfleet sim --json reports the measures the issue names, for the paper scenario', async (t) => {
  const run = await runCli(['sim', '--scenario', 'paper', '--workload', 'cifar', '--privacy', 'two-hidden', '--requests', '300', '--devices', '51', '--seed', '3', '--json']);
  t.is(run.code, 0, run.stderr.slice(-500));
  const r = lastJsonLine(run);
  for (const k of ['accuracy', 'violations', 'rejected', 'latency_per_inference_s', 'shared_mb_per_inference', 'decision_ms_p50', 'decision_ms_p99']) t.true(k in r, k);
  t.is(r.strategy, 'segment-dp');
  t.is(r.violations, 0);
  t.is(r.requests, 300);
  t.regex(run.stderr, /sim segment-dp cifar\/two-hidden: .*100 %/); // the progress bar
  const wrong = await runCli(['sim', '--strategy', 'nope']);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /segment-dp, exact, static, neurosurgeon, rl-pdnn/);
});

test('npm run reproduce --quick writes the report and its charts', async (t) => {
  t.timeout(600_000);
  const dir = await mkdtemp(join(tmpdir(), 'lf-repro-'));
  const run = await runCli(['reproduce', '--quick', '--requests', '120', '--out', dir], 600_000);
  t.is(run.code, 0, run.stderr.slice(-1000));
  const md = await readFile(join(dir, 'reproduction.md'), 'utf8');
  for (const heading of ['## Accuracy', '## Latency per inference', '## rl-pdnn convergence', 'frame by frame', '## Decision time']) t.true(md.includes(heading), heading);
  t.regex(md, /\| lenet \| none \| 100 % \| \d+\.\d %/);
  const svgs = (await readdir(dir)).filter((f) => f.endsWith('.svg'));
  t.true(svgs.length >= 7, svgs.join(' '));
  for (const f of svgs) t.regex(await readFile(join(dir, f), 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
});

test('layerfleet train-rl writes a policy that sim and plan load, frozen or learning online', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-rl-'));
  const policy = join(dir, 'p.json');
  const train = await runCli(['train-rl', '--workload', 'lenet', '--privacy', 'none', '--episodes', '1100', '--devices', '12', '--out', policy]);
  t.is(train.code, 0, train.stderr.slice(-500));
  t.regex(train.stdout, /lenet\/none: 1100 episodes .* wrote /);
  const json = JSON.parse(await readFile(policy, 'utf8')) as { format: string; slots: number; log: { reward: number[] }; logBlock: number };
  t.is(json.format, 'layerfleet-rl-pdnn/1');
  t.is(json.slots, 12);
  t.is(json.log.reward.length, Math.ceil(1100 / json.logBlock));
  for (const extra of [[], ['--learn']]) {
    const run = await runCli(['sim', '--strategy', 'rl-pdnn', '--policy', policy, '--devices', '12', '--requests', '150', '--json', ...extra]);
    t.is(run.code, 0, run.stderr.slice(-500));
    const r = lastJsonLine(run);
    t.regex(String(r.strategy), /^rl-pdnn/);
    t.is((r.accepted as number) + (r.violations as number) + (r.rejected as number), 150);
  }
  const wrongSize = await runCli(['sim', '--strategy', 'rl-pdnn', '--policy', policy, '--devices', '51', '--requests', '20', '--json']);
  t.is(wrongSize.code, 0);
  t.true((lastJsonLine(wrongSize).accepted as number) >= 0, 'a 12-slot policy on a 51-device fleet still answers (devices past its slots are never chosen)');
});

test('plan and sim run from the planner and simulator packages without loading aedes, mqtt, ws or @peculiar/x509', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-plan-'));
  const file = join(dir, 'lenet.json');
  await writeFile(file, JSON.stringify(lenetInstance));
  const plan = await runCli(['plan', '--instance', file, '--strategy', 'exact', '--json'], 60_000, forbidRuntime);
  t.is(plan.code, 0, plan.stderr);
  t.is(lastJsonLine(plan).feasible, true);
  const sim = await runCli(['sim', '--workload', 'lenet', '--requests', '50', '--devices', '12', '--json'], 60_000, forbidRuntime);
  t.is(sim.code, 0, sim.stderr);
  // the hook itself works: the gateway command, which needs the broker, is refused under it
  const gateway = await runCli(['gateway', '--help'], 60_000, forbidRuntime);
  t.regex(gateway.stderr, /forbidden package (aedes|mqtt|ws|@peculiar\/x509)/);
  for (const pkg of ['planner', 'simulator']) {
    const manifest = JSON.parse(await readFile(join(ROOT, pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const deps = Object.keys(manifest.dependencies ?? {});
    t.deepEqual(deps.filter((d) => FORBIDDEN.includes(d)), [], `${pkg}/package.json`);
    t.true(deps.every((d) => d.startsWith('@layerfleet/')), `${pkg} depends on our packages only: ${deps.join(', ')}`);
  }
  const planner = JSON.parse(await readFile(join(ROOT, 'planner', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  t.deepEqual(Object.keys(planner.dependencies ?? {}), ['@layerfleet/models'], 'the planner depends on models at most');
});
