/**
 * What the gateway's main thread (control plane: registry, routes, ledger, trust, its own
 * envelopes) and its broker thread (Aedes, the listeners, authentication and the ACL hooks)
 * say to each other (broker-thread.ts, broker-worker.ts). Plain values only: they cross a
 * worker_threads message port.
 */
import type { BrokerUrls } from './broker.js';
import type { ClientRole } from './broker-acl.js';
import type { TlsIdentity } from './transport/tls-listener.js';

/** How the broker thread is set up (its workerData). */
export interface BrokerThreadConfig {
  port: number;
  host?: string;
  /** the state directory whose devices.json and enrolment grants admit clients; absent: open access */
  enrolledOnlyIn?: string;
  tls?: { port: number; identity: TlsIdentity };
  ws?: { port: number; identity?: TlsIdentity };
  maxPendingConnections?: number;
  maxConnections?: number;
  connectTimeoutMs?: number;
  /** every data-plane envelope as an RFC 8742 CBOR sequence (capture.ts) */
  capturePath?: string;
  /** messages per second each client may send the gateway's inbox, and the burst (inbox-rate-limit.ts) */
  inboxRate?: number;
  inboxBurst?: number;
}

/** Broker thread → main thread. */
export type FromBroker =
  | { t: 'listening'; port: number; urls: BrokerUrls }
  | { t: 'failed'; message: string }
  /** a publish to the gateway's inbox, with who published it */
  | { t: 'inbox'; clientId: string; role: ClientRole | null; payload: Uint8Array }
  /** a device's status telemetry (device-status-book.ts follows each device's sequence) */
  | { t: 'status'; topic: string; payload: Uint8Array }
  | { t: 'client-gone'; clientId: string }
  | { t: 'rejection'; reason: string; detail: string }
  | { t: 'traffic'; dataPlaneBytes: number; dataPlaneMessages: number; clients: number }
  | { t: 'closed' };

/** Main thread → broker thread. */
export type ToBroker =
  | { t: 'publish'; topic: string; payload: Uint8Array; retain: boolean }
  /** a route version's links open before its `route` messages are published (the port keeps order) */
  | { t: 'route-open'; key: string; assignment: string[] }
  | { t: 'route-retire'; key: string }
  | { t: 'disconnect'; clientId: string; dropWill: boolean }
  | { t: 'close' };
