/**
 * `layerfleet bench e2e`: layerfleet end to end against a bare pipeline, in one run, on loopback.
 *  (a) the bare pipeline — the demo's hops as plaintext mqtt.js processes, no crypto, no planner
 *      (bench-e2e-bare.ts) — over the gateway's Aedes broker and over Mosquitto;
 *  (b) layerfleet with everything on, same topology: a source and three workers, each worker
 *      offering its measured MAC/s, the source declaring a rate above what it gets
 *      (bench-e2e-fleet.ts, through the fleet supervisor `npm start` uses);
 * each at 1 and 8 in flight: p50/p95, inferences/s, CPU ms per inference per process, ours/bare.
 * Then the broker alone under load: the gateway's Aedes with its access hooks against Mosquitto
 * (bench-e2e-broker.ts). Without mosquitto installed, it says so and runs the rest.
 */
import { availableParallelism, loadavg } from 'node:os';
import { layerMacs, loadLenetInt8, outputLength } from '@layerfleet/models';
import { measureMacsPerSecond } from '@layerfleet/agent';
import { bareAssignment, runBare, BARE_SOURCE, BARE_WORKERS } from './bench-e2e-bare.js';
import { loadAedes, loadAnonymous, startOpenAedes, type BrokerLoad, type LoadShape } from './bench-e2e-broker.js';
import { runFleetPipeline, RateRefused } from './bench-e2e-fleet.js';
import { totalCpu, type PipelineFigures } from './bench-e2e-figures.js';
import { findMosquitto, startMosquitto, MOSQUITTO_MISSING } from './bench-e2e-mosquitto.js';
import { descendants } from './bench-e2e-cpu.js';
import type { E2eOptions } from './bench-e2e-options.js';

export { e2eOptions, E2E_FLAGS, type E2eOptions } from './bench-e2e-options.js';

const IN_FLIGHT = [1, 8] as const;
type InFlight = (typeof IN_FLIGHT)[number];
type Runs = Map<InFlight, PipelineFigures>;

const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
const round1 = (x: number) => Math.round(x * 10) / 10;
/** How often the declared rate is halved when the planner refuses it before the bench gives up. */
const MAX_RATE_TRIES = 5;
const oneLine = (f: PipelineFigures) => `p50 ${f.p50_ms} ms, p95 ${f.p95_ms} ms, ${f.per_s}/s, ${totalCpu(f)} CPU ms per inference, ${f.failed} failed`;

/**
 * The rate the source declares unless told: large, yet one a worker's measured budget can carry,
 * or the planner would refuse every request (4.b). Workers measure their MAC/s when they start,
 * several at once on a shared machine, so a quarter of what one process measures here leaves room.
 */
export function declaredRate(): { rate: number; measured: number } {
  const model = loadLenetInt8();
  const measured = measureMacsPerSecond(model);
  const largestMiddle = Math.max(...model.layers.slice(1, -1).map((l) => layerMacs(l.spec)));
  return { rate: Math.max(1, Math.floor((0.25 * measured) / largestMiddle)), measured };
}

export async function benchE2e(o: E2eOptions): Promise<Record<string, unknown>> {
  // Stopped by a signal, the bench stops what it started (brokers, hops, the fleet) before it goes.
  const onSignal = (signal: NodeJS.Signals) => { o.say(`bench e2e: ${signal}, stopping the processes it started`); void stopDescendants().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15))); };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await measure(o);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** SIGTERM to every process below this one, SIGKILL to those still there 3 s later. */
async function stopDescendants(): Promise<void> {
  const pids = [...descendants().keys()];
  const signal = (pid: number, name: NodeJS.Signals) => { try { process.kill(pid, name); } catch { /* gone already */ } };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && pids.some((pid) => descendants().has(pid))) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids) if (descendants().has(pid)) signal(pid, 'SIGKILL');
}

