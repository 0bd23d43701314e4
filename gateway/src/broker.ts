/** The Aedes broker on a real TCP port, with authentication, the ACL hooks and a rejection counter. */
import net from 'node:net';
import { PacketSizeGuard } from './packet-size-guard.js';
import { ConnectionGate } from './connection-gate.js';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import { mayPublish, maySubscribe, type ClientRole } from './broker-acl.js';
import type { Rejections } from '@layerfleet/protocol';

/** Decides a connecting client's role, or says why it is refused. Absent: every client is 'open'. */
export type Authenticator = (clientId: string, username: string | undefined, password: Buffer | undefined) => ClientRole | string;

export interface Broker {
  aedes: Aedes;
  port: number;
  roleOf(client: Client): ClientRole | undefined;
  /** Drops the connection of a client id, if connected (a revoked device). */
  disconnect(clientId: string): void;
  close(): Promise<void>;
}

export interface BrokerOptions {
  port: number;
  host?: string;
  rejections: Rejections;
  authenticate?: Authenticator;
  /** connections that may wait to authenticate at once (default 256); more are closed on arrival */
  maxPendingConnections?: number;
  /** how long a connection may take to send its CONNECT (default 10 s) */
  connectTimeoutMs?: number;
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
      const denied = client ? (role ? mayPublish(role, client.id, packet.topic) : 'not authenticated') : null;
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
  // A connection that never sends a valid CONNECT in time, or sends garbage first.
  aedes.on('connectionError', (client, err) => {
    const conn = client.conn as net.Socket | undefined;
    opts.rejections.count('connection', `${conn?.remoteAddress ?? 'a client'}: ${err.message}`);
  });
  const server = net.createServer((socket) => {
    const full = gate.admit(socket);
    if (full) {
      opts.rejections.count('connection-limit', `${socket.remoteAddress ?? 'a client'} closed on arrival: ${full}`);
      socket.destroy();
      return;
    }
    const guard = new PacketSizeGuard();
    // Registered before Aedes's own listener, so an oversize packet is cut in the chunk that declares it.
    socket.on('data', (chunk: Buffer) => {
      const err = guard.check(chunk);
      if (!err) return;
      opts.rejections.count('oversize-packet', `${socket.remoteAddress ?? 'a client'}: ${err.message}; connection closed`);
      socket.destroy();
    });
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    aedes,
    port,
    roleOf: (client) => roles.get(client),
    disconnect(clientId) {
      const client = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
      client?.close();
    },
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { AedesPublishPacket };
