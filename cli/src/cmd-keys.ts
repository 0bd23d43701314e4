/**
 * `layerfleet keys rotate --id ID --state DIR [--broker URL] [--gateway-keys FILE] [--timeout-ms N]`:
 * gives a device whose agent is stopped new keys. It connects with the device's current keys
 * (DIR/ID.sign.cose, ID.kex.cose), proves the new ones to the gateway, and leaves them in DIR;
 * the gateway refuses the old ones from then on. Prints the new key's fingerprint (first 16 hex
 * digits of SHA-256 of the signing public key). A running agent rotates on SIGHUP instead.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePublicKeys } from '@layerfleet/protocol';
import { rotateStoppedDevice } from '@layerfleet/agent';
import { numberFlag, parseFlags, stringFlag } from './args.js';

const USAGE = 'keys rotate --id ID --state DIR [--broker URL] [--gateway-keys FILE] [--timeout-ms N]';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'rotate') throw new Error(`keys: expected a subcommand: ${USAGE}`);
  const flags = parseFlags(rest, { id: 'string', state: 'string', broker: 'string', 'gateway-keys': 'string', 'timeout-ms': 'string' });
  const id = stringFlag(flags, 'id');
  if (!id) throw new Error(`keys rotate: --id is required (${USAGE})`);
  const stateDir = stringFlag(flags, 'state') ?? '.layerfleet';
  const keysFile = stringFlag(flags, 'gateway-keys') ?? join(stateDir, 'gateway.pub.cose');
  const gateway = decodePublicKeys(await readFile(keysFile).catch(() => { throw new Error(`--gateway-keys: cannot read ${keysFile}`); }));
  const timeoutMs = numberFlag(flags, 'timeout-ms', 10_000);
  if (!(timeoutMs > 0)) throw new Error(`--timeout-ms: expected milliseconds > 0, got ${timeoutMs}`);
  const r = await rotateStoppedDevice({
    id, stateDir, gateway, timeoutMs, brokerUrl: stringFlag(flags, 'broker') ?? 'mqtt://127.0.0.1:1883',
    log: (line) => console.error(`keys: ${line}`),
  });
  console.error(`keys: ${id} rotated ${r.previous} → ${r.fingerprint} in ${r.ms.toFixed(0)} ms; the gateway refuses the old key from now on`);
  console.log(r.fingerprint);
  return 0;
}
