// Key rotation against a running gateway that admits enrolled devices only: a worker rotates while
// it serves, keeps serving with its new keys, and its old key is worth nothing afterwards.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SecureEndpoint, generateDeviceKeys, keyFingerprint, loadDeviceKeys, loadOrCreateDeviceKeys, mqttCredentials, publicKeysOf, rotateMessage, topics,
  type DeviceKeys, type Message,
} from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import {
  startGateway, GATEWAY_ID, DeviceStore, type EnrolledDevice,
} from '@layerfleet/gateway';
import { Ledger, signClaim, signerFromKeys, verifyLedger } from '@layerfleet/ledger';
import { runSource, type Agent } from '@layerfleet/agent';
import { until, enrolledAgents } from '../src/index.js';
import { connectOutcome, hex } from '@layerfleet/test-support';

const refused = connectOutcome;

test('a worker rotates while serving; its old key opens nothing afterwards', async (t) => {
  t.timeout(180_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-rotate-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 60_000, attemptTimeoutMs: 3000 });
  let gatewayOpen = true;
  const gatewayKeys = await loadOrCreateDeviceKeys(state, GATEWAY_ID);
  const gateway = publicKeysOf(gatewayKeys);
  const { start, agents } = enrolledAgents({ brokerUrl: gw.url, stateDir: state, gateway });
  t.teardown(async () => { for (const a of agents) await a.close(200); if (gatewayOpen) await gw.close(); });
  const w1 = await start('w1', 'worker');
  const cam = await start('cam', 'source');
  await until(() => gw.registry.online().length === 2, 'both devices online');
  const model = loadLenetInt8();
  const devices = async () => (JSON.parse(await readFile(join(state, 'devices.json'), 'utf8')) as { devices: EnrolledDevice[] }).devices;
  const count = (reason: string) => gw.rejections.toJSON()[reason] ?? 0;
  const throughW1 = (rs: Awaited<ReturnType<typeof runSource>>) => rs.filter((r) => r.predicted !== undefined && r.trace?.some((h) => h.device === 'w1')).length;

  // Serving before; rotating in the middle of a batch of requests.
  const oldKeys: DeviceKeys = w1.endpoint.keys;
  let rotation: ReturnType<Agent['rotateKeys']> | undefined;
  const during = await runSource(cam, { model, inferences: 12, concurrency: 2, onResult: (_r, done) => { if (done === 3) rotation = w1.rotateKeys(); } });
  const outcome = await rotation!;
  t.is(throughW1(during), 12, JSON.stringify(during.filter((r) => r.error)));
  t.is(outcome.previous, keyFingerprint(oldKeys.signPublic));
  t.is(outcome.fingerprint, keyFingerprint(w1.endpoint.keys.signPublic));
  t.not(hex(w1.endpoint.keys.signPublic), hex(oldKeys.signPublic));
  const newKeys = w1.endpoint.keys;

  // The new keys are on disk (the .new/.old files gone), in devices.json with the old ones as history, and in the registry.
  t.is(hex((await loadDeviceKeys(state, 'w1'))!.signPublic), hex(newKeys.signPublic));
  t.is(await loadDeviceKeys(state, 'w1', undefined, '.new'), null);
  t.is(await loadDeviceKeys(state, 'w1', undefined, '.old'), null);
  const record = (await devices()).find((d) => d.id === 'w1')!;
  t.deepEqual([record.signPublic, record.kexPublic], [hex(newKeys.signPublic), hex(newKeys.kexPublic)]);
  t.deepEqual(record.previousKeys?.map((k) => [k.signPublic, k.kexPublic]), [[hex(oldKeys.signPublic), hex(oldKeys.kexPublic)]]);
  t.true(typeof record.rotatedAt === 'number' && record.rotatedAt >= record.enrolledAt);
  await until(() => gw.registry.get('w1')?.online === true && hex(gw.registry.get('w1')!.keys.signPublic) === hex(newKeys.signPublic), 'w1 back with its new keys');

  // Still serving, through w1, which signs its ledger claims with its new keys: none is refused.
  const claimRefusals = count('ledger-claim');
  const completed = gw.stats.completed;
  const after = await runSource(cam, { model, inferences: 4, concurrency: 2 });
  t.is(throughW1(after), 4, JSON.stringify(after.filter((r) => r.error)));
  await until(() => gw.stats.completed >= completed + 4, 'the gateway to record the four results');
  t.is(count('ledger-claim'), claimRefusals, gw.rejections.lastDetail.get('ledger-claim'));

  // The old key: refused by the broker, and an envelope signed with it is refused and counted.
  t.regex(await refused(gw.url, { clientId: 'w1', ...mqttCredentials(oldKeys) }), /Bad username or password/);
  const thief = new SecureEndpoint(oldKeys);
  thief.addPeer(gateway);
  const staleBefore = count('stale-key');
  w1.client.publish(topics.gatewayInbox, Buffer.from(thief.seal('gateway', topics.gatewayInbox, { t: 'heartbeat', bootId: 'x', queue: 0 })));
  await until(() => count('stale-key') > staleBefore, 'the old-key envelope to be refused as stale-key');

  // A rotate with a bad proof: refused, counted, nothing changes.
  const rotationBefore = count('rotation');
  const bogus = rotateMessage(newKeys.signPublic, generateDeviceKeys('w1'));
  w1.send('gateway', { ...bogus, proof: new Uint8Array(64).fill(1) } satisfies Message);
  // Someone else's public key, with a proof the device could not make.
  w1.send('gateway', { ...rotateMessage(newKeys.signPublic, generateDeviceKeys('w1')), sign: generateDeviceKeys('w1').signPublic });
  await until(() => count('rotation') >= rotationBefore + 2, 'the bad rotations to be refused');
  t.regex(gw.rejections.lastDetail.get('rotation') ?? '', /rotate from w1: rotate\.proof does not verify/);
  t.deepEqual((await devices()).find((d) => d.id === 'w1'), record);
  t.is(hex(gw.registry.get('w1')!.keys.signPublic), hex(newKeys.signPublic));
  t.is((await runSource(cam, { model, inferences: 1 }))[0]?.error, undefined, 'still serving after the refused rotations');

  // The ledger: one rotate entry; later claims by w1 check against its new key, not its old one.
  const lookup = (id: string) => (id === GATEWAY_ID ? gatewayKeys.signPublic : undefined);
  let report = await verifyLedger(state, lookup);
  for (const end = Date.now() + 5000; report.actions.rotate !== 1 && Date.now() < end;) report = await verifyLedger(state, lookup);
  t.true(report.ok, JSON.stringify(report.problems));
  t.is(report.actions.rotate, 1);
  t.is(report.actions.enrol, 2);

  // A revoked device cannot rotate: its rotation gets no answer and changes nothing.
  const cam0 = (await devices()).find((d) => d.id === 'cam')!;
  t.true(new DeviceStore(state).revoke('cam', 'lost'));
  await t.throwsAsync(cam.rotateKeys(1500), { message: /key rotation of cam: no answer from the gateway within 1500 ms; still using the old keys/ });
  const camNow = (await devices()).find((d) => d.id === 'cam')!;
  t.deepEqual([camNow.signPublic, camNow.rotatedAt, camNow.revokedWhy], [cam0.signPublic, undefined, 'lost']);
  const camStaged = (await loadDeviceKeys(state, 'cam', undefined, '.new'))!;
  t.regex(await refused(gw.url, { clientId: 'cam', ...mqttCredentials(camStaged) }), /Bad username or password/);

  for (const a of agents.splice(0)) await a.close(200);
  await gw.close();
  gatewayOpen = false;
  // w1 signed its own 'layer' entries while it served; the one appended below is counted on top.
  const signedByW1 = (await verifyLedger(state, lookup)).actors.w1 ?? 0;
  t.true(signedByW1 > 0, 'w1 signed its layer entries');
  const ledger = await Ledger.open(state, { keeper: signerFromKeys(gatewayKeys) });
  try {
    await ledger.appendSigned(signClaim({ action: 'layer', data: { requestId: 'after-rotation' } }, signerFromKeys(newKeys)));
    await t.throwsAsync(ledger.appendSigned(signClaim({ action: 'layer', data: { requestId: 'old-key' } }, signerFromKeys(oldKeys))), { message: /signature by w1 does not verify/ });
  } finally {
    await ledger.close();
  }
  const final = await verifyLedger(state, lookup);
  t.true(final.ok, JSON.stringify(final.problems));
  t.is(final.actors.w1, signedByW1 + 1);
});
