/**
 * `layerfleet agent`: one device agent; with `--source` it also replays held-out digits as requests;
 * with `--boards P1,usb:SERIAL` each board on those serial ports joins the fleet as a device of its own
 * (and rejoins when its port comes back after an unplug). `--ca FILE`: the fleet CA (the gateway's
 * DIR/tls/ca.crt) that an mqtts:// or wss:// broker must present a certificate from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePublicKeys } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { Agent, chooseKernels, measureKernels, runSource, summarizeSource, progressLine, DEFAULT_REQUEST_TIMEOUT_MS, type SourceStats } from '@layerfleet/agent';
import { parseCommandFlags, numberFlag, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { startBoardDevices, stopBoardDevices } from '@layerfleet/agent';
import { createdStateDir, DEFAULT_STATE_DIR } from './state-dir.js';
import { createLogger, lineLogger, LOG_FLAGS } from './logging.js';

export const spec: CommandSpec = {
  name: 'agent',
  summary: 'run a device agent: a worker computing layers, or with --source a camera sending requests',
  flags: {
    id: { type: 'string', value: 'ID', required: true, description: "this device's id (as enrolled: layerfleet enroll --id ID)" },
    broker: { type: 'broker-url', default: 'mqtt://127.0.0.1:1883', description: "the gateway's broker" },
    state: { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: "where the device's keys live (created if missing)" },
    'gateway-keys': { type: 'string', value: 'FILE', defaultNote: 'DIR/gateway.pub.cose', description: "the gateway's public keys, copied from its state directory" },
    'enroll-token': { type: 'string', value: 'TOKEN', description: 'one-time enrolment token from `layerfleet enroll` on the gateway (first start only)' },
    ca: { type: 'string', value: 'FILE', description: "the fleet CA (the gateway's DIR/tls/ca.crt) an mqtts:// or wss:// broker must present a certificate from" },
    'macs-budget': { type: 'number', unit: 'MAC/s', defaultNote: 'what this machine measures', description: 'compute offered to the fleet' },
    memory: { type: 'number', unit: 'bytes', defaultNote: "this machine's free memory", description: 'memory offered for layers' },
    'link-mbps': { type: 'number', unit: 'Mbit/s', default: 100, description: "this device's network link rate, for the planner" },
    boards: { type: 'string', value: 'P1,usb:SERIAL', description: 'serial ports of boards that join the fleet as devices ID.<board>' },
    baud: { type: 'number', unit: 'bit/s', default: 115200, description: 'serial line rate to the boards' },
    'line-noise': { type: 'number', unit: 'chance per byte', default: 0, description: 'rigs only: flip and drop serial bytes on purpose, both ways' },
    'board-macs-budget': { type: 'number', unit: 'MAC/s', defaultNote: 'what each board measures', description: 'compute each board offers' },
    source: { type: 'boolean', description: 'also send held-out digits as inference requests (a camera)' },
    inferences: { type: 'number', default: 100, unit: 'requests', description: 'with --source: how many to send' },
    concurrency: { type: 'number', default: 4, unit: 'requests', description: 'with --source: how many in flight at once' },
    rate: { type: 'number', default: 10, unit: 'requests/s', description: 'with --source: the request rate announced to the gateway, and kept to' },
    'request-timeout': { type: 'number', default: DEFAULT_REQUEST_TIMEOUT_MS, unit: 'ms', description: 'with --source: how long a request may take before it fails' },
    json: { type: 'boolean', description: 'with --source: the last line of stdout is the summary as one JSON object' },
    quiet: { type: 'boolean', description: 'no log lines on stderr' },
    kernels: { type: 'string', value: 'auto|wasm-simd|typescript', default: 'auto', description: 'int8 kernels for layers computed here: the C kernels as WebAssembly SIMD (auto: when this runtime has it) or the TypeScript reference' },
    ...LOG_FLAGS,
  },
};

export async function run(argv: string[]): Promise<number | void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const id = requiredString(flags, 'id');
  const stateDir = await createdStateDir(requiredString(flags, 'state'));
  const keysFile = stringFlag(flags, 'gateway-keys') ?? join(stateDir, 'gateway.pub.cose');
  const gateway = decodePublicKeys(await readFile(keysFile).catch(() => { throw new Error(`--gateway-keys: cannot read ${keysFile} (copy the gateway's DIR/gateway.pub.cose here, or point --gateway-keys at it)`); }));
  const caFile = stringFlag(flags, 'ca');
  const ca = caFile === undefined ? undefined : await readFile(caFile).catch((err: Error) => { throw new Error(`--ca: cannot read ${caFile} (${err.message})`); });
  if (ca && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--ca: ${caFile} holds no PEM certificate (expected the gateway's DIR/tls/ca.crt)`);
  const model = loadLenetInt8();
  const want = stringFlag(flags, 'kernels') ?? 'auto';
  if (want !== 'auto' && want !== 'wasm-simd' && want !== 'typescript') throw new Error(`--kernels: ${want} is not auto, wasm-simd or typescript`);
  const kernels = await chooseKernels(want);
  // The figure announced is that of the kernels the layers will run on.
  const measured = measureKernels(model, kernels).macsPerSecond;
  const logFormat = stringFlag(flags, 'log-format');
  const log = lineLogger((await createLogger({ name: 'agent', quiet: flags.quiet === true, level: requiredString(flags, 'log-level'), ...(logFormat === undefined ? {} : { format: logFormat }) })).child({ agent: id }));
  const budget = numberFlag(flags, 'macs-budget');
  const memory = numberFlag(flags, 'memory');
  const brokerUrl = requiredString(flags, 'broker');
  const rateBitsPerSecond = requiredNumber(flags, 'link-mbps') * 1e6;
  const enrolToken = stringFlag(flags, 'enroll-token');
  const boardBudget = numberFlag(flags, 'board-macs-budget');
  const isSource = flags.source === true;
  const agent = await Agent.start({
    id, stateDir, gateway, log,
    brokerUrl,
    role: isSource ? 'source' : 'worker',
    measuredMacsPerSecond: measured,
    kernels,
    ...(budget === undefined ? {} : { macsBudget: budget }),
    ...(memory === undefined ? {} : { memoryBytes: memory }),
    rateBitsPerSecond,
    ...(enrolToken ? { enrolToken } : {}),
    ...(ca ? { ca } : {}),
    ...(isSource ? { requestRate: requiredNumber(flags, 'rate') } : {}),
  });
  if (kernels.note) log(`[${id}] ${kernels.note}`);
  log(`[${id}] up: ${(measured / 1e6).toFixed(0)} MMAC/s measured (${kernels.path} kernels), offering ${(agent.capabilities().macsPerSecond / 1e6).toFixed(2)} MMAC/s`);
  const ports = (stringFlag(flags, 'boards') ?? '').split(',').filter((p) => p.length > 0);
  const boards = await startBoardDevices(ports, {
    id, stateDir, gateway, log, brokerUrl, ...(ca ? { ca } : {}), rateBitsPerSecond,
    vouchingHost: () => agent.endpoint.keys,
  }, { baudRate: requiredNumber(flags, 'baud'), lineNoise: requiredNumber(flags, 'line-noise'),
    ...(boardBudget === undefined ? {} : { macsBudget: boardBudget }) });
  const stop = async () => { await stopBoardDevices(boards); await agent.close(); process.exit(0); };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // SIGHUP rotates the device's keys in place (`keys rotate` is for a stopped agent).
  process.on('SIGHUP', () => {
    log(`[${id}] SIGHUP: rotating keys`);
    agent.rotateKeys().then(
      (r) => log(`[${id}] keys rotated: ${r.previous} → ${r.fingerprint} in ${r.ms.toFixed(0)} ms`),
      (err: Error) => log(`[${id}] ${err.message}`),
    );
  });
  if (!isSource) return;
  const inferences = requiredNumber(flags, 'inferences');
  const rate = requiredNumber(flags, 'rate');
  if (!(rate > 0)) throw new Error(`--rate: expected requests per second > 0, got ${rate}`);
  const stats: SourceStats = { sent: 0, answered: 0, failed: 0, inFlight: 0 };
  // progress on stderr once a second, whenever something moved
  let shown = '';
  const progress = setInterval(() => {
    const line = progressLine(id, stats, inferences);
    if (line !== shown && !flags.quiet) console.error(shown = line);
  }, 1000);
  const results = await runSource(agent, {
    model, inferences, rate, stats, concurrency: requiredNumber(flags, 'concurrency'), timeoutMs: requiredNumber(flags, 'request-timeout'),
  }).finally(() => clearInterval(progress));
  const s = summarizeSource(results, stats, rate);
  console.error(`[${id}] source done: ${s.completed}/${inferences} answered, ${s.correct} correct, ${s.failed} failed; p50 ${s.p50_ms ?? '-'} ms, p95 ${s.p95_ms ?? '-'} ms; sent ${s.send_rate_per_s ?? '-'} requests/s (declared ${rate})`);
  for (const [reason, n] of Object.entries(s.failure_reasons)) console.error(`[${id}]   failed ×${n}: ${reason}`);
  if (flags.json) console.log(JSON.stringify(s));
  await agent.close();
  return s.failed > 0 || s.completed < inferences ? 1 : 0;
}
