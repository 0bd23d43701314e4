// Boards behind a board host enrol by the host's vouch, within the number of places the operator
// gave the host; the vouch is checked for host, board id, time and key like any credential.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKeys, publicKeysOf, vouchFor } from '@layerfleet/protocol';
import { startGateway, issueEnrolmentToken, DeviceStore, GATEWAY_ID } from '@layerfleet/gateway';
import { Agent } from '@layerfleet/agent';
import { until } from '../src/index.js';

test('a host enrolled with --boards N vouches for up to N boards under its id, and no further', async (t) => {
  t.timeout(90_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-vouch-'));
  const refusals: string[] = [];
  const gw = await startGateway({ port: 0, stateDir: state, heartbeatSilenceMs: 60_000, log: (line) => { if (line.startsWith('rejected (auth)')) refusals.push(line); } });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agents: Agent[] = [];
  t.teardown(async () => { for (const a of agents) await a.close(200); await gw.close(); });
  const start = async (id: string, enrolToken: string | (() => string)) => {
    const a = await Agent.start({ id, brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, macsBudget: 1e6, memoryBytes: 5e8, enrolToken });
    agents.push(a);
    return a;
  };
  const host = await start('pi-9', issueEnrolmentToken(state, { id: 'pi-9', owner: 'carol', trusted: true, boards: 1 }));
  const plain = await start('w1', issueEnrolmentToken(state, { id: 'w1', owner: 'dave', trusted: false }));
  // Why the broker refused the latest enrolment (the reason stays at the gateway: CONNACK only says 4).
  const authDetail = () => refusals.filter((l) => l.includes('refused: ') && /vouch/.test(l)).at(-1) ?? '';

  // The first board: enrolled by the vouch, with its host's owner and trust flag.
  const board = await start('pi-9.b1', () => vouchFor(host.endpoint.keys, 'pi-9.b1'));
  await until(() => gw.registry.get('pi-9.b1')?.online === true, 'the board online');
  const devices = JSON.parse(await readFile(join(state, 'devices.json'), 'utf8')) as { devices: Array<{ id: string; owner: string; trusted: boolean; vouchedBy?: string; maxBoards?: number }> };
  const b1 = devices.devices.find((d) => d.id === 'pi-9.b1')!;
  t.like(b1, { owner: 'carol', trusted: true, vouchedBy: 'pi-9' });
  t.is(devices.devices.find((d) => d.id === 'pi-9')!.maxBoards, 1);
  t.true(gw.registry.get('pi-9.b1')!.trusted);
  t.deepEqual(Buffer.from(gw.registry.get('pi-9.b1')!.keys.signPublic), Buffer.from(board.endpoint.keys.signPublic), 'the board proved its own keys');

  // Plugged in again (a restart): it notes it enrolled, so it just connects — nothing refused on the way.
  const refusedBefore = gw.rejections.byReason.get('auth') ?? 0;
  await board.close(100);
  agents.splice(agents.indexOf(board), 1);
  await until(() => gw.registry.get('pi-9.b1')?.online === false, 'the board gone');
  const boardAgain = await start('pi-9.b1', () => vouchFor(host.endpoint.keys, 'pi-9.b1'));
  await until(() => gw.registry.get('pi-9.b1')?.online === true, 'the board back');
  t.is(gw.rejections.byReason.get('auth') ?? 0, refusedBefore);

  // A second board is one more than the host's places.
  await t.throwsAsync(start('pi-9.b2', () => vouchFor(host.endpoint.keys, 'pi-9.b2')), { message: /Bad username or password/ });
  t.regex(authDetail(), /host pi-9 may vouch for 1 board and has 1 enrolled/);
  // A device enrolled without --boards vouches for nothing.
  await t.throwsAsync(start('w1.x', () => vouchFor(plain.endpoint.keys, 'w1.x')), { message: /Bad username or password/ });
  t.regex(authDetail(), /host w1 may vouch for 0 boards/);
  // Revoking the board frees its place; revoking the host ends its vouching.
  new DeviceStore(state).revoke('pi-9.b1', 'moved to another host');
  await until(() => gw.registry.get('pi-9.b1')?.online === false, 'the revoked board dropped');
  // A revoked device's agent keeps trying (every 15–30 s) and each try is a logged refusal: stop
  // it, so the gateway's log (10 refusals of a kind per 10 s) has room for the ones checked here.
  await boardAgain.close(100);
  // Even with a place free, a vouch made long ago (a captured one) is refused.
  await t.throwsAsync(start('pi-9.b3', () => vouchFor(host.endpoint.keys, 'pi-9.b3', Date.now() - 10 * 60_000)), { message: /Bad username or password/ });
  t.regex(authDetail(), /vouch made \d+ s from the gateway's clock/);
  await start('pi-9.b2', () => vouchFor(host.endpoint.keys, 'pi-9.b2'));
  await until(() => gw.registry.get('pi-9.b2')?.online === true, 'the second board, in the freed place');
  new DeviceStore(state).revoke('pi-9', 'stolen');
  await until(() => gw.registry.get('pi-9')?.online === false, 'the revoked host dropped');
  await host.close(100);
  await t.throwsAsync(start('pi-9.b4', () => vouchFor(host.endpoint.keys, 'pi-9.b4')), { message: /Bad username or password/ });
  t.regex(authDetail(), /vouch from pi-9, which is not enrolled or was revoked/);
});
