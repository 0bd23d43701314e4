/**
 * One hop of the bare pipeline `bench e2e` compares layerfleet against: a plaintext mqtt.js
 * client computing its LeNet layers with the same int8 kernels, no envelopes, no planner, no
 * gateway. A worker takes an activation from its inbox, runs its layers and publishes the result
 * to the next hop's inbox. The source computes the first layer of each request, sends it on, and
 * computes the last layer when the activation comes back; it keeps `concurrency` in flight.
 *
 *   node bench-e2e-bare-hop.js worker ID BROKER_URL NEXT_ID LAYER_INDEX[,LAYER_INDEX…]
 *   node bench-e2e-bare-hop.js source ID BROKER_URL NEXT_ID FIRST_LAYER LAST_LAYER REQUESTS WARMUP CONCURRENCY
 *
 * A message is a 4-byte request number (big endian) and the int8 activation. stdout carries JSON
 * lines: {"event":"ready"} once subscribed; the source then waits for "go" on stdin and says
 * {"event":"warm"} after WARMUP answers and {"event":"done", …} with the latencies after the rest.
 */
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { argmax, loadLenetInt8, loadMnistSplit, quantizeInput, runLayerInt8, type QuantizedLayer } from '@layerfleet/models';
import { topics } from '@layerfleet/protocol';

/** A request that gets no answer within this long fails (counted), so the source never waits forever. */
const REQUEST_DEADLINE_MS = 10_000;
const HEADER_BYTES = 4;

const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

function layersAt(indices: string): QuantizedLayer[] {
  const model = loadLenetInt8();
  return indices.split(',').map((i) => {
    const layer = model.layers[Number(i)];
    if (!layer) throw new Error(`bare hop: no layer ${i} in ${model.graph.name} (it has ${model.layers.length})`);
    return layer;
  });
}

function frame(n: number, activation: Int8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + activation.length);
  out.writeUInt32BE(n, 0);
  out.set(new Uint8Array(activation.buffer, activation.byteOffset, activation.length), HEADER_BYTES);
  return out;
}

function unframe(payload: Buffer): { n: number; activation: Int8Array } {
  if (payload.length < HEADER_BYTES) throw new Error(`bare hop: a message of ${payload.length} bytes has no request number`);
  return { n: payload.readUInt32BE(0), activation: new Int8Array(payload.buffer, payload.byteOffset + HEADER_BYTES, payload.length - HEADER_BYTES) };
}

const run = (layers: readonly QuantizedLayer[], input: Int8Array) => layers.reduce((x, layer) => runLayerInt8(layer, x), input);

async function main(argv: string[]): Promise<void> {
  const [role, id, url, next, ...rest] = argv;
  if ((role !== 'worker' && role !== 'source') || !id || !url || !next) throw new Error('usage: bench-e2e-bare-hop.js worker|source ID BROKER_URL NEXT_ID …');
  const client = await mqtt.connectAsync(url, { clientId: id, reconnectPeriod: 0, connectTimeout: 10_000 });
  const stop = () => { client.end(true); process.exit(0); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const out = topics.deviceInbox(next);
  await client.subscribeAsync(topics.deviceInbox(id), { qos: 0 });
  if (role === 'worker') {
    const layers = layersAt(rest[0] ?? '');
    client.on('message', (_topic, payload) => {
      try {
        const { n, activation } = unframe(payload);
        client.publish(out, frame(n, run(layers, activation)), { qos: 0 });
      } catch (err) {
        process.stderr.write(`${id}: dropped a message: ${(err as Error).message}\n`);
      }
    });
    say('ready');
    return;
  }
  const [first, last, requests, warmup, concurrency] = rest.map(Number) as [number, number, number, number, number];
  if (![first, last, requests, warmup, concurrency].every(Number.isInteger) || requests < 1 || warmup < 0 || concurrency < 1) throw new Error('bare source: FIRST_LAYER LAST_LAYER REQUESTS WARMUP CONCURRENCY must be integers (REQUESTS, CONCURRENCY ≥ 1)');
  const [firstLayers, lastLayers] = [layersAt(String(first)), layersAt(String(last))];
  const model = loadLenetInt8();
  const digits = loadMnistSplit().test;
  const total = warmup + requests;
  const pending = new Map<number, { sentAt: number; label: number; timer: NodeJS.Timeout }>();
  const latencies: number[] = [];
  let sent = 0, answered = 0, failed = 0, correct = 0, warmAt = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });

  const settle = (n: number, predicted?: number) => {
    const p = pending.get(n);
    if (!p) return;
    pending.delete(n);
    clearTimeout(p.timer);
    answered++;
    if (predicted === undefined) failed++;
    else if (answered > warmup) {
      latencies.push(performance.now() - p.sentAt);
      if (predicted === p.label) correct++;
    }
    if (answered === warmup) { warmAt = performance.now(); say('warm'); }
    if (answered === total) finish(); else launch();
  };
  const launch = () => {
    while (pending.size < concurrency && sent < total) {
      const n = sent++;
      const digit = digits[n % digits.length]!;
      const sentAt = performance.now();
      const timer = setTimeout(() => settle(n), REQUEST_DEADLINE_MS);
      pending.set(n, { sentAt, label: digit.label, timer });
      client.publish(out, frame(n, run(firstLayers, quantizeInput(model, digit.image))), { qos: 0 });
    }
  };
  client.on('message', (_topic, payload) => {
    try {
      const { n, activation } = unframe(payload);
      settle(n, argmax(run(lastLayers, activation)));
    } catch (err) {
      process.stderr.write(`${id}: dropped a message: ${(err as Error).message}\n`);
    }
  });
  say('ready');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).on('line', (line) => { if (line.trim() === 'go') resolve(); }));
  if (warmup === 0) { warmAt = performance.now(); say('warm'); }
  launch();
  await finished;
  say('done', { seconds: (performance.now() - warmAt) / 1000, latencies_ms: latencies, failed, correct });
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
