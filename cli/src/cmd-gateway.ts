/** `layerfleet gateway`: a gateway alone. Prints one JSON line `{"event":"listening",…}` on stdout when up. */
import { startGateway } from '@layerfleet/gateway';
import { parseFlags, numberFlag, stringFlag } from './args.js';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, { port: 'string', host: 'string', state: 'string', privacy: 'string', trusted: 'string', capture: 'string', quiet: 'boolean' });
  const privacy = stringFlag(flags, 'privacy') ?? 'none';
  if (!['none', 'two-hidden', 'half'].includes(privacy)) throw new Error(`--privacy: expected none, two-hidden or half, got ${privacy}`);
  const gw = await startGateway({
    port: numberFlag(flags, 'port', 1883),
    ...(stringFlag(flags, 'host') ? { host: stringFlag(flags, 'host')! } : {}),
    stateDir: stringFlag(flags, 'state') ?? '.layerfleet',
    privacy: privacy as 'none',
    trusted: (stringFlag(flags, 'trusted') ?? '').split(',').filter(Boolean),
    ...(stringFlag(flags, 'capture') ? { capturePath: stringFlag(flags, 'capture')! } : {}),
    log: flags.quiet ? () => {} : (line) => console.error(`[gateway] ${line}`),
  });
  console.log(JSON.stringify({ event: 'listening', port: gw.port, url: gw.url, keys: gw.keysPath }));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await gw.close();
  console.error(`[gateway] stopped: ${gw.stats.completed} completed, ${gw.stats.failed} failed, rejections ${JSON.stringify(gw.rejections.toJSON())}`);
}
