import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastJsonLine, runCli, watchedFleet } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const forbidRuntime = ['--import', resolve(here, 'fixtures/forbid-runtime-packages-register.js')];

const busy = {
  requestRate: 20, source: 'cam1', privacy: { maxExposedFraction: 0.5, minHidden: 0 },
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
    { id: 'stm32', macsPerSecond: 4e6, memoryBytes: 3e4, rateBitsPerSecond: 7.2e6 },
  ],
};

type Layer = { layer: number; placedOn?: string; ruledOut: Record<string, string[]>; devices: Array<{ id: string; fits: boolean; slack: { macsPerSecond: number; memoryBytes: number; linkBitsPerSecond: number | null; privacyLayers: number | null } }> };

test('plan --explain on a file instance: per layer, who each constraint rules out and every device\'s slack; still no broker loaded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-explain-'));
  const file = join(dir, 'busy.json');
  await writeFile(file, JSON.stringify(busy));
  const run = await runCli(['plan', '--instance', file, '--explain', '--json'], 60_000, forbidRuntime);
  t.regex(run.stderr, /^$/);
  const out = lastJsonLine(run);
  const layers = out.layers as Layer[];
  t.is(layers.length, 5);
  const conv2 = layers[1]!;
  t.deepEqual(conv2.ruledOut['4.b'], ['stm32'], 'stm32 cannot give conv2 4.8 MMAC/s at 20/s');
  t.deepEqual(conv2.ruledOut['4.e/4.f'], ['cam1']);
  const stm = conv2.devices.find((d) => d.id === 'stm32')!;
  t.false(stm.fits);
  t.is(stm.slack.macsPerSecond, 4e6 - 20 * 240000, 'negative: what it lacks');
  t.is(stm.slack.privacyLayers, 0, 'eq. 6: no layer before conv2 to see (P = {2..1} is empty)');
  t.is(layers[3]!.devices.find((d) => d.id === 'stm32')!.slack.privacyLayers, 1, 'before fc2 (P = {conv2, fc1}) it may see one, never both');
  t.is(layers[3]!.devices.find((d) => d.id === 'cam1')!.slack.privacyLayers, null, 'trusted: eq. 6 does not apply');
  t.deepEqual(layers[2]!.ruledOut['4.a'], ['stm32'], "fc1's 48 kB of weights do not fit 30 kB");
  t.deepEqual(layers[0]!.ruledOut['4.e/4.f'], ['nexus', 'stm32'], 'layer 1 stays on the source');
  // at half, nexus may not see both conv2 and fc1 before fc2, and stm32 cannot hold fc1: no placement
  t.is(run.code, 2);
  t.is(out.feasible, false);
  t.is(layers[1]!.placedOn, undefined);

  // without privacy it places, and the text marks where each layer went
  await writeFile(file, JSON.stringify({ ...busy, privacy: { maxExposedFraction: 1, minHidden: 0 } }));
  const text = await runCli(['plan', '--instance', file, '--explain']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /layer 2 conv2: .* placed on nexus\n {2}ruled out: 4\.b compute: stm32; 4\.e\/4\.f source at both ends: cam1/);
  t.regex(text.stdout, /the placement, per device over all its layers:\n {2}DEVICE +LAYERS/);
  t.regex(text.stdout, /segment-dp: cam1 → nexus → nexus → nexus → cam1/);
});

test('status and plan --explain --gateway read the live fleet as the dashboard account', async (t) => {
  const fleet = await watchedFleet();
  t.teardown(() => fleet.close());
  await fleet.start('w1', 'worker');
  const cam = await fleet.start('cam', 'source');
  await fleet.infer(cam, 4);
  const login = ['--gateway', fleet.gw.url, '--state', fleet.stateDir];

  const text = await runCli(['status', ...login], 60_000);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^gateway segment-dp · 2 online/);
  t.regex(text.stdout, /\nw1 +worker +online +/);
  t.regex(text.stdout, /cam\/lenet5 +cam → w1 → w1 → w1 → cam/);
  t.log(text.stdout);

  const json = lastJsonLine(await runCli(['status', ...login, '--json'], 60_000));
  const devices = json.devices as Array<{ id: string; state: string; class: string; budget: number }>;
  t.like(devices.find((d) => d.id === 'w1'), { state: 'online', class: 'worker', budget: 5e6 });
  t.like(devices.find((d) => d.id === 'cam'), { class: 'source' });
  t.deepEqual((json.routes as Array<{ placement: string[] }>)[0]!.placement, ['cam', 'w1', 'w1', 'w1', 'cam']);
  // the gateway's exposure of each device, which the live explain plans with (eq. 6 accumulates)
  t.deepEqual((devices.find((d) => d.id === 'w1') as unknown as { exposed: Record<string, number[]> }).exposed, { lenet5: [2, 3, 4] });
  t.is((json.gateway as { privacy?: string }).privacy, 'none', "the gateway's privacy level, by name");

  const plan = await runCli(['plan', '--explain', '--json', ...login, '--model', 'lenet'], 60_000);
  t.is(plan.code, 0, plan.stderr);
  const out = lastJsonLine(plan);
  t.is(out.feasible, true);
  t.deepEqual(out.assignment, ['cam', 'w1', 'w1', 'w1', 'cam']);
  const layers = out.layers as Layer[];
  t.deepEqual(layers[0]!.ruledOut['4.e/4.f'], ['w1']);
  t.true(layers[1]!.devices.find((d) => d.id === 'w1')!.slack.macsPerSecond > 0);

  const wrong = await runCli(['status', '--gateway', fleet.gw.url, '--password-file', join(fleet.stateDir, 'gateway.pub.cose')], 60_000);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /Not authorized|Bad username or password|refused/i);
});
