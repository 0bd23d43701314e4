/**
 * `layerfleet gateway`: a gateway alone. Prints one JSON line `{"event":"listening",…}` on stdout when up.
 * `--tls-port P` adds an mqtts listener, `--ws-port P` MQTT over WebSocket at /mqtt (`--ws-tls`: wss);
 * either makes DIR/tls/ certificates on first use (`--tls-host NAME,...`: more names for the gateway's
 * certificate), and the line then carries every URL and the fleet CA's path.
 */
import { startGateway } from '@layerfleet/gateway';
import { DEFAULT_STRATEGY } from '@layerfleet/planner';
import { parseFlags, numberFlag, stringFlag } from './args.js';
import { strategyOptions } from './strategy-option.js';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    port: 'string', host: 'string', state: 'string', privacy: 'string', trusted: 'string', capture: 'string', quiet: 'boolean',
    strategy: 'string', policy: 'string', 'queue-timeout': 'string', 'max-queued': 'string', access: 'string',
    'tls-port': 'string', 'ws-port': 'string', 'ws-tls': 'boolean', 'tls-host': 'string',
  });
  const access = stringFlag(flags, 'access') ?? 'enrolled';
  if (access !== 'open' && access !== 'enrolled') throw new Error(`--access: expected enrolled (only enrolled devices, see layerfleet enroll) or open, got ${access}`);
  const privacy = stringFlag(flags, 'privacy') ?? 'none';
  if (!['none', 'two-hidden', 'half'].includes(privacy)) throw new Error(`--privacy: expected none, two-hidden or half, got ${privacy}`);
  const queueTimeoutMs = numberFlag(flags, 'queue-timeout', 5000);
  if (queueTimeoutMs < 0) throw new Error(`--queue-timeout: expected ms ≥ 0 (0 fails unplaceable requests at once), got ${queueTimeoutMs}`);
  const maxQueued = numberFlag(flags, 'max-queued', 100);
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error(`--max-queued: expected a whole number ≥ 0, got ${maxQueued}`);
  const portFlag = (name: string) => {
    if (flags[name] === undefined) return undefined;
    const port = numberFlag(flags, name, 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${name}: expected a port 0-65535 (0: any free one), got ${port}`);
    return port;
  };
  const tlsPort = portFlag('tls-port');
  const wsPort = portFlag('ws-port');
  const tlsHosts = (stringFlag(flags, 'tls-host') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (flags['ws-tls'] && wsPort === undefined) throw new Error('--ws-tls: there is no WebSocket listener to secure; add --ws-port P');
  if (tlsHosts.length > 0 && tlsPort === undefined && wsPort === undefined) throw new Error('--tls-host: names for the gateway certificate need --tls-port or --ws-port');
  const gw = await startGateway({
    port: numberFlag(flags, 'port', 1883),
    ...(stringFlag(flags, 'host') ? { host: stringFlag(flags, 'host')! } : {}),
    stateDir: stringFlag(flags, 'state') ?? '.layerfleet',
    privacy: privacy as 'none',
    trusted: (stringFlag(flags, 'trusted') ?? '').split(',').filter(Boolean),
    ...(stringFlag(flags, 'capture') ? { capturePath: stringFlag(flags, 'capture')! } : {}),
    strategy: stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY,
    ...(await strategyOptions(stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY, stringFlag(flags, 'policy'))),
    queueTimeoutMs,
    maxQueued,
    access,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    ...(wsPort === undefined ? {} : { wsPort, wsTls: flags['ws-tls'] === true }),
    tlsHosts,
    log: flags.quiet ? () => {} : (line) => console.error(`[gateway] ${line}`),
  });
  console.log(JSON.stringify({ event: 'listening', port: gw.port, url: gw.url, urls: gw.urls, ...(gw.caPath ? { ca: gw.caPath } : {}), keys: gw.keysPath, strategy: gw.stats.strategy, access }));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await gw.close();
  console.error(`[gateway] stopped (${gw.stats.strategy}): ${gw.stats.completed} completed, ${gw.stats.failed} failed, ${gw.stats.queued} queued (${gw.stats.queueTimeouts} timed out), rejections ${JSON.stringify(gw.rejections.toJSON())}`);
}
