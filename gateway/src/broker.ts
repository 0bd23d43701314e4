/** The Aedes broker on a real TCP port, with the ACL hooks and a rejection counter. */
import net from 'node:net';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { mayPublish, maySubscribe } from './broker-acl.js';
import type { Rejections } from '@layerfleet/protocol';

export interface Broker {
  aedes: Aedes;
  port: number;
  close(): Promise<void>;
}

export async function startBroker(opts: { port: number; host?: string; rejections: Rejections }): Promise<Broker> {
  const aedes = await Aedes.createBroker({
    authorizePublish(client, packet, done) {
      // client is null for the gateway's own in-process publishes
      const denied = client ? mayPublish(client.id, packet.topic) : null;
      if (denied) opts.rejections.count('acl-publish', denied);
      done(denied ? new Error(denied) : null);
    },
    authorizeSubscribe(client, sub, done) {
      const denied = maySubscribe(client.id, sub.topic);
      if (denied) opts.rejections.count('acl-subscribe', denied);
      // a refused filter gets a negative SUBACK (0x80) instead of a dropped connection [MQTT-3.9.3-2]
      done(null, denied ? null : sub);
    },
  });
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    aedes,
    port,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { AedesPublishPacket };