async function measure(o: E2eOptions): Promise<Record<string, unknown>> {
  const { say } = o;
  // what else ran meanwhile: figures taken on a busy machine say so
  const loadBefore = loadavg()[0]!;
  const requests = (c: InFlight) => (c === 1 ? o.requestsC1 : o.requestsC8);
  const mosquittoProgram = o.mosquitto === 'none' ? undefined : o.mosquitto ?? findMosquitto();
  const mosquittoMissing = o.mosquitto === 'none' ? 'Mosquitto left out (--mosquitto none)' : MOSQUITTO_MISSING;
  if (!mosquittoProgram) say(`bench e2e: ${mosquittoMissing}`);
  // the largest activation between two hops: conv1's output
  const bytes = outputLength(loadLenetInt8().layers[0]!.spec);
  const shape: LoadShape = { ...o.broker, bytes };

  say('bench e2e: the broker alone — Aedes with the gateway\'s hooks, Aedes open' + (mosquittoProgram ? ', Mosquitto' : ''));
  const aedes = await loadAedes(shape);
  say(`bench e2e: Aedes with the gateway's hooks ${aedes.hooked.perSecond.toFixed(0)} messages/s, open ${aedes.open.perSecond.toFixed(0)}/s`);
  let mosquittoLoad: BrokerLoad | null = null;
  const bareAedes: Runs = new Map();
  const bareMosquitto: Runs = new Map();
  const ours: Runs = new Map();

  const aedesBroker = await startOpenAedes();
  try {
    for (const c of IN_FLIGHT) {
      say(`bench e2e: bare pipeline over Aedes, ${c} in flight`);
      bareAedes.set(c, await runBare({ url: aedesBroker.url, split: o.bareSplit, requests: requests(c), warmup: o.warmup, concurrency: c, brokerPid: aedesBroker.child.process.pid! }));
      say(`bench e2e: bare over Aedes, ${c} in flight: ${oneLine(bareAedes.get(c)!)}`);
    }
  } finally {
    await aedesBroker.child.stop();
  }
  if (mosquittoProgram) {
    const mosquitto = await startMosquitto(mosquittoProgram);
    try {
      mosquittoLoad = await loadAnonymous(mosquitto.url, mosquitto.child.process.pid!, shape);
      say(`bench e2e: Mosquitto ${mosquittoLoad.perSecond.toFixed(0)} messages/s`);
      for (const c of IN_FLIGHT) {
        say(`bench e2e: bare pipeline over Mosquitto, ${c} in flight`);
        bareMosquitto.set(c, await runBare({ url: mosquitto.url, split: o.bareSplit, requests: requests(c), warmup: o.warmup, concurrency: c, brokerPid: mosquitto.child.process.pid! }));
        say(`bench e2e: bare over Mosquitto, ${c} in flight: ${oneLine(bareMosquitto.get(c)!)}`);
      }
    } finally {
      await mosquitto.stop();
    }
  }
  let rate = o.rate;
  if (rate === undefined) {
    const auto = declaredRate();
    rate = auto.rate;
    say(`bench e2e: this process measures ${(auto.measured / 1e6).toFixed(0)} MMAC/s; layerfleet's source declares ${rate} requests/s (a quarter of that over conv2's MACs; --rate to choose)`);
  }
  for (const c of IN_FLIGHT) {
    for (let tries = 1; ; tries++) {
      say(`bench e2e: layerfleet (signed, encrypted, replay-checked, ledger on), ${c} in flight, source declaring ${rate}/s`);
      try {
        ours.set(c, await runFleetPipeline({ requests: requests(c), warmup: o.warmup, concurrency: c, rate, say }));
        break;
      } catch (err) {
        // the devices measured less MAC/s than expected (a busy machine): halve the declared rate, a few times
        if (!(err instanceof RateRefused) || tries >= MAX_RATE_TRIES || rate <= 1) throw err;
        say(`bench e2e: ${err.message}; trying again at ${Math.floor(rate / 2)}/s`);
        rate = Math.floor(rate / 2);
      }
    }
    say(`bench e2e: layerfleet, ${c} in flight: ${oneLine(ours.get(c)!)}`);
    // the source keeps to the rate it declares: near it, the rate and not layerfleet may be what was measured
    if (ours.get(c)!.per_s >= 0.8 * rate) say(`bench e2e: NOTE layerfleet ran at ${ours.get(c)!.per_s}/s, near the ${rate}/s its source declared and keeps to: run again with a higher --rate to see whether it goes faster`);
  }

  const loadAfter = loadavg()[0]!;
  console.log(`\nmachine: ${availableParallelism()} cores; load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (other processes compete with every figure below)`);
  printTables(o, { bareAedes, bareMosquitto, ours }, { hooked: aedes.hooked, open: aedes.open, mosquitto: mosquittoLoad, missing: mosquittoMissing }, shape);
  if (Object.keys(aedes.hooked.rejections).length > 0) say(`bench e2e: the hooked broker refused something during the load: ${JSON.stringify(aedes.hooked.rejections)}`);

  const get = (runs: Runs, c: InFlight) => runs.get(c);
  const pipeline = (prefix: string, runs: Runs) => {
    const out: Record<string, unknown> = {};
    for (const c of IN_FLIGHT) {
      const f = get(runs, c);
      out[`${prefix}p50_ms_c${c}`] = f?.p50_ms ?? null;
      out[`${prefix}p95_ms_c${c}`] = f?.p95_ms ?? null;
      out[`${prefix}per_s_c${c}`] = f?.per_s ?? null;
      out[`${prefix}cpu_ms_per_inference_c${c}`] = f ? totalCpu(f) : null;
      out[`${prefix}cpu_ms_per_process_c${c}`] = f?.cpu_ms ?? null;
      out[`${prefix}failed_c${c}`] = f?.failed ?? null;
    }
    return out;
  };
  const o1 = ours.get(1)!, o8 = ours.get(8)!, b1 = bareAedes.get(1)!, b8 = bareAedes.get(8)!;
  return {
    ...pipeline('', ours),
    ...pipeline('bare_', bareAedes),
    ...pipeline('bare_mosquitto_', bareMosquitto),
    ratio_p50_c1: ratio(o1.p50_ms, b1.p50_ms),
    ratio_p50_c8: ratio(o8.p50_ms, b8.p50_ms),
    ratio_per_s_c1: ratio(o1.per_s, b1.per_s),
    ratio_per_s_c8: ratio(o8.per_s, b8.per_s),
    ratio_cpu_c1: ratio(totalCpu(o1), totalCpu(b1)),
    ratio_cpu_c8: ratio(totalCpu(o8), totalCpu(b8)),
    broker_msgs_per_s: Math.round(aedes.hooked.perSecond),
    aedes_open_msgs_per_s: Math.round(aedes.open.perSecond),
    mosquitto_msgs_per_s: mosquittoLoad === null ? null : Math.round(mosquittoLoad.perSecond),
    broker_vs_mosquitto: mosquittoLoad === null ? null : ratio(aedes.hooked.perSecond, mosquittoLoad.perSecond),
    broker_cpu_us_per_msg: round1(aedes.hooked.cpuUsPerMessage),
    aedes_open_cpu_us_per_msg: round1(aedes.open.cpuUsPerMessage),
    mosquitto_cpu_us_per_msg: mosquittoLoad === null ? null : round1(mosquittoLoad.cpuUsPerMessage),
    broker_lost: aedes.hooked.lost,
    broker_rejections: aedes.hooked.rejections,
    placements_c1: o1.placements,
    placements_c8: o8.placements,
    bare_placement: bareAssignment(o.bareSplit),
    requests_c1: o.requestsC1, requests_c8: o.requestsC8, warmup: o.warmup, declared_rate_per_s: rate,
    broker_load: shape,
    cores: availableParallelism(), load_average_start: loadBefore, load_average_end: loadAfter,
    mosquitto: mosquittoProgram ? 'measured' : mosquittoMissing,
  };
}

