/**
 * Source mode: the device plays a camera, replaying held-out MNIST digits as inference
 * requests with a bounded number in flight, no faster than the rate it declares to the gateway
 * (a token bucket before each request). It asks the gateway once for a standing route for its
 * stream (`stream`), then runs every request on it: its own first layers, the activation to the
 * first hop, and the last layer when the activation comes back; the answer goes to the gateway
 * as a `result`. Requests made while it has no route wait for one (each within its deadline).
 *
 * A request is never lost to a route change: the source holds every request's input until it is
 * answered. A new version with `rerun` (a hop of the old one is gone), a hop's failure, or an
 * attempt left unanswered for `attemptTimeoutMs` runs it again on the current version, up to
 * `maxAttempts` times. When the source's broker connection comes back after a loss (the gateway
 * may have restarted and forgotten its routes), it asks for its route again and runs what was in
 * flight across the reconnect again on it. No request hangs: each has a deadline (default 30 s)
 * after which it fails with that reason. Every failure is reported to the gateway with its
 * reason, so its outcomes count every request.
 */
import { argmax, loadMnistSplit, quantizeInput, type QuantizedModel } from '@layerfleet/models';
import type { HopTiming } from '@layerfleet/protocol';
import type { ActiveRoute, Agent } from './agent.js';
import { TokenBucket, monotonicClock, type Clock } from './token-bucket.js';

export interface SourceResult { requestId: string; index: number; label: number; predicted?: number; ms: number; attempts?: number; trace?: HopTiming[]; error?: string }

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The source's own counters, updated as it runs (pass an object in `SourceOptions.stats` to watch them). */
export interface SourceStats {
  sent: number;
  answered: number;
  failed: number;
  inFlight: number;
  /** requests run again (a route change that lost a hop, a hop's failure, an attempt unanswered) */
  reruns?: number;
  /** route versions the source moved onto after its first */
  routeChanges?: number;
  /** clock times (ms) of the first and last request started */
  firstSentAt?: number;
  lastSentAt?: number;
}

export interface SourceOptions {
  model: QuantizedModel;
  inferences: number;
  concurrency?: number;
  /** requests/s the requests keep to; default: the rate the agent declares (`requestRate`), else unlimited */
  rate?: number;
  /** ms a request may take before it fails (default 30 000) */
  timeoutMs?: number;
  /** ms one attempt may take before the request runs again (default 10 000) */
  attemptTimeoutMs?: number;
  /** runs of one request at most (default 3) */
  maxAttempts?: number;
  stats?: SourceStats;
  now?: Clock;
  onResult?(r: SourceResult, done: number): void;
}

interface Pending {
  index: number;
  label: number;
  input: Int8Array;
  sentAt: number;
  deadline: NodeJS.Timeout;
  /** the current attempt, -1 before the first */
  attempt: number;
  /** the route version the current attempt runs on; null while it waits for a route */
  version: number | null;
  attemptTimer: NodeJS.Timeout | null;
}

