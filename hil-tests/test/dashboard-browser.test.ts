import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { testNeeding } from '@layerfleet/test-support/ava';
import { whereIs } from '@layerfleet/test-support';
import { issueEnrolmentToken } from '@layerfleet/gateway';
import { BIN, until, watchedFleet } from '../src/index.js';

const test = testNeeding(['chromium']);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the screenshot goes (gitignored); CI keeps the folder as the run's artefacts. */
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const WAIT_MS = 45_000;

test('the dashboard shows devices, a placement and charts in Chromium, and an agent that dies goes offline', async (t) => {
  // the page as the source says now (quiet and quick when already built)
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-dashboard.mjs')], { encoding: 'utf8', timeout: 120_000 });
  t.is(build.status, 0, build.stderr);

  const fleet = await watchedFleet();
  t.teardown(() => fleet.close());
  await fleet.start('w1', 'worker');
  // w2 is an agent process of its own, so that it can be killed as a real one dies (SIGKILL: no goodbye, no reconnect)
  const doomed = spawn(process.execPath, [BIN, 'agent', '--id', 'w2', '--broker', fleet.gw.url, '--state', fleet.stateDir, '--macs-budget', '5e6',
    '--enroll-token', issueEnrolmentToken(fleet.stateDir, { id: 'w2', owner: 'ops', trusted: false })], { stdio: ['ignore', 'ignore', 'pipe'] });
  let doomedLog = '';
  doomed.stderr.on('data', (d) => { doomedLog = (doomedLog + d).slice(-4000); });
  const doomedExit = new Promise<void>((resolve) => doomed.once('exit', () => resolve()));
  t.teardown(async () => { doomed.kill('SIGKILL'); await doomedExit; });
  await until(() => fleet.gw.registry.get('w2')?.online === true, 'w2 to join', 60_000, () => doomedLog);
  const cam = await fleet.start('cam', 'source');
  await fleet.infer(cam, 12);

  // Debian's chromium (a wrapper script around the real binary), driven over CDP by playwright-core; root needs --no-sandbox
  const browser: Browser = await chromium.launch({ executablePath: whereIs('chromium')!, headless: true, args: ['--no-sandbox', '--disable-gpu'], timeout: WAIT_MS });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.setDefaultTimeout(WAIT_MS);

  await page.goto(fleet.httpUrl);
  await page.waitForSelector('[data-testid="link"]:text-matches("^connected")');
  for (const id of ['w1', 'w2', 'cam']) await page.waitForSelector(`tr[data-device="${id}"][data-state="online"]`);
  // the retained fleet topic brings the route at once; more inferences keep it fresh
  await fleet.infer(cam, 8);
  const stream = page.locator('[data-stream="cam/lenet5"]');
  await stream.waitFor();
  const layers = await stream.locator('[data-layer]').count();
  t.is(layers, 5, 'LeNet-5 layer by layer');
  const first = await stream.locator('[data-layer="1"]').getAttribute('data-on');
  t.is(first, 'cam', 'layer 1 on the source');
  await page.waitForSelector('#rate-chart canvas');
  await page.waitForSelector('#latency-chart canvas');
  await page.waitForSelector('[data-testid="ledger"]:text-matches("ledger \\\\d+ entries")');
  t.regex((await page.locator('tr[data-device="w1"]').innerText()), /MAC\/s/);

  // an agent dies without a goodbye: its last will reaches the page
  doomed.kill('SIGKILL');
  await page.waitForSelector('tr[data-device="w2"][data-state="offline"]');
  t.is(await page.locator('tr[data-device="w1"]').getAttribute('data-state'), 'online');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.log(`screenshot: ${shot}`);
  t.deepEqual(problems, [], 'no script errors in the page');
});
