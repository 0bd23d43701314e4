// Device actions in the ledger are signed by the devices: against a live gateway with enrolled
// agents, every hop's 'layer' entry is the computing device's own claim and every 'result' the
// source's, `ledger verify` passes and says so; a claim tampered with on the way is counted and
// recorded as the gateway's witness instead.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKeys, publicKeysOf, type Message } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID } from '@layerfleet/gateway';
import { ledgerFile, readLedgerEntries, type LedgerEntry } from '@layerfleet/ledger';
import { runSource } from '@layerfleet/agent';
import { runCli, until, enrolledAgents } from '../src/index.js';

const entriesOf = (state: string): Promise<LedgerEntry[]> => readLedgerEntries(ledgerFile(state));

test('hops and results are recorded as the devices signed them; a tampered claim is counted and witnessed', async (t) => {
  t.timeout(150_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-device-claims-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 60_000 });
  let gatewayOpen = true;
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const { start, agents } = enrolledAgents({ brokerUrl: gw.url, stateDir: state, gateway });
  t.teardown(async () => { for (const a of agents) await a.close(200); if (gatewayOpen) await gw.close(); });
  await start('w1', 'worker');
  const cam = await start('cam', 'source');
  await until(() => gw.registry.online().length === 2, 'both devices online');
  const model = loadLenetInt8();
  const claimRejections = () => gw.rejections.toJSON()['ledger-claim'] ?? 0;

  const honest = await runSource(cam, { model, inferences: 4, concurrency: 2 });
  t.deepEqual(honest.map((r) => r.error), [undefined, undefined, undefined, undefined]);
  t.true(honest.every((r) => r.trace?.some((h) => h.device === 'w1') && r.trace.every((h) => h.claim instanceof Uint8Array)), 'every hop carries its claim');
  await until(() => gw.stats.completed === 4, 'the gateway to record the four results');
  t.is(claimRejections(), 0, gw.rejections.lastDetail.get('ledger-claim'));

  // A source that alters w1's claim on the way, and sends its result without its own.
  const send = cam.send.bind(cam);
  let tampered = '';
  cam.send = (to: string, m: Message) => {
    if (m.t !== 'result') return send(to, m);
    tampered = m.requestId;
    const trace = m.trace.map((h) => {
      if (h.device !== 'w1' || !h.claim) return h;
      const claim = Uint8Array.from(h.claim);
      claim[claim.length - 1]! ^= 1;
      return { ...h, claim };
    });
    const { claim: _dropped, ...rest } = m;
    send(to, { ...rest, trace });
  };
  const [r] = await runSource(cam, { model, inferences: 1 });
  t.is(r?.error, undefined);
  await until(() => claimRejections() === 2, 'the altered layer claim and the missing result claim to be counted');
  t.regex(gw.rejections.lastDetail.get('ledger-claim')!, new RegExp(`^result claim of cam for request cam/${tampered}: none was sent`));
  await until(() => gw.stats.completed === 5, 'the fifth result');

  for (const a of agents.splice(0)) await a.close(200);
  await gw.close();
  gatewayOpen = false;
  const entries = await entriesOf(state);
  // A second runSource numbers its requests from 0 again: the fifth result's entries are the ones after the fourth.
  let results = 0;
  const cut = entries.findIndex((e) => e.action === 'result' && ++results === 4) + 1;
  const of = (part: LedgerEntry[], requestId: string) => part.filter((e) => e.data.requestId === requestId && (e.action === 'layer' || e.action === 'result'))
    .map((e) => `${e.actor} ${e.action}${e.action === 'layer' ? ` ${String(e.data.device)}` : ''}${e.data.witnessed ? ' witnessed' : ''}`);
  for (const { requestId } of honest) t.deepEqual(of(entries.slice(0, cut), requestId), ['cam layer cam', 'w1 layer w1', 'cam layer cam', 'cam result'], requestId);
  t.deepEqual(of(entries.slice(cut), tampered), ['cam layer cam', 'gateway layer w1 witnessed', 'cam layer cam', 'gateway result witnessed']);
  const w1Layer = entries.find((e) => e.actor === 'w1')!;
  t.deepEqual(Object.keys(w1Layer.data).sort(), ['attempt', 'device', 'layers', 'ms', 'requestId']);

  // The auditor's view: intact, and who signed what.
  const json = await runCli(['ledger', 'verify', '--state', state, '--json'], 60_000);
  t.is(json.code, 0, json.stdout + json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; signedBy: { gateway: number; devices: number }; witnessed: number; actors: Record<string, number> };
  t.true(report.ok);
  t.deepEqual([report.signedBy.devices, report.witnessed], [4 * 4 + 2, 2]);
  t.deepEqual([report.actors.w1, report.actors.cam], [4, 4 * 3 + 2]);
  const text = await runCli(['ledger', 'verify', '--state', state], 60_000);
  t.is(text.code, 0, text.stdout + text.stderr);
  t.regex(text.stdout, new RegExp(`signed {3}by devices 18, by the gateway ${report.signedBy.gateway} \\(2 of them device actions it only witnessed\\)`));
});
