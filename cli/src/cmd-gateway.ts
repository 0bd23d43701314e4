/**
 * `layerfleet gateway`: a gateway alone. Prints one JSON line `{"event":"listening",…}` on stdout when up.
 * `--tls-port P` adds an mqtts listener, `--ws-port P` MQTT over WebSocket at /mqtt (`--ws-tls`: wss);
 * either makes DIR/tls/ certificates on first use (`--tls-host NAME,...`: more names for the gateway's
 * certificate), and the line then carries every URL and the fleet CA's path.
 */
import { startGateway } from '@layerfleet/gateway';
import { DEFAULT_STRATEGY } from '@layerfleet/planner';
import { parseCommandFlags, numberFlag, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { strategyOptions } from './strategy-option.js';
import { createdStateDir, DEFAULT_STATE_DIR } from './state-dir.js';
import { createLogger, lineLogger, LOG_FLAGS } from './logging.js';

export const spec: CommandSpec = {
  name: 'gateway',
  summary: 'run a gateway: MQTT broker, device registry, planner, audit ledger; prints {"event":"listening",…} when up',
  flags: {
    port: { type: 'number', default: 1883, unit: 'TCP port (0: any free one)', description: 'MQTT listener' },
    host: { type: 'string', value: 'ADDRESS', default: '127.0.0.1', description: 'address to listen on (loopback only unless given, as Mosquitto 2 does; 0.0.0.0 or :: for every interface)' },
    state: { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: 'state directory: keys, devices.json, ledger, tls/ (created if missing)' },
    access: { type: 'string', value: 'enrolled|open', default: 'enrolled', description: 'enrolled: only devices enrolled with `layerfleet enroll`; open: any device that says hello' },
    privacy: { type: 'string', value: 'none|two-hidden|half', default: 'none', description: 'layers that only trusted devices may compute' },
    trusted: { type: 'string', value: 'ID,...', description: 'device ids trusted with private layers' },
    strategy: { type: 'string', value: 'NAME', default: DEFAULT_STRATEGY, description: 'placement strategy: segment-dp, exact, rl-pdnn, static or neurosurgeon' },
    policy: { type: 'string', value: 'FILE', defaultNote: 'the trained policy for the workload', description: 'rl-pdnn policy file (from layerfleet train-rl)' },
    'queue-timeout': { type: 'number', default: 5000, unit: 'ms', description: 'how long a request nobody can take waits (0: fail it at once)' },
    'max-queued': { type: 'number', default: 100, unit: 'requests', description: 'requests waiting at most' },
    'tls-port': { type: 'number', unit: 'TCP port (0: any free one)', description: 'add an mqtts listener (makes DIR/tls/ certificates on first use)' },
    'ws-port': { type: 'number', unit: 'TCP port (0: any free one)', description: 'add MQTT over WebSocket at /mqtt' },
    'http-port': { type: 'number', unit: 'TCP port (0: any free one)', description: 'serve the live dashboard at / and Prometheus metrics at /metrics (adds --ws-port 0 when no WebSocket listener is asked for: the page reads telemetry over it)' },
    'ws-tls': { type: 'boolean', description: 'the WebSocket listener speaks wss' },
    'tls-host': { type: 'string', value: 'NAME,...', description: "more names for the gateway's certificate (with --tls-port or --ws-port)" },
    capture: { type: 'string', value: 'FILE', description: 'write every MQTT packet the broker sees to FILE' },
    quiet: { type: 'boolean', description: 'no log lines on stderr' },
    ...LOG_FLAGS,
  },
};

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const access = requiredString(flags, 'access');
  if (access !== 'open' && access !== 'enrolled') throw new Error(`--access: expected enrolled (only enrolled devices, see layerfleet enroll) or open, got ${access}`);
  const privacy = requiredString(flags, 'privacy');
  if (!['none', 'two-hidden', 'half'].includes(privacy)) throw new Error(`--privacy: expected none, two-hidden or half, got ${privacy}`);
  const queueTimeoutMs = requiredNumber(flags, 'queue-timeout');
  if (queueTimeoutMs < 0) throw new Error(`--queue-timeout: expected ms ≥ 0 (0 fails unplaceable requests at once), got ${queueTimeoutMs}`);
  const maxQueued = requiredNumber(flags, 'max-queued');
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error(`--max-queued: expected a whole number ≥ 0, got ${maxQueued}`);
  const portFlag = (name: string) => {
    const port = numberFlag(flags, name);
    if (port === undefined) return undefined;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${name}: expected a port 0-65535 (0: any free one), got ${port}`);
    return port;
  };
  const port = portFlag('port') ?? 1883;
  const tlsPort = portFlag('tls-port');
  const httpPort = portFlag('http-port');
  const wsPort = portFlag('ws-port') ?? (httpPort === undefined ? undefined : 0);
  const tlsHosts = (stringFlag(flags, 'tls-host') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (flags['ws-tls'] && wsPort === undefined) throw new Error('--ws-tls: there is no WebSocket listener to secure; add --ws-port P');
  if (tlsHosts.length > 0 && tlsPort === undefined && wsPort === undefined) throw new Error('--tls-host: names for the gateway certificate need --tls-port or --ws-port');
  const logger = (await createLogger({ name: 'gateway', quiet: flags.quiet === true, level: requiredString(flags, 'log-level'), ...(stringFlag(flags, 'log-format') === undefined ? {} : { format: stringFlag(flags, 'log-format')! }) }));
  const stateDir = await createdStateDir(requiredString(flags, 'state'));
  const host = stringFlag(flags, 'host');
  const capture = stringFlag(flags, 'capture');
  const strategy = requiredString(flags, 'strategy');
  const gw = await startGateway({
    port,
    ...(host ? { host } : {}),
    stateDir,
    privacy: privacy as 'none',
    trusted: (stringFlag(flags, 'trusted') ?? '').split(',').filter(Boolean),
    ...(capture ? { capturePath: capture } : {}),
    strategy,
    ...(await strategyOptions(strategy, stringFlag(flags, 'policy'))),
    queueTimeoutMs,
    maxQueued,
    access,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    ...(wsPort === undefined ? {} : { wsPort, wsTls: flags['ws-tls'] === true }),
    tlsHosts,
    ...(httpPort === undefined ? {} : { httpPort }),
    log: lineLogger(logger),
  });
  console.log(JSON.stringify({ event: 'listening', port: gw.port, url: gw.url, urls: gw.urls, ...(gw.caPath ? { ca: gw.caPath } : {}), ...(gw.httpUrl ? { dashboard: gw.httpUrl, metrics: `${gw.httpUrl}metrics` } : {}), keys: gw.keysPath, strategy: gw.stats.strategy, access }));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // An operator who sends HUP to every layerfleet process (agents rotate their keys on it) must
    // not take the gateway down: Node's default for SIGHUP is to exit.
    process.on('SIGHUP', () => logger.warn('SIGHUP: nothing to reload (restart the gateway to change its flags); still running'));
  });
  await gw.close();
  logger.info({ stats: gw.stats, rejections: gw.rejections.toJSON() }, `stopped (${gw.stats.strategy}): ${gw.stats.completed} completed, ${gw.stats.failed} failed, ${gw.stats.queued} queued (${gw.stats.queueTimeouts} timed out)`);
}
