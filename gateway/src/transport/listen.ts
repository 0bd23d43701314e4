/** Binding a listener and closing it for good, shared by the plain, TLS and WebSocket listeners. */
import type net from 'node:net';
import type { Rejections } from '@layerfleet/protocol';

export interface Listener {
  /** the port bound (the one asked for, or the ephemeral one given for 0) */
  port: number;
  close(): Promise<void>;
}

/**
 * Binds `server`; `what` names the listener in the error, so a taken port says which flag to change.
 * Closing also destroys connections still open: a client halfway through a TLS handshake or a
 * WebSocket upgrade has not reached the broker, so closing the broker would not end it.
 */
/** Connections one listener holds at most (authenticated or not); more are closed by Node on arrival. */
export const DEFAULT_MAX_CONNECTIONS = 8192;

export interface ConnectionCap { maxConnections?: number; rejections: Rejections }

export async function listen(server: net.Server, port: number, host: string, what: string, cap: ConnectionCap): Promise<Listener> {
  // A bound on sockets of any kind: a TLS handshake or a WebSocket upgrade is not yet a broker
  // connection, so the broker's own bound (connections waiting to authenticate) cannot see a
  // flood of them; this keeps such a flood from taking every file descriptor.
  server.maxConnections = cap.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    cap.rejections.count('connection-limit', `${data?.remoteAddress ?? 'a client'} closed on arrival: ${what} holds its ${server.maxConnections} connections`);
  });
  const open = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(new Error(`${what} listener on ${host}:${port}: ${err.message}`));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
