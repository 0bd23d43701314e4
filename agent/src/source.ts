/**
 * Source mode: the device plays a camera, replaying held-out MNIST digits as inference
 * requests with a bounded number in flight. It computes the first and last layers itself.
 */
import { argmax, loadMnistSplit, quantizeInput, type QuantizedModel } from '@layerfleet/models';
import type { HopTiming } from '@layerfleet/protocol';
import type { Agent } from './agent.js';

export interface SourceResult { requestId: string; index: number; label: number; predicted?: number; ms: number; trace?: HopTiming[]; error?: string }

export interface SourceOptions {
  model: QuantizedModel;
  inferences: number;
  concurrency?: number;
  /** ms to wait for an answer before counting the request lost (the gateway answers sooner) */
  timeoutMs?: number;
  onResult?(r: SourceResult, done: number): void;
}

export async function runSource(agent: Agent, opts: SourceOptions): Promise<SourceResult[]> {
  const heldOut = loadMnistSplit().test;
  const pending = new Map<string, { index: number; label: number; input: Int8Array; sentAt: number; timer: NodeJS.Timeout }>();
  const results: SourceResult[] = [];
  const concurrency = opts.concurrency ?? 4;
  let next = 0;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => { resolveAll = r; });

  const complete = (requestId: string, r: Omit<SourceResult, 'requestId' | 'index' | 'label' | 'ms'>) => {
    const p = pending.get(requestId);
    if (!p) return;
    clearTimeout(p.timer);
    pending.delete(requestId);
    const result = { requestId, index: p.index, label: p.label, ms: performance.now() - p.sentAt, ...r };
    results.push(result);
    opts.onResult?.(result, results.length);
    if (results.length === opts.inferences) resolveAll();
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
        trace, totalMs: performance.now() - p.sentAt, label: p.label, ...(claim ? { claim } : {}),
      });
      complete(id, { predicted, trace });
    },
    failed: (id, reason) => complete(id, { error: reason }),
  });

  function launch(): void {
    while (pending.size < concurrency && next < opts.inferences) {
      const n = next++;
      const sample = heldOut[n % heldOut.length]!;
      const requestId = `${agent.id}-${agent.bootId}-${n}`;
      const timer = setTimeout(() => complete(requestId, { error: `no answer within ${opts.timeoutMs ?? 60000} ms` }), opts.timeoutMs ?? 60000);
      pending.set(requestId, { index: n % heldOut.length, label: sample.label, input: quantizeInput(opts.model, sample.image), sentAt: performance.now(), timer });
      agent.send('gateway', { t: 'infer', requestId, model: opts.model.graph.name, label: sample.label });
    }
  }

  if (opts.inferences <= 0) return results;
  launch();
  await allDone;
  return results;
}
