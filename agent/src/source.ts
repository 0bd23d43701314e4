/**
 * Source mode: the device plays a camera, replaying held-out MNIST digits as inference
 * requests with a bounded number in flight, no faster than the rate it declares to the gateway
 * (a token bucket before each `infer`). It computes the first and last layers itself.
 *
 * No request hangs: each has a deadline (default 30 s) after which it fails with that reason,
 * and when the source's broker connection comes back after a loss, the requests in flight
 * across it fail at once ("gateway connection lost; in flight across the reconnect"). They are
 * not re-sent: a gateway that kept its state still holds them and would ignore the copy (and may
 * yet answer the original, which arrives after the source gave up on it), while a restarted one
 * lost them and their plans' hops with them; failing them gives one outcome per request, at once,
 * with the reason, and leaves retrying to whoever runs the source.
 */
import { argmax, loadMnistSplit, quantizeInput, type QuantizedModel } from '@layerfleet/models';
import type { HopTiming } from '@layerfleet/protocol';
import type { Agent } from './agent.js';
import { TokenBucket, monotonicClock, type Clock } from './token-bucket.js';

export interface SourceResult { requestId: string; index: number; label: number; predicted?: number; ms: number; trace?: HopTiming[]; error?: string }

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const RECONNECT_REASON = 'gateway connection lost; in flight across the reconnect';

/** The source's own counters, updated as it runs (pass an object in `SourceOptions.stats` to watch them). */
export interface SourceStats {
  sent: number;
  answered: number;
  failed: number;
  inFlight: number;
  /** clock times (ms) of the first and last `infer` sent */
  firstSentAt?: number;
  lastSentAt?: number;
}

export interface SourceOptions {
  model: QuantizedModel;
  inferences: number;
  concurrency?: number;
  /** requests/s the `infer`s keep to; default: the rate the agent declares (`requestRate`), else unlimited */
  rate?: number;
  /** ms a request may take before it fails (default 30 000) */
  timeoutMs?: number;
  stats?: SourceStats;
  now?: Clock;
  onResult?(r: SourceResult, done: number): void;
}

export async function runSource(agent: Agent, opts: SourceOptions): Promise<SourceResult[]> {
  const heldOut = loadMnistSplit().test;
  const now = opts.now ?? monotonicClock;
  const pending = new Map<string, { index: number; label: number; input: Int8Array; sentAt: number; timer: NodeJS.Timeout }>();
  const results: SourceResult[] = [];
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const rate = opts.rate ?? agent.capabilities().requestRate;
  // burst: at most the concurrency, and no more than one second's worth
  const bucket = rate === undefined ? null : new TokenBucket(rate, Math.max(1, Math.min(concurrency, Math.floor(rate))), now);
  const stats = opts.stats ?? { sent: 0, answered: 0, failed: 0, inFlight: 0 };
  const waiting = new Set<NodeJS.Timeout>();
  let next = 0;
  let finished = false;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => { resolveAll = r; });

  const complete = (requestId: string, r: Omit<SourceResult, 'requestId' | 'index' | 'label' | 'ms'>) => {
    const p = pending.get(requestId);
    if (!p) return;
    clearTimeout(p.timer);
    pending.delete(requestId);
    stats.inFlight = pending.size;
    if (r.error === undefined) stats.answered++; else stats.failed++;
    const result = { requestId, index: p.index, label: p.label, ms: now() - p.sentAt, ...r };
    results.push(result);
    opts.onResult?.(result, results.length);
    if (results.length === opts.inferences) { finished = true; resolveAll(); }
    else launch();
  };

  agent.attachSource({
    input: (id) => pending.get(id)?.input,
    finished(id, plan, logits, trace) {
      const p = pending.get(id);
      if (!p) return;
      const predicted = argmax(logits);
      const claim = agent.signLedgerClaim({ action: 'result', data: { requestId: id, source: agent.id, outcome: 'completed', predicted, label: p.label } });
      agent.send('gateway', {
        t: 'result', requestId: id, attempt: plan.attempt, predicted, logits: new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength),
        trace, totalMs: now() - p.sentAt, label: p.label, ...(claim ? { claim } : {}),
      });
      complete(id, { predicted, trace });
    },
    failed: (id, reason) => complete(id, { error: reason }),
  });

  // mqtt.js says 'connect' again on every reconnect; the first connection was made before this ran
  const reconnected = () => { for (const id of [...pending.keys()]) complete(id, { error: RECONNECT_REASON }); };
  agent.client.on('connect', reconnected);

  function send(n: number): void {
    if (finished) return;
    const sample = heldOut[n % heldOut.length]!;
    const requestId = `${agent.id}-${agent.bootId}-${n}`;
    const timer = setTimeout(() => complete(requestId, { error: `no answer within ${timeoutMs} ms (the request's deadline)` }), timeoutMs);
    const sentAt = now();
    pending.set(requestId, { index: n % heldOut.length, label: sample.label, input: quantizeInput(opts.model, sample.image), sentAt, timer });
    stats.sent++;
    stats.inFlight = pending.size;
    stats.firstSentAt ??= sentAt;
    stats.lastSentAt = sentAt;
    agent.send('gateway', { t: 'infer', requestId, model: opts.model.graph.name, label: sample.label });
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
