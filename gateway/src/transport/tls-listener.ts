/** MQTT over TLS (mqtts://), with the gateway's certificate from certificates.ts. */
import type net from 'node:net';
import tls from 'node:tls';
import type { Rejections } from '@layerfleet/protocol';
import type { Admit } from './admit.js';
import { listen, type ConnectionCap, type Listener } from './listen.js';

/** The gateway's certificate chain and private key, PEM. */
export interface TlsIdentity { cert: string; key: string }

export function tlsServerOptions(identity: TlsIdentity): tls.TlsOptions {
  return {
    cert: identity.cert,
    key: identity.key,
    minVersion: 'TLSv1.2',
    // Node's default is 120 s: a peer that opens connections and never finishes the handshake
    // would hold each of them that long before it reaches the broker's own limits.
    handshakeTimeout: 10_000,
  };
}

/**
 * Counts every failed handshake (a client without the fleet CA, plain MQTT sent to a TLS port,
 * timeouts) as `tls`, with the peer's address. A client that refuses our certificate just hangs
 * up, and by then neither the TLS socket nor the TCP socket under it (node's `_parent`) can still
 * be asked for its peer: so the address is noted when the TCP connection arrives.
 */
export function countTlsFailures(server: tls.Server, rejections: Rejections, what: string): void {
  const peers = new WeakMap<net.Socket, string>();
  server.on('connection', (raw: net.Socket) => { if (raw.remoteAddress) peers.set(raw, raw.remoteAddress); });
  server.on('tlsClientError', (err, socket) => {
    const raw = (socket as unknown as { _parent?: net.Socket | null })._parent;
    const peer = socket.remoteAddress ?? (raw ? peers.get(raw) : undefined) ?? 'a client';
    rejections.count('tls', `${what} handshake with ${peer} failed: ${err.message}`);
  });
}

export function listenTls(opts: { port: number; host: string; identity: TlsIdentity; admit: Admit } & ConnectionCap): Promise<Listener> {
  const server = tls.createServer(tlsServerOptions(opts.identity), (socket) => { socket.setNoDelay(true); opts.admit(socket, socket.remoteAddress ?? 'a client'); });
  countTlsFailures(server, opts.rejections, 'mqtts');
  return listen(server, opts.port, opts.host, 'MQTT over TLS', opts);
}
