/** The gateway's listener options beyond plain MQTT, and what they need from the state directory. */
import type { BrokerOptions } from '../broker.js';
import { ensureCertificates } from './certificates.js';

export interface ListenerOptions {
  /** An mqtts listener (0: ephemeral). With it or `wsPort`, DIR/tls/ holds a fleet CA and the gateway's certificate (made on first use). */
  tlsPort?: number;
  /** An MQTT over WebSocket listener at /mqtt (0: ephemeral). */
  wsPort?: number;
  /** Makes the WebSocket listener wss, with the gateway's certificate. */
  wsTls?: boolean;
  /** More DNS names or IP addresses devices reach the gateway by, for its certificate (loopback and this host's name are always in). */
  tlsHosts?: string[];
}

/** The broker's TLS and WebSocket listeners, with certificates made or renewed as needed; `log` hears what was written. */
export async function secureListeners(stateDir: string, opts: ListenerOptions, log: (line: string) => void): Promise<{ broker: Pick<BrokerOptions, 'tls' | 'ws'>; caPath?: string }> {
  if (opts.wsTls && opts.wsPort === undefined) throw new Error('wsTls: there is no WebSocket listener to secure (set wsPort)');
  if (opts.tlsPort === undefined && opts.wsPort === undefined) return { broker: {} };
  const certs = await ensureCertificates(stateDir, { hosts: opts.tlsHosts ?? [] });
  for (const line of certs.changes) log(`tls: ${line}`);
  const identity = { cert: certs.cert, key: certs.key };
  return {
    caPath: certs.caPath,
    broker: {
      ...(opts.tlsPort === undefined ? {} : { tls: { port: opts.tlsPort, identity } }),
      ...(opts.wsPort === undefined ? {} : { ws: { port: opts.wsPort, ...(opts.wsTls ? { identity } : {}) } }),
    },
  };
}