export async function runSource(agent: Agent, opts: SourceOptions): Promise<SourceResult[]> {
  const heldOut = loadMnistSplit().test;
  const modelName = opts.model.graph.name;
  const now = opts.now ?? monotonicClock;
  const pending = new Map<string, Pending>();
  const results: SourceResult[] = [];
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const rate = opts.rate ?? agent.capabilities().requestRate;
  // burst: at most the concurrency, and no more than one second's worth
  const bucket = rate === undefined ? null : new TokenBucket(rate, Math.max(1, Math.min(concurrency, Math.floor(rate))), now);
  const stats = opts.stats ?? { sent: 0, answered: 0, failed: 0, inFlight: 0 };
  stats.reruns ??= 0;
  stats.routeChanges ??= 0;
  const waiting = new Set<NodeJS.Timeout>();
  let route: ActiveRoute | null = null;
  /** whether the gateway should be asked for a route (again) with the next request */
  let askForRoute = true;
  let next = 0;
  let finished = false;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => { resolveAll = r; });

  // The stream declares the rate the device declares (its hello's requestRate); `opts.rate` only
  // paces this run. A source sending above what it declared is measured and planned at the
  // measured rate (gateway/src/stream-rate.ts).
  const declared = agent.capabilities().requestRate;
  const askGateway = () => {
    askForRoute = false;
    agent.send('gateway', { t: 'stream', model: modelName, ...(declared === undefined ? {} : { rate: declared }) });
  };

  const complete = (requestId: string, r: Omit<SourceResult, 'requestId' | 'index' | 'label' | 'ms'>) => {
    const p = pending.get(requestId);
    if (!p) return;
    clearTimeout(p.deadline);
    if (p.attemptTimer) clearTimeout(p.attemptTimer);
    pending.delete(requestId);
    stats.inFlight = pending.size;
    if (r.error === undefined) stats.answered++;
    else {
      stats.failed++;
      // the gateway's outcomes count every request, failures with their reason
      agent.send('gateway', {
        t: 'failed', requestId, attempt: Math.max(0, p.attempt), reason: r.error.slice(0, 1000), model: modelName,
        ...(route ? { route: route.route } : {}), ...(route && p.version !== null ? { version: p.version } : {}),
      });
    }
    const result = { requestId, index: p.index, label: p.label, ms: now() - p.sentAt, attempts: p.attempt + 1, ...r };
    results.push(result);
    opts.onResult?.(result, results.length);
    if (results.length === opts.inferences) { finished = true; resolveAll(); }
    else launch();
  };

  /** Runs (or runs again) a request on the current route; without one it waits for the next. */
  const run = (requestId: string, p: Pending) => {
    if (p.attemptTimer) clearTimeout(p.attemptTimer);
    p.attemptTimer = null;
    if (!route) { p.version = null; return; }
    if (p.attempt + 1 >= maxAttempts) return complete(requestId, { error: `gave up after ${p.attempt + 1} attempts` });
    if (p.attempt >= 0) stats.reruns!++;
    p.attempt++;
    p.version = route.version;
    const attempt = p.attempt;
    p.attemptTimer = setTimeout(() => {
      if (pending.get(requestId) !== p || p.attempt !== attempt) return;
      p.attemptTimer = null;
      if (p.attempt + 1 >= maxAttempts) return complete(requestId, { error: `no answer to any of ${maxAttempts} attempts within ${attemptTimeoutMs} ms each` });
      run(requestId, p);
    }, attemptTimeoutMs);
    agent.runOnRoute(route, requestId, p.attempt, p.input);
  };

  agent.attachSource({
    routeReady(r, rerun) {
      if (r.model !== modelName) return;
      if (route && route.version !== r.version) stats.routeChanges!++;
      route = r;
      for (const [id, p] of pending) if (p.version === null || (rerun && p.version !== r.version)) run(id, p);
    },
    unrouted(model, reason, stillTrying) {
      if (model !== modelName) return;
      route = null;
      if (stillTrying) return;
      askForRoute = true;
      for (const id of [...pending.keys()]) complete(id, { error: reason });
    },
    finished(id, attempt, r, logits, trace) {
      const p = pending.get(id);
      if (!p) return; // answered already (an earlier attempt came back after all), or given up on
      const predicted = argmax(logits);
      const claim = agent.signLedgerClaim({ action: 'result', data: { requestId: id, source: agent.id, outcome: 'completed', predicted, label: p.label } });
      agent.send('gateway', {
        t: 'result', route: r.route, version: r.version, requestId: id, attempt, predicted, logits: new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength),
        trace, totalMs: now() - p.sentAt, label: p.label, ...(claim ? { claim } : {}),
      });
      complete(id, { predicted, trace });
    },
    failed(id, attempt, reason) {
      const p = pending.get(id);
      if (!p || p.attempt !== attempt) return; // a stale attempt's failure: the request has moved on
      if (p.attempt + 1 >= maxAttempts) return complete(id, { error: `gave up after ${p.attempt + 1} attempts; last: ${reason}` });
      run(id, p);
    },
  });

  // mqtt.js says 'connect' again on every reconnect; the first connection was made before this ran.
  // Activations sent before the loss may be gone with it: everything in flight runs again on the route the gateway sends.
  const reconnected = () => {
    route = null;
    for (const p of pending.values()) {
      if (p.attemptTimer) clearTimeout(p.attemptTimer);
      p.attemptTimer = null;
      p.version = null;
    }
    if (!finished) askGateway();
  };
  agent.client.on('connect', reconnected);

  function send(n: number): void {
    if (finished) return;
    const sample = heldOut[n % heldOut.length]!;
    const requestId = `${agent.id}-${agent.bootId}-${n}`;
    const deadline = setTimeout(() => complete(requestId, { error: `no answer within ${timeoutMs} ms (the request's deadline)` }), timeoutMs);
    const sentAt = now();
    const p: Pending = { index: n % heldOut.length, label: sample.label, input: quantizeInput(opts.model, sample.image), sentAt, deadline, attempt: -1, version: null, attemptTimer: null };
    pending.set(requestId, p);
    stats.sent++;
    stats.inFlight = pending.size;
    stats.firstSentAt ??= sentAt;
    stats.lastSentAt = sentAt;
    if (askForRoute) askGateway();
    run(requestId, p);
  }

  function launch(): void {
    while (pending.size + waiting.size < concurrency && next < opts.inferences) {
      const n = next++;
      const wait = bucket ? bucket.reserve(1) : 0;
      if (wait <= 0) { send(n); continue; }
      const t = setTimeout(() => { waiting.delete(t); send(n); }, Math.ceil(wait));
      waiting.add(t);
    }
  }

  if (opts.inferences <= 0) return results;
  try {
    launch();
    await allDone;
  } finally {
    agent.client.off('connect', reconnected);
    for (const t of waiting) clearTimeout(t);
  }
  return results;
}
