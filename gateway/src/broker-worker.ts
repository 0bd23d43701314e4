/**
 * The gateway's broker thread: Aedes with its listeners, authentication and ACL hooks (the route
 * table included), the data-plane counters and the capture. It routes every device-to-device
 * activation without the main thread — whose event loop plans, opens and seals the gateway's
 * envelopes and writes the ledger — ever seeing it, so none of that can delay a hop. What is
 * for the main thread (the gateway's inbox, devices' status, clients leaving, rejections) goes
 * to it over the port; what it publishes comes back the same way (broker-thread-messages.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rejections, inboxOwner, statusOwner, topics } from '@layerfleet/protocol';
import { startBroker, type Broker } from './broker.js';
import { RouteTable } from './route-table.js';
import { Capture } from './capture.js';
import { InboxRateLimit, DEFAULT_INBOX_BURST, DEFAULT_INBOX_RATE } from './inbox-rate-limit.js';
import { DeviceStore, enrolledOnly } from './trust/index.js';
import type { BrokerThreadConfig, FromBroker, ToBroker } from './broker-thread-messages.js';

const port = parentPort!;
const config = workerData as BrokerThreadConfig;
const post = (m: FromBroker) => port.postMessage(m);

/** Rejections are counted where the gateway reports them: in the main thread's counter. */
class ForwardedRejections extends Rejections {
  override count(reason: string, detail: string): void {
    post({ t: 'rejection', reason, detail });
  }
}

async function main(): Promise<void> {
  const routes = new RouteTable();
  const capture = config.capturePath ? new Capture(config.capturePath) : null;
  let broker: Broker;
  try {
    const store = config.enrolledOnlyIn === undefined ? null : new DeviceStore(config.enrolledOnlyIn);
    const authenticate = store ? enrolledOnly(store, config.enrolledOnlyIn!) : null;
    broker = await startBroker({
      port: config.port, ...(config.host ? { host: config.host } : {}), rejections: new ForwardedRejections(),
      // the main thread writes devices.json (enrolment, rotation) and the CLI revokes in it: read it afresh when it changed
      ...(store && authenticate ? { authenticate: (id: string, user: string | undefined, pass: Buffer | undefined) => { store.reloadIfChanged(); return authenticate(id, user, pass); } } : {}),
      ...(config.maxPendingConnections === undefined ? {} : { maxPendingConnections: config.maxPendingConnections }),
      ...(config.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: config.connectTimeoutMs }),
      ...(config.maxConnections === undefined ? {} : { maxConnections: config.maxConnections }),
      ...(config.tls ? { tls: config.tls } : {}),
      ...(config.ws ? { ws: config.ws } : {}),
      routes,
    });
  } catch (err) {
    await capture?.close();
    post({ t: 'failed', message: (err as Error).message });
    return;
  }

  // A flood to the gateway is cut here, as it arrives: what is over a client's rate never crosses to the control plane.
  const inboxRate = new InboxRateLimit(config.inboxRate ?? DEFAULT_INBOX_RATE, config.inboxBurst ?? DEFAULT_INBOX_BURST);
  let dataPlaneBytes = 0;
  let dataPlaneMessages = 0;
  broker.aedes.on('publish', (packet, client) => {
    const payload = packet.payload as Uint8Array;
    if (packet.topic === topics.gatewayInbox) {
      if (client && !inboxRate.take(client.id)) post({ t: 'rejection', reason: 'rate-limit', detail: `client ${client.id}: over ${inboxRate.perSecond} messages/s to the gateway; dropped unopened` });
      else if (client) post({ t: 'inbox', clientId: client.id, role: broker.roleOf(client) ?? null, payload: new Uint8Array(payload) });
    } else if (statusOwner(packet.topic) !== null) {
      post({ t: 'status', topic: packet.topic, payload: new Uint8Array(payload) });
    }
    if (packet.topic === topics.gatewayInbox || inboxOwner(packet.topic) !== null) {
      dataPlaneBytes += payload.length;
      dataPlaneMessages++;
      capture?.write(packet.topic, payload);
    }
  });
  broker.aedes.on('clientDisconnect', (client) => post({ t: 'client-gone', clientId: client.id }));
  // the counters the gateway's stats telemetry shows, a few times a second
  const traffic = setInterval(() => post({ t: 'traffic', dataPlaneBytes, dataPlaneMessages, clients: broker.aedes.connectedClients }), 250);

  port.on('message', (m: ToBroker) => {
    switch (m.t) {
      case 'publish':
        broker.aedes.publish({ cmd: 'publish', topic: m.topic, payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength), qos: 0, retain: m.retain, dup: false }, () => {});
        return;
      case 'route-open': return routes.open(m.key, m.assignment);
      case 'route-retire': return routes.retire(m.key);
      case 'disconnect': return broker.disconnect(m.clientId, { dropWill: m.dropWill });
      case 'close':
        clearInterval(traffic);
        routes.close();
        void broker.close().then(() => capture?.close()).then(() => {
          post({ t: 'traffic', dataPlaneBytes, dataPlaneMessages, clients: 0 });
          post({ t: 'closed' });
          port.close();
        });
        return;
    }
  });
  post({ t: 'listening', port: broker.port, urls: broker.urls });
}

void main();