interface AllRuns { bareAedes: Runs; bareMosquitto: Runs; ours: Runs }

function printTables(o: E2eOptions, runs: AllRuns, broker: { hooked: BrokerLoad; open: BrokerLoad; mosquitto: BrokerLoad | null; missing: string }, shape: LoadShape): void {
  const rows: Array<{ label: string; short: string; runs: Runs }> = [
    { label: 'bare mqtt.js over Aedes', short: 'bare/Aedes', runs: runs.bareAedes },
    { label: 'bare mqtt.js over Mosquitto', short: 'bare/Mosq', runs: runs.bareMosquitto },
    { label: 'layerfleet, all security on', short: 'layerfleet', runs: runs.ours },
  ].filter((r) => r.runs.size > 0);
  console.log(`\nend to end: LeNet-5 split over a source and three workers on loopback; ${o.requestsC1} requests at 1 in flight, ${o.requestsC8} at 8, after ${o.warmup} of warm-up each`);
  console.log(`bare split (fixed, --bare-split ${o.bareSplit}): ${bareAssignment(o.bareSplit)}`);
  for (const c of IN_FLIGHT) {
    const placements = Object.entries(runs.ours.get(c)?.placements ?? {}).sort((a, b) => b[1] - a[1]);
    console.log(`layerfleet's planner at ${c} in flight: ${placements.map(([p, n]) => `${p} ×${n}`).join('; ')}`);
  }
  console.log('\npipeline                       in flight   p50 ms   p95 ms   inferences/s   CPU ms/inference   failed');
  for (const c of IN_FLIGHT) {
    for (const r of rows) {
      const f = r.runs.get(c);
      if (!f) continue;
      console.log(`${r.label.padEnd(30)} ${String(c).padStart(9)} ${f.p50_ms.toFixed(2).padStart(8)} ${f.p95_ms.toFixed(2).padStart(8)} ${f.per_s.toFixed(0).padStart(14)} ${totalCpu(f).toFixed(2).padStart(18)} ${String(f.failed).padStart(8)}`);
    }
  }
  console.log('\nours/bare (bare over Aedes, the same broker)   p50      inferences/s   CPU/inference');
  for (const c of IN_FLIGHT) {
    const a = runs.ours.get(c)!, b = runs.bareAedes.get(c)!;
    console.log(`${`${c} in flight`.padEnd(46)} ${ratio(a.p50_ms, b.p50_ms).toFixed(2).padStart(6)}×  ${ratio(a.per_s, b.per_s).toFixed(3).padStart(12)}×  ${ratio(totalCpu(a), totalCpu(b)).toFixed(2).padStart(12)}×`);
  }
  const processes = [...new Set([...rows.flatMap((r) => [...r.runs.values()].flatMap((f) => Object.keys(f.cpu_ms)))])]
    .sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  const columns = rows.flatMap((r) => IN_FLIGHT.filter((c) => r.runs.has(c)).map((c) => ({ head: `${r.short} c${c}`, f: r.runs.get(c)! })));
  console.log(`\nCPU ms per inference, per process (bare: ${BARE_SOURCE} and ${BARE_WORKERS.join(', ')} are mqtt.js hops; broker: the broker's process)`);
  console.log(`${'process'.padEnd(10)}${columns.map((c) => c.head.padStart(15)).join('')}`);
  for (const p of processes) console.log(`${p.padEnd(10)}${columns.map((c) => (c.f.cpu_ms[p] === undefined ? '-' : c.f.cpu_ms[p]!.toFixed(3)).padStart(15)).join('')}`);
  console.log(`\nbroker alone: ${shape.pairs} publisher/subscriber pairs over ${Math.min(shape.loaders, shape.pairs)} load processes, QoS 0, ${shape.bytes}-byte messages, ${shape.messages} per pair, at most ${shape.window} on their way per pair`);
  console.log('broker                                          messages/s   vs Mosquitto   broker CPU µs/message   vs Mosquitto');
  const m = broker.mosquitto;
  const row = (label: string, b: BrokerLoad) => console.log(`${label.padEnd(46)} ${b.perSecond.toFixed(0).padStart(12)} ${m ? `${ratio(b.perSecond, m.perSecond).toFixed(2).padStart(13)}×` : '             -'} ${b.cpuUsPerMessage.toFixed(1).padStart(23)} ${m ? `${ratio(b.cpuUsPerMessage, m.cpuUsPerMessage).toFixed(2).padStart(13)}×` : '             -'}`);
  row('Aedes + gateway hooks (auth, ACL, route table)', broker.hooked);
  row('Aedes open (no hooks)', broker.open);
  if (m) row('Mosquitto', m); else console.log(`Mosquitto: ${broker.missing}`);
  console.log("messages/s is what the pairs got delivered (the load processes share this machine's cores with the broker); CPU µs/message is the broker process's own");
}

/** The gateway and broker first, then the source, then the workers. */
function rank(name: string): number {
  return name === 'gateway' ? 0 : name === 'broker' ? 1 : name === BARE_SOURCE ? 2 : 3;
}
