/**
 * The gateway's Aedes broker on its own, for `bench e2e`: `open` (any client, the ACL's device
 * rules keyed by client id, no route table — what the bare pipeline runs over), or `hooked`, with
 * the hooks the gateway installs: only devices enrolled in STATE_DIR authenticate (credentials
 * from their signing keys, checked on every CONNECT), and a device may publish to another's
 * inbox only along a route (here one per FROM→TO pair given). The routes are a set of pairs
 * looked up as the gateway's route table looks them up (one map lookup per publish), kept here
 * rather than borrowed so the bench does not hang on how the gateway opens and retires them.
 *
 *   node bench-e2e-broker-host.js open
 *   node bench-e2e-broker-host.js hooked STATE_DIR FROM:TO[,FROM:TO…]
 *
 * stdout: {"event":"listening","port":N}; "report" on stdin answers {"event":"rejections",…}.
 */
import { createInterface } from 'node:readline';
import { Rejections } from '@layerfleet/protocol';
import { DeviceStore, enrolledOnly, startBroker, type Authenticator, type BrokerOptions } from '@layerfleet/gateway';

const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

async function main([mode, stateDir, pairs]: string[]): Promise<void> {
  if (mode !== 'open' && mode !== 'hooked') throw new Error('usage: bench-e2e-broker-host.js open | hooked STATE_DIR FROM:TO[,FROM:TO…]');
  const rejections = new Rejections();
  let hooks: { authenticate?: Authenticator; routes?: NonNullable<BrokerOptions['routes']> } = {};
  if (mode === 'hooked') {
    if (!stateDir || !pairs) throw new Error('bench-e2e-broker-host.js hooked: STATE_DIR and FROM:TO pairs are required');
    const links = new Set(pairs.split(',').map((pair) => pair.replace(':', '\u0000')));
    hooks = { authenticate: enrolledOnly(new DeviceStore(stateDir), stateDir), routes: { allows: (from, to) => links.has(`${from}\u0000${to}`) } };
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
