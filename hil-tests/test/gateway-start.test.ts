// A gateway that cannot start (its port taken) says which listener failed and leaves its state
// directory usable: the ledger's writer lock is let go, so the next start succeeds.
import test from 'ava';
import net from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '@layerfleet/gateway';

test('a failed start names the port and lets go of the ledger; two gateways never share one state directory', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-start-'));
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
  const taken = (squatter.address() as net.AddressInfo).port;
  t.teardown(() => squatter.close());
  await t.throwsAsync(startGateway({ port: taken, stateDir: state }), { message: new RegExp(`MQTT listener on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`) });
  const gw = await startGateway({ port: 0, stateDir: state });
  await t.throwsAsync(startGateway({ port: 0, stateDir: state }), { message: /ledger .* is being written by process \d+/ });
  await gw.close();
  const again = await startGateway({ port: 0, stateDir: state });
  await again.close();
});
