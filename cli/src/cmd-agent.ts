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
import { Agent, measureMacsPerSecond, runSource } from '@layerfleet/agent';
import { parseFlags, numberFlag, stringFlag } from './args.js';
import { startBoardDevices, stopBoardDevices } from '@layerfleet/agent';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    id: 'string', broker: 'string', state: 'string', 'gateway-keys': 'string', 'macs-budget': 'string', memory: 'string',
    'link-mbps': 'string', boards: 'string', baud: 'string', 'line-noise': 'string', 'board-macs-budget': 'string', 'enroll-token': 'string', ca: 'string', source: 'boolean', inferences: 'string', concurrency: 'string', rate: 'string', quiet: 'boolean',
  });
  const id = stringFlag(flags, 'id');
  if (!id) throw new Error('--id is required');
  const stateDir = stringFlag(flags, 'state') ?? '.layerfleet';
  const keysFile = stringFlag(flags, 'gateway-keys') ?? join(stateDir, 'gateway.pub.cose');
  const gateway = decodePublicKeys(await readFile(keysFile).catch(() => { throw new Error(`--gateway-keys: cannot read ${keysFile}`); }));
  const caFile = stringFlag(flags, 'ca');
  const ca = caFile === undefined ? undefined : await readFile(caFile).catch((err: Error) => { throw new Error(`--ca: cannot read ${caFile} (${err.message})`); });
  if (ca && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--ca: ${caFile} holds no PEM certificate (expected the gateway's DIR/tls/ca.crt)`);
  const model = loadLenetInt8();
  const measured = measureMacsPerSecond(model);
  const log = flags.quiet ? () => {} : (line: string) => console.error(line);
  const budget = flags['macs-budget'] === undefined ? undefined : numberFlag(flags, 'macs-budget', 0);
  const memory = flags.memory === undefined ? undefined : numberFlag(flags, 'memory', 0);
  const isSource = flags.source === true;
  const agent = await Agent.start({
    id, stateDir, gateway, log,
    brokerUrl: stringFlag(flags, 'broker') ?? 'mqtt://127.0.0.1:1883',
    role: isSource ? 'source' : 'worker',
    measuredMacsPerSecond: measured,
    ...(budget === undefined ? {} : { macsBudget: budget }),
    ...(memory === undefined ? {} : { memoryBytes: memory }),
    rateBitsPerSecond: numberFlag(flags, 'link-mbps', 100) * 1e6,
    ...(stringFlag(flags, 'enroll-token') ? { enrolToken: stringFlag(flags, 'enroll-token')! } : {}),
    ...(ca ? { ca } : {}),
    ...(isSource ? { requestRate: numberFlag(flags, 'rate', 10) } : {}),
  });
  log(`[${id}] up: ${(measured / 1e6).toFixed(0)} MMAC/s measured, offering ${(agent.capabilities().macsPerSecond / 1e6).toFixed(2)} MMAC/s`);
  const ports = (stringFlag(flags, 'boards') ?? '').split(',').filter((p) => p.length > 0);
  const boards = await startBoardDevices(ports, {
    id, stateDir, gateway, log, brokerUrl: stringFlag(flags, 'broker') ?? 'mqtt://127.0.0.1:1883', ...(ca ? { ca } : {}), rateBitsPerSecond: numberFlag(flags, 'link-mbps', 100) * 1e6,
    vouchingHost: () => agent.endpoint.keys,
  }, { baudRate: numberFlag(flags, 'baud', 115200), lineNoise: numberFlag(flags, 'line-noise', 0),
    ...(flags['board-macs-budget'] === undefined ? {} : { macsBudget: numberFlag(flags, 'board-macs-budget', 0) }) });
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
  const inferences = numberFlag(flags, 'inferences', 100);
  const results = await runSource(agent, { model, inferences, concurrency: numberFlag(flags, 'concurrency', 4) });
  const correct = results.filter((r) => r.predicted === r.label).length;
  const failed = results.filter((r) => r.error).length;
  log(`[${id}] source done: ${results.length - failed}/${inferences} answered, ${correct} correct, ${failed} failed`);
  await agent.close();
}
