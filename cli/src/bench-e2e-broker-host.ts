/**
 * The gateway's Aedes broker on its own, for `bench e2e`: `open` (any client, the ACL's device
 * rules keyed by client id, no route table — what the bare pipeline runs over), or `hooked`, with
 * the hooks the gateway installs: only devices enrolled in STATE_DIR authenticate (credentials
 * from their signing keys, checked on every CONNECT), and a device may publish to another's
 * inbox only along a route of the route table (here one per FROM→TO pair given).
 *
 *   node bench-e2e-broker-host.js open
 *   node bench-e2e-broker-host.js hooked STATE_DIR FROM:TO[,FROM:TO…]
 *
 * stdout: {"event":"listening","port":N}; "report" on stdin answers {"event":"rejections",…}.
 */
import { createInterface } from 'node:readline';
import { Rejections } from '@layerfleet/protocol';
import { DeviceStore, RouteTable, enrolledOnly, startBroker, type Authenticator } from '@layerfleet/gateway';

const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

async function main([mode, stateDir, pairs]: string[]): Promise<void> {
  if (mode !== 'open' && mode !== 'hooked') throw new Error('usage: bench-e2e-broker-host.js open | hooked STATE_DIR FROM:TO[,FROM:TO…]');
  const rejections = new Rejections();
  let hooks: { authenticate?: Authenticator; routes?: RouteTable } = {};
  if (mode === 'hooked') {
    if (!stateDir || !pairs) throw new Error('bench-e2e-broker-host.js hooked: STATE_DIR and FROM:TO pairs are required');
    const routes = new RouteTable();
    for (const [i, pair] of pairs.split(',').entries()) routes.open(`bench-${i}`, 0, pair.split(':'));
    hooks = { authenticate: enrolledOnly(new DeviceStore(stateDir), stateDir), routes };
  }
  const broker = await startBroker({ port: 0, rejections, ...hooks });
  const stop = () => { void broker.close().finally(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  createInterface({ input: process.stdin }).on('line', (line) => { if (line.trim() === 'report') say('rejections', { counts: rejections.toJSON() }); });
  say('listening', { port: broker.port });
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
