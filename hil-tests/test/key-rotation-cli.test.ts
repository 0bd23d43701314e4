// Key rotation as an operator runs it: SIGHUP to a running agent, `layerfleet keys rotate` for a
// stopped one (against a gateway restarted since, which has not heard from it), `devices list`
// showing the rotation, `ledger verify` passing, and the agent starting again on its new keys.
import test from 'ava';
import { until as waitUntil } from '@layerfleet/test-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { keyFingerprint } from '@layerfleet/protocol';
import { BIN, runCli } from '../src/index.js';

function startCli(args: string[], log: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode !== null) r(); else c.once('exit', () => r()); });

test('SIGHUP rotates a running agent; keys rotate rotates a stopped one; both show and verify', async (t) => {
  t.timeout(150_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-rotate-cli-'));
  const log: string[] = [];
  const children: ChildProcess[] = [];
  t.teardown(() => { for (const c of children) c.kill('SIGKILL'); });
  const until = (check: () => boolean, what: string) => waitUntil(check, what, 30_000, () => log.join('\n'));
  const startGateway = async () => {
    const gateway = startCli(['gateway', '--port', '0', '--state', state, '--access', 'enrolled'], log);
    children.push(gateway);
    return { gateway, url: (JSON.parse(await new Promise<string>((r) => createInterface({ input: gateway.stdout! }).once('line', r))) as { url: string }).url };
  };
  const signKey = async () => ((JSON.parse(await readFile(join(state, 'devices.json'), 'utf8')) as { devices: Array<{ id: string; signPublic: string }> }).devices.find((d) => d.id === 'w9')!.signPublic);
  const fingerprint = async () => keyFingerprint(Buffer.from(await signKey(), 'hex'));

  let { gateway, url } = await startGateway();
  const token = (await runCli(['enroll', '--state', state, '--id', 'w9', '--owner', 'ops'])).stdout.trim();
  const agent = startCli(['agent', '--id', 'w9', '--broker', url, '--state', state, '--enroll-token', token, '--macs-budget', '1e6'], log);
  children.push(agent);
  await until(() => log.some((l) => /device w9 joined/.test(l)), 'w9 to join');
  const enrolled = await fingerprint();

  // A running agent: SIGHUP.
  agent.kill('SIGHUP');
  await until(() => log.some((l) => /\[w9\] keys rotated: /.test(l)), 'the agent to report its rotation');
  const afterHup = await fingerprint();
  t.not(afterHup, enrolled);
  t.true(log.some((l) => l.includes(`[w9] keys rotated: ${enrolled} → ${afterHup}`)), log.join('\n'));
  t.true(log.some((l) => l.includes(`device w9 rotated its keys: ${enrolled} → ${afterHup}`)));
  await until(() => log.some((l) => /device w9 refreshed/.test(l)), 'w9 to say hello again with its new keys');

  // A stopped agent, and a gateway that has not heard from it since it restarted.
  agent.kill('SIGTERM');
  gateway.kill('SIGTERM');
  await Promise.all([exited(agent), exited(gateway)]);
  ({ gateway, url } = await startGateway());
  const rotate = await runCli(['keys', 'rotate', '--id', 'w9', '--state', state, '--broker', url]);
  t.is(rotate.code, 0, rotate.stderr);
  const afterCli = await fingerprint();
  t.is(rotate.stdout.trim(), afterCli);
  t.not(afterCli, afterHup);
  t.regex(rotate.stderr, new RegExp(`w9 rotated ${afterHup} → ${afterCli}`));

  t.regex((await runCli(['devices', 'list', '--state', state])).stdout, new RegExp(`^w9\\s+owner ops\\s+untrusted enrolled \\S+  rotated \\S+ \\(key ${afterCli}, 2 retired\\)$`, 'm'));
  const verify = await runCli(['ledger', 'verify', '--state', state, '--json']);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  t.is((JSON.parse(verify.stdout) as { actions: { rotate?: number } }).actions.rotate, 2);

  // The agent comes back on the keys `keys rotate` left it.
  children.push(startCli(['agent', '--id', 'w9', '--broker', url, '--state', state, '--macs-budget', '1e6'], log));
  const joins = log.filter((l) => /device w9 joined/.test(l)).length;
  await until(() => log.filter((l) => /device w9 joined/.test(l)).length > joins, 'w9 to join on its new keys');

  // Errors name what is at fault.
  const nobody = await runCli(['keys', 'rotate', '--id', 'nobody', '--state', state, '--broker', url]);
  t.is(nobody.code, 1);
  t.regex(nobody.stderr, /nobody\.sign\.cose: no keys for nobody in /);
  t.regex((await runCli(['keys', 'rotate', '--state', state])).stderr, /keys rotate: --id is required/);
});
