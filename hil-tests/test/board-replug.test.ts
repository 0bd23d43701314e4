// A board unplugged and plugged back in: its device leaves the fleet at once and rejoins, with
// its layers provisioned again, when the port is back — the host board's --link keeps the path.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, GATEWAY_ID } from '@layerfleet/gateway';
import { loadOrCreateDeviceKeys, publicKeysOf } from '@layerfleet/protocol';
import { startEmulatedBoard, type EmulatedBoard } from '@layerfleet/firmware-bindings';
import { startBoardDevices, stopBoardDevices } from '@layerfleet/agent';
import { until } from '../src/index.js';

test('a board whose port vanishes leaves the fleet, and rejoins when it is plugged back in', async (t) => {
  t.timeout(120_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-replug-'));
  const link = join(state, 'board0');
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open' });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const lines: string[] = [];
  let emu: EmulatedBoard | undefined;
  let devices: Awaited<ReturnType<typeof startBoardDevices>> = [];
  try { // from here on, whatever fails to start still has the rest stopped
    emu = await startEmulatedBoard('host', { id: 'replug', link });
    devices = await startBoardDevices([link], { id: 'pi-9', brokerUrl: gw.url, stateDir: state, gateway, heartbeatMs: 500, log: (l) => lines.push(l) }, { reattachMs: 200 });
    const id = 'pi-9.replug';
    await until(() => gw.registry.get(id)?.online === true, `${id} online`, 30_000);
    const firstBoot = gw.registry.get(id)!.bootId;
    t.is(devices[0]!.attachments, 1);

    emu.process.kill('SIGKILL'); // the cable pulled
    await until(() => gw.registry.get(id)?.online === false, `${id} offline`, 30_000);
    t.true(lines.some((l) => /board on .* is gone/.test(l)), lines.join('\n'));

    emu = await startEmulatedBoard('host', { id: 'replug', link }); // plugged back in
    await until(() => gw.registry.get(id)?.online === true, `${id} back online`, 30_000);
    t.is(devices[0]!.attachments, 2);
    t.not(gw.registry.get(id)!.bootId, firstBoot, 'a new agent session for the re-attached board');
    t.is(devices[0]!.board!.info.id, 'replug');
  } finally {
    await stopBoardDevices(devices);
    await emu?.stop();
    await gw.close();
  }
});
