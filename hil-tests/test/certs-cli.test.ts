// TLS as an operator sets it up: `layerfleet certs init` for a new install, a gateway with mqtts and
// WebSocket listeners using those certificates, and an agent that enrols over mqtts with `--ca`.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, runCli, until } from '../src/index.js';

const FILES = ['ca.crt', 'ca.key', 'gateway.crt', 'gateway.key'];

function startCli(args: string[], log: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
  return child;
}

test('certs init makes a fleet CA and the gateway certificate once; a gateway and an agent use them', async (t) => {
  t.timeout(120_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-certs-cli-'));
  const tls = join(state, 'tls');
  const init = await runCli(['certs', 'init', '--state', state, '--host', 'gw.example.test']);
  t.is(init.code, 0, init.stderr);
  t.regex(init.stderr, /made a fleet CA/);
  const ca = new X509Certificate(await readFile(join(tls, 'ca.crt')));
  t.regex(init.stdout, new RegExp(`CA SHA-256\\s+${ca.fingerprint256}$`, 'm'));
  t.regex(init.stdout, /gateway cert .*gw\.example\.test/);
  for (const key of ['ca.key', 'gateway.key']) t.is((await stat(join(tls, key))).mode & 0o777, 0o600, key);
  const made = await Promise.all(FILES.map((f) => readFile(join(tls, f), 'utf8')));

  const again = await runCli(['certs', 'init', '--state', state, '--host', 'gw.example.test', '--json']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /already in place/);
  t.like(JSON.parse(again.stdout) as object, { ca: join(tls, 'ca.crt'), caFingerprint256: ca.fingerprint256 });
  t.deepEqual(await Promise.all(FILES.map((f) => readFile(join(tls, f), 'utf8'))), made);
  t.regex((await runCli(['certs', 'nothing'])).stderr, /certs: expected init/);
  t.regex((await runCli(['gateway', '--ws-tls', '--state', state])).stderr, /--ws-tls: .*add --ws-port/);

  // The gateway serves with what certs init made, and says where its listeners and the CA are.
  const log: string[] = [];
  const gateway = startCli(['gateway', '--port', '0', '--tls-port', '0', '--ws-port', '0', '--tls-host', 'gw.example.test', '--state', state, '--access', 'enrolled'], log);
  const children = [gateway];
  t.teardown(() => { for (const c of children) c.kill('SIGKILL'); });
  const listening = JSON.parse(await new Promise<string>((r) => createInterface({ input: gateway.stdout! }).once('line', r))) as {
    urls: { mqtt: string; mqtts?: string; ws?: string }; ca?: string;
  };
  t.regex(listening.urls.mqtts ?? '', /^mqtts:\/\/127\.0\.0\.1:\d+$/);
  t.regex(listening.urls.ws ?? '', /^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
  t.is(listening.ca, join(tls, 'ca.crt'));
  t.deepEqual(await Promise.all(FILES.map((f) => readFile(join(tls, f), 'utf8'))), made, 'the gateway kept the certificates');

  const enroll = await runCli(['enroll', '--state', state, '--id', 'tls-cli', '--owner', 'ops']);
  t.is(enroll.code, 0, enroll.stderr);
  children.push(startCli(['agent', '--id', 'tls-cli', '--broker', listening.urls.mqtts!, '--ca', listening.ca!, '--state', state,
    '--enroll-token', enroll.stdout.trim(), '--macs-budget', '1e6'], log));
  await until(() => log.some((l) => /device tls-cli joined/.test(l)), 'tls-cli to join over mqtts', 60_000)
    .catch((err: Error) => { throw new Error(`${err.message}; log:\n${log.join('\n')}`); });
  t.true(log.some((l) => /device tls-cli enrolled \(owner ops\)/.test(l)));
});
