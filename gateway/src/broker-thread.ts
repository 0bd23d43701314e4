/**
 * The main thread's handle on the broker thread (broker-worker.ts): start it, publish through
 * it, open and retire route links in its ACL, drop a client, and hear what it passes up. The
 * broker and the control plane each get an event loop of their own, so planning, ledger writes
 * and the gateway's own crypto never hold up a data-plane message, and a flood at the broker
 * never starves planning. The access hooks still run on every message, in the broker thread.
 */
import { Worker } from 'node:worker_threads';
import type { BrokerUrls } from './broker.js';
import type { BrokerThreadConfig, FromBroker, ToBroker } from './broker-thread-messages.js';

export type BrokerEvent = Exclude<FromBroker, { t: 'listening' } | { t: 'failed' } | { t: 'closed' }>;

export interface BrokerThread {
  port: number;
  urls: BrokerUrls;
  publish(topic: string, payload: Uint8Array, retain?: boolean): void;
  openRoute(key: string, assignment: string[]): void;
  retireRoute(key: string): void;
  disconnect(clientId: string, opts?: { dropWill?: boolean }): void;
  /** Everything the broker passes up, in the order it happened. */
  onEvent(listener: (e: BrokerEvent) => void): void;
  /** Called once if the broker thread dies while the gateway runs. */
  onDeath(listener: (why: string) => void): void;
  close(): Promise<void>;
}

/** How long the broker thread may take to close its listeners before it is terminated. */
const CLOSE_GRACE_MS = 5000;

export async function startBrokerThread(config: BrokerThreadConfig): Promise<BrokerThread> {
  const worker = new Worker(new URL('./broker-worker.js', import.meta.url), { workerData: config });
  const listeners: Array<(e: BrokerEvent) => void> = [];
  const deathListeners: Array<(why: string) => void> = [];
  let closing: Promise<void> | null = null;
  let closed!: () => void;
  const closedNow = new Promise<void>((r) => { closed = r; });

  const started = await new Promise<{ port: number; urls: BrokerUrls }>((resolve, reject) => {
    const early = (err: Error) => reject(err);
    const exitEarly = (code: number) => reject(new Error(`the broker thread exited (code ${code}) before it listened`));
    worker.once('error', early);
    worker.once('exit', exitEarly);
    worker.on('message', function first(m: FromBroker) {
      if (m.t !== 'listening' && m.t !== 'failed') return;
      worker.off('message', first);
      worker.off('error', early);
      worker.off('exit', exitEarly);
      if (m.t === 'failed') {
        void worker.terminate();
        reject(new Error(m.message));
      } else resolve({ port: m.port, urls: m.urls });
    });
  });

  worker.on('message', (m: FromBroker) => {
    if (m.t === 'closed') return closed();
    if (m.t === 'listening' || m.t === 'failed') return;
    for (const l of listeners) l(m);
  });
  const died = (why: string) => {
    closed();
    if (closing) return;
    for (const l of deathListeners) l(why);
  };
  worker.on('error', (err) => died(`the broker thread failed: ${err.message}`));
  worker.on('exit', (code) => died(`the broker thread exited (code ${code})`));

  const send = (m: ToBroker) => worker.postMessage(m);
  return {
    ...started,
    publish: (topic, payload, retain = false) => send({ t: 'publish', topic, payload, retain }),
    openRoute: (key, assignment) => send({ t: 'route-open', key, assignment }),
    retireRoute: (key) => send({ t: 'route-retire', key }),
    disconnect: (clientId, opts = {}) => send({ t: 'disconnect', clientId, dropWill: opts.dropWill === true }),
    onEvent: (l) => { listeners.push(l); },
    onDeath: (l) => { deathListeners.push(l); },
    close() {
      closing ??= (async () => {
        send({ t: 'close' });
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((r) => { timer = setTimeout(r, CLOSE_GRACE_MS); });
        await Promise.race([closedNow, late]);
        clearTimeout(timer);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
