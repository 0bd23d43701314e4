/**
 * Bounds the connections that have not yet authenticated. Each costs a socket, a parser and a
 * CONNECT timer until it proves who it is; a flood of them (idle sockets, or CONNECTs with made-up
 * credentials) must not exhaust the process while enrolled devices go on working. Past the bound
 * a new socket is closed at once, before any byte is read; authenticated clients never count.
 */
import type { Duplex } from 'node:stream';

export const DEFAULT_MAX_PENDING_CONNECTIONS = 256;

export class ConnectionGate {
  private readonly pending = new Set<Duplex>();
  constructor(readonly maxPending = DEFAULT_MAX_PENDING_CONNECTIONS) {}

  /** Admits a new connection, or says why not (the caller closes it and counts the refusal). */
  admit(socket: Duplex): string | null {
    if (this.pending.size >= this.maxPending) return `${this.pending.size} connections already waiting to authenticate (limit ${this.maxPending})`;
    this.pending.add(socket);
    socket.once('close', () => this.pending.delete(socket));
    return null;
  }

  /** The client on this connection proved its identity: it no longer counts against the bound. */
  authenticated(socket: unknown): void {
    this.pending.delete(socket as Duplex);
  }

  get waiting(): number { return this.pending.size; }
}
