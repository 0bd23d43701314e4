// The trust commands as an operator runs them: a gateway admitting enrolled devices only, a token
// from `layerfleet enroll`, an agent enrolling with it, `devices list`, and `devices revoke`.
import test from 'ava';
import { until as waitUntil } from '@layerfleet/test-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { topics } from '@layerfleet/protocol';
import { BIN, runCli } from '../src/index.js';

function startCli(args: string[], log: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
  return child;
}

test('enroll → agent --enroll-token → devices list → devices revoke drops it', async (t) => {
  t.timeout(120_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-trust-cli-'));
  const log: string[] = [];
  const gateway = startCli(['gateway', '--port', '0', '--state', state, '--access', 'enrolled'], log);
  const children = [gateway];
  t.teardown(() => { for (const c of children) c.kill('SIGKILL'); });
  const listening = JSON.parse(await new Promise<string>((r) => createInterface({ input: gateway.stdout! }).once('line', r))) as { url: string; access: string };
  t.is(listening.access, 'enrolled');

  const enroll = await runCli(['enroll', '--state', state, '--id', 'w9', '--owner', 'ops']);
  t.is(enroll.code, 0, enroll.stderr);
  const token = enroll.stdout.trim();
  t.regex(token, /^lfe1\.w9\.[A-Za-z0-9_-]{32}$/);

  const dashboard = await mqtt.connectAsync(listening.url, { clientId: 'dash', username: 'dashboard', password: (await readFile(join(state, 'dashboard.secret'), 'utf8')).trim(), reconnectPeriod: 0 });
  const states: string[] = [];
  dashboard.on('message', (_topic, payload) => states.push((JSON.parse(payload.toString()) as { state: string }).state));
  await dashboard.subscribeAsync(topics.deviceStatus('w9'));
  children.push(startCli(['agent', '--id', 'w9', '--broker', listening.url, '--state', state, '--enroll-token', token, '--macs-budget', '1e6'], log));
  const until = (check: () => boolean, what: string) => waitUntil(check, what, 30_000, () => log.join('\n'));
  await until(() => states.includes('online'), 'w9 online');
  t.true(log.some((l) => /device w9 enrolled \(owner ops\)/.test(l)));

  const list = await runCli(['devices', 'list', '--state', state]);
  t.regex(list.stdout, /^w9\s+owner ops\s+untrusted enrolled \S+$/m);
  const revoke = await runCli(['devices', 'revoke', 'w9', '--state', state, '--why', 'lost in the field']);
  t.is(revoke.code, 0, revoke.stderr);
  await until(() => log.some((l) => /device w9 revoked: lost in the field/.test(l)), 'the gateway to drop w9');
  t.regex((await runCli(['devices', 'list', '--state', state])).stdout, /w9 .* REVOKED .*\(lost in the field\)/);
  t.regex((await runCli(['devices', 'revoke', 'w9', '--state', state])).stderr, /w9 was already revoked/);
  t.regex((await runCli(['devices', 'revoke', 'nobody', '--state', state])).stderr, /nobody is not enrolled here/);
  await dashboard.endAsync();
});
