/** Plain MQTT over TCP (mqtt://). */
import net from 'node:net';
import type { Admit } from './admit.js';
import { listen, type ConnectionCap, type Listener } from './listen.js';

export function listenTcp(opts: { port: number; host: string; admit: Admit } & ConnectionCap): Promise<Listener> {
  const server = net.createServer((socket) => {
    // Each MQTT packet is one small message someone waits for (the next hop's activation): no Nagle delay.
    socket.setNoDelay(true);
    opts.admit(socket, socket.remoteAddress ?? 'a client');
  });
  return listen(server, opts.port, opts.host, 'MQTT', opts);
}
