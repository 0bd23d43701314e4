// What a rotation cut short leaves on disk, and how the next start tidies it.
import test from 'ava';
import { link, mkdtemp, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDeviceKeys, keyFilePaths, loadDeviceKeys, saveDeviceKeys } from '@layerfleet/protocol';
import { settleKeyFiles } from '../src/index.js';
import { hex } from '@layerfleet/test-support';


async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'lf-settle-'));
  const live = generateDeviceKeys('d1');
  const next = generateDeviceKeys('d1');
  await saveDeviceKeys(dir, live);
  await saveDeviceKeys(dir, next, '.new');
  return { dir, live, next, staged: keyFilePaths(dir, 'd1', '.new'), paths: keyFilePaths(dir, 'd1') };
}

test('a whole staged pair is an unanswered rotation: kept and handed back', async (t) => {
  const { dir, live, next } = await setup();
  t.is(hex((await settleKeyFiles(dir, 'd1'))!.signPublic), hex(next.signPublic));
  t.is(hex((await loadDeviceKeys(dir, 'd1'))!.signPublic), hex(live.signPublic));
});

test('staging cut short (no kex file yet): the rotation was never asked for, the half pair goes', async (t) => {
  const { dir, live, staged } = await setup();
  await rename(staged.kex, `${staged.kex}.gone`);
  t.is(await settleKeyFiles(dir, 'd1'), null);
  t.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.new')), []);
  t.is(hex((await loadDeviceKeys(dir, 'd1'))!.signPublic), hex(live.signPublic));
});

test('a commit cut short after the answer (sign moved, kex not): finished, the .old pair removed', async (t) => {
  const { dir, next, staged, paths } = await setup();
  await link(paths.sign, `${paths.sign}.old`);
  await link(paths.kex, `${paths.kex}.old`);
  await rename(staged.sign, paths.sign);
  // Loaded as it is, this would pair the new signing key with the old kex key: settle first.
  t.is(await settleKeyFiles(dir, 'd1'), null);
  const keys = (await loadDeviceKeys(dir, 'd1'))!;
  t.deepEqual([hex(keys.signPublic), hex(keys.kexPublic)], [hex(next.signPublic), hex(next.kexPublic)]);
  t.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.new') || f.endsWith('.old')), []);
});
