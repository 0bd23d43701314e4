/** Binding a listener and closing it for good, shared by the plain, TLS and WebSocket listeners. */
import type net from 'node:net';

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
export async function listen(server: net.Server, port: number, host: string, what: string): Promise<Listener> {
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
