/**
 * The Aedes broker with authentication, the ACL hooks and a rejection counter, on a plain TCP
 * port and, when asked, a TLS port and a WebSocket port (listeners in transport/): one broker,
 * so a device on mqtts and a dashboard on WebSocket see the same topics and the same rules.
 */
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import { mayPublish, maySubscribe, type ClientRole, type Routes } from './broker-acl.js';
import type { Rejections } from '@layerfleet/protocol';
import { admitGuarded } from './transport/admit.js';
import { ConnectionGate } from './connection-gate.js';
import type { Listener } from './transport/listen.js';
import { listenTcp } from './transport/tcp-listener.js';
import { listenTls, type TlsIdentity } from './transport/tls-listener.js';
import { listenWebSocket, WS_PATH } from './transport/ws-listener.js';

/** Decides a connecting client's role, or says why it is refused. Absent: every client is 'open'. */
export type Authenticator = (clientId: string, username: string | undefined, password: Buffer | undefined) => ClientRole | string;

export interface BrokerOptions {
  port: number;
  host?: string;
  rejections: Rejections;
  authenticate?: Authenticator;
  /** an mqtts listener too (port 0: ephemeral) */
  tls?: { port: number; identity: TlsIdentity };
  /** an MQTT over WebSocket listener too, at /mqtt; over https when `identity` is given */
  ws?: { port: number; identity?: TlsIdentity };
  /** Which device may write to which device's inbox; absent: any device to any inbox. */
  routes?: Routes;
  /** connections that may wait to authenticate at once (default 256); more are closed on arrival */
  maxPendingConnections?: number;
  /** connections each listener holds at most, of any kind (default 8192) */
  maxConnections?: number;
  /** how long a connection may take to send its CONNECT (default 10 s) */
  connectTimeoutMs?: number;
}

/** Where clients reach each listener from this host. */
export interface BrokerUrls { mqtt: string; mqtts?: string; ws?: string }

export interface Broker {
  aedes: Aedes;
  /** the plain TCP listener's port */
  port: number;
  urls: BrokerUrls;
  roleOf(client: Client): ClientRole | undefined;
  /**
   * Drops the connection of a client id, if connected (a revoked device, a silent one). `dropWill`: the gateway has published the device's `offline`
   * itself (device-status-book.ts), so the client's last will must not say it a second time.
   */
  disconnect(clientId: string, opts?: { dropWill?: boolean }): void;
  close(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const roles = new WeakMap<Client, ClientRole>();
  const gate = new ConnectionGate(opts.maxPendingConnections);
  const aedes = await Aedes.createBroker({
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    authenticate(client, username, password, done) {
      const verdict = opts.authenticate ? opts.authenticate(client.id, username, password) : { kind: 'open' as const };
      if (typeof verdict === 'string') {
        opts.rejections.count('auth', `client ${JSON.stringify(client.id)} refused: ${verdict}`);
        // CONNACK 4 "bad user name or password" [MQTT-3.2.2-...]; the reason stays in our counter, not on the wire
        const err = Object.assign(new Error(verdict), { returnCode: 4 });
        return done(err as Parameters<typeof done>[0], false);
      }
      roles.set(client, verdict);
      gate.authenticated(client.conn);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // client is null for the gateway's own in-process publishes
      const role = client ? roles.get(client) : undefined;
      const denied = client ? (role ? mayPublish(role, client.id, packet.topic, opts.routes) : 'not authenticated') : null;
      if (denied) opts.rejections.count('acl-publish', denied);
      done(denied ? new Error(denied) : null);
    },
    authorizeSubscribe(client, sub, done) {
      const role = roles.get(client);
      const denied = role ? maySubscribe(role, client.id, sub.topic) : 'not authenticated';
      if (denied) opts.rejections.count('acl-subscribe', denied);
      // a refused filter gets a negative SUBACK (0x80) instead of a dropped connection [MQTT-3.9.3-2]
      done(null, denied ? null : sub);
    },
  });
  const host = opts.host ?? '127.0.0.1';
  const reach = reachableFrom(host);
  // A connection that never sends a valid CONNECT in time, or sends garbage first.
  aedes.on('connectionError', (client, err) => {
    const conn = client.conn as { remoteAddress?: string } | undefined;
    opts.rejections.count('connection', `${conn?.remoteAddress ?? 'a client'}: ${err.message}`);
  });
  const admit = admitGuarded(aedes, opts.rejections, gate);
  const listeners: Listener[] = [];
  const closeAll = async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const l of listeners) await l.close();
  };
  let urls: BrokerUrls;
  try {
    const cap = { rejections: opts.rejections, ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }) };
    const plain = await listenTcp({ port: opts.port, host, admit, ...cap });
    listeners.push(plain);
    urls = { mqtt: `mqtt://${reach}:${plain.port}` };
    if (opts.tls) {
      const secure = await listenTls({ port: opts.tls.port, host, identity: opts.tls.identity, admit, ...cap });
      listeners.push(secure);
      urls.mqtts = `mqtts://${reach}:${secure.port}`;
    }
    if (opts.ws) {
      const web = await listenWebSocket({ port: opts.ws.port, host, admit, ...cap, ...(opts.ws.identity ? { identity: opts.ws.identity } : {}) });
      listeners.push(web);
      urls.ws = `${web.secure ? 'wss' : 'ws'}://${reach}:${web.port}${WS_PATH}`;
    }
  } catch (err) {
    // one port taken must not leave the others bound
    await closeAll();
    throw err;
  }
  return {
    aedes,
    port: listeners[0]!.port,
    urls,
    roleOf: (client) => roles.get(client),
    disconnect(clientId, opts = {}) {
      const client = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
      // aedes (lib/client.js, close) publishes `will` unless it is null; it keeps a second copy in
      // `_will` while the will is being stored. Neither is in its typings.
      if (client && opts.dropWill) Object.assign(client, { will: null, _will: null });
      client?.close();
    },
    close: closeAll,
  };
}

/**
 * The address clients on this host reach a listener bound to `host` at: loopback for a wildcard
 * (every interface includes it), else the address itself (an IPv6 one in brackets, RFC 3986 §3.2.2).
 */
function reachableFrom(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export type { AedesPublishPacket };
