import test from 'ava';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMultiple } from 'cbor-x';
import { loadDeviceKeys, open, decodeMessage, decodePublicKeys, topics } from '@layerfleet/protocol';
import { runCli, lastJsonLine } from '../src/index.js';

test('the demo runs real digits through ≥ 3 devices, one of them an emulated board, and records keys and a capture', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-demo-'));
  const capture = join(dir, 'capture.cborseq');
  const run = await runCli(['demo', '--inferences', '60', '--json', '--capture', capture, '--state', dir]);
  t.is(run.code, 0, run.stderr.slice(-2000));
  const s = lastJsonLine(run);
  t.is(s.inferences, 60);
  t.is(s.completed, 60);
  t.true((s.accuracy as number) >= 0.9, `accuracy ${s.accuracy}`);
  const used = s.devices_used as string[];
  t.true(used.length >= 3, `devices ${used}`); // the source and ≥ 2 more
  t.true(used.some((d) => d.startsWith('pi-1.')), `a board computes layers: ${used}`);
  t.regex(run.stderr, /emulated host board on \/dev\/pts\/\d+/);
  t.true((s.p50_ms as number) > 0 && (s.p95_ms as number) >= (s.p50_ms as number));
  t.true((s.bytes_per_inference as number) > 0);
  // budgets are kept where they are spent: no device reported using more MAC/s than it offers
  const budget = s.budget as Record<string, { budget: number; max_used: number; max_computed: number }>;
  t.true(s.budget_ok as boolean, JSON.stringify(budget));
  for (const id of ['edge-a', 'edge-b', 'edge-c', 'edge-d']) t.truthy(budget[id], `${id} reported its load`);
  for (const [id, b] of Object.entries(budget)) t.true(b.max_used <= b.budget, `${id}: ${b.max_used} of ${b.budget}`);
  t.deepEqual(s.deaths, []);
  // the source kept to its declared 20 requests/s, by its own count and the gateway's
  const source = s.source as { sent: number; send_rate_per_s: number; declared_rate_per_s: number };
  t.is(source.sent, 60);
  t.true(source.send_rate_per_s <= 20 * 1.1, JSON.stringify(source));

  // The first middle device of the first placement: a worker or a board, each with keys of its own.
  const worker = Object.keys(s.placements as Record<string, number>)[0]!.split('→')[1]!;
  for (const id of ['cam1', worker, 'gateway']) {
    const st = await stat(join(dir, `${id}.sign.cose`));
    t.is(st.mode & 0o777, 0o600, `${id}.sign.cose is private`);
    await stat(join(dir, `${id}.kex.cose`));
  }

  // The capture is an RFC 8742 CBOR sequence of { topic, payload } with COSE_Encrypt envelopes that
  // the addressed device (and only it) opens with the keys kept in the state directory.
  const items = decodeMultiple(await readFile(capture)) as Array<{ topic: string; payload: Uint8Array }>;
  t.true(items.length > 60 * 3, `${items.length} envelopes captured`);
  t.true(items.every((i) => i.payload[0] === 0xd8 && i.payload[1] === 96), 'every payload is a tagged COSE_Encrypt (96)');
  const workerKeys = (await loadDeviceKeys(dir, worker))!;
  const gatewayKeys = decodePublicKeys(await readFile(join(dir, 'gateway.pub.cose')));
  // What the gateway sent the worker: its enrolment (challenge, enrolled), then its routes (the
  // activations in its inbox come from other devices, signed by them).
  const fromGateway = items.filter((i) => i.topic === topics.deviceInbox(worker)).flatMap((i) => {
    try {
      const opened = open(i.payload, { recipient: workerKeys, topic: i.topic, senderKey: (id) => (id === 'gateway' ? gatewayKeys.signPublic : undefined) });
      return [{ item: i, message: decodeMessage(opened.payload) }];
    } catch (err) {
      if ((err as Error).message.includes('is not a known device')) return [];
      throw err;
    }
  });
  t.deepEqual(fromGateway.slice(0, 2).map((m) => m.message.t), ['challenge', 'enrolled'], 'the demo enrols its devices');
  const firstPlan = fromGateway.find((m) => m.message.t === 'route')!.item;
  const plan = fromGateway.find((m) => m.message.t === 'route')!.message;
  t.is(plan.t, 'route');
  if (plan.t === 'route') {
    // the worker got weights only for the layers assigned to it
    t.true(plan.layers.length > 0);
    t.true(plan.layers.every((l) => plan.assignment[l.index] === worker));
  }
  const cam1 = (await loadDeviceKeys(dir, 'cam1'))!;
  t.throws(() => open(firstPlan.payload, { recipient: cam1, topic: firstPlan.topic, senderKey: () => gatewayKeys.signPublic }), { message: /recipient|kid/i });
});

test('killing a worker mid-run loses no request: it is re-planned around', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-kill-'));
  // Workers only: with boards the planner may not need edge-c at all.
  const run = await runCli(['demo', '--inferences', '80', '--json', '--state', dir, '--kill', 'edge-c@20', '--boards', 'none']);
  const s = lastJsonLine(run);
  t.is((s.completed as number) + (s.failed as number), 80, 'every request has an outcome');
  t.is(s.completed, 80, `failures: ${JSON.stringify(s.failure_reasons)}`);
  const late = Object.keys(s.placements as Record<string, number>);
  t.true(late.some((p) => p.includes('edge-d')), `a placement uses the spare worker: ${late.join(' ')}`);
  t.regex(run.stderr, /killed edge-c \(SIGKILL\) after \d+ outcomes/);
  t.deepEqual(s.deaths, [], 'an intended kill is not an unexpected death');
  t.is(run.code, 0, 'every request completed');
});
