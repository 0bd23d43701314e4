/** `layerfleet gateway`: a gateway alone. Prints one JSON line `{"event":"listening",…}` on stdout when up. */
import { startGateway, DEFAULT_STRATEGY } from '@layerfleet/gateway';
import { parseFlags, numberFlag, stringFlag } from './args.js';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    port: 'string', host: 'string', state: 'string', privacy: 'string', trusted: 'string', capture: 'string', quiet: 'boolean',
    strategy: 'string', policy: 'string', 'queue-timeout': 'string', 'max-queued': 'string', access: 'string',
  });
  const access = stringFlag(flags, 'access') ?? 'open';
  if (access !== 'open' && access !== 'enrolled') throw new Error(`--access: expected enrolled (only enrolled devices, see layerfleet enroll) or open, got ${access}`);
  const privacy = stringFlag(flags, 'privacy') ?? 'none';
  if (!['none', 'two-hidden', 'half'].includes(privacy)) throw new Error(`--privacy: expected none, two-hidden or half, got ${privacy}`);
  const queueTimeoutMs = numberFlag(flags, 'queue-timeout', 5000);
  if (queueTimeoutMs < 0) throw new Error(`--queue-timeout: expected ms ≥ 0 (0 fails unplaceable requests at once), got ${queueTimeoutMs}`);
  const maxQueued = numberFlag(flags, 'max-queued', 100);
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error(`--max-queued: expected a whole number ≥ 0, got ${maxQueued}`);
  const gw = await startGateway({
    port: numberFlag(flags, 'port', 1883),
    ...(stringFlag(flags, 'host') ? { host: stringFlag(flags, 'host')! } : {}),
    stateDir: stringFlag(flags, 'state') ?? '.layerfleet',
    privacy: privacy as 'none',
    trusted: (stringFlag(flags, 'trusted') ?? '').split(',').filter(Boolean),
    ...(stringFlag(flags, 'capture') ? { capturePath: stringFlag(flags, 'capture')! } : {}),
    strategy: stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY,
    ...(stringFlag(flags, 'policy') ? { policy: stringFlag(flags, 'policy')! } : {}),
    queueTimeoutMs,
    maxQueued,
    access,
    log: flags.quiet ? () => {} : (line) => console.error(`[gateway] ${line}`),
  });
  console.log(JSON.stringify({ event: 'listening', port: gw.port, url: gw.url, keys: gw.keysPath, strategy: gw.stats.strategy, access }));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await gw.close();
  console.error(`[gateway] stopped (${gw.stats.strategy}): ${gw.stats.completed} completed, ${gw.stats.failed} failed, ${gw.stats.queued} queued (${gw.stats.queueTimeouts} timed out), rejections ${JSON.stringify(gw.rejections.toJSON())}`);
}
