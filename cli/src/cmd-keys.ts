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
import { parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { groupHelp, wantsHelp } from './help.js';
import { DEFAULT_STATE_DIR, existingStateDir } from './state-dir.js';

export const rotateSpec: CommandSpec = {
  name: 'keys rotate',
  summary: "give a stopped device new keys, proven to the gateway (a running agent rotates on SIGHUP)",
  flags: {
    id: { type: 'string', value: 'ID', required: true, description: 'the device whose keys to rotate' },
    state: { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: "the device's state directory, holding ID.sign.cose and ID.kex.cose (must exist)" },
    broker: { type: 'broker-url', default: 'mqtt://127.0.0.1:1883', description: "the gateway's broker" },
    'gateway-keys': { type: 'string', value: 'FILE', defaultNote: 'DIR/gateway.pub.cose', description: "the gateway's public keys" },
    'timeout-ms': { type: 'number', default: 10_000, unit: 'ms', description: "how long to wait for the gateway's answer" },
  },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || wantsHelp([sub])) {
    console.log(groupHelp('keys', 'device keys', [rotateSpec]));
    return sub === undefined ? 1 : 0;
  }
  if (sub !== 'rotate') throw new Error(`keys: expected rotate, got ${JSON.stringify(sub)} (see \`layerfleet keys --help\`)`);
  const flags = parseCommandFlags(rest, rotateSpec);
  if (!flags) return 0;
  const id = requiredString(flags, 'id');
  const stateDir = await existingStateDir(requiredString(flags, 'state'));
  const keysFile = stringFlag(flags, 'gateway-keys') ?? join(stateDir, 'gateway.pub.cose');
  const gateway = decodePublicKeys(await readFile(keysFile).catch(() => { throw new Error(`--gateway-keys: cannot read ${keysFile} (copy the gateway's DIR/gateway.pub.cose here, or point --gateway-keys at it)`); }));
  const timeoutMs = requiredNumber(flags, 'timeout-ms');
  if (!(timeoutMs > 0)) throw new Error(`--timeout-ms: expected milliseconds > 0, got ${timeoutMs}`);
  const r = await rotateStoppedDevice({
    id, stateDir, gateway, timeoutMs, brokerUrl: requiredString(flags, 'broker'),
    log: (line) => console.error(`keys: ${line}`),
  });
  console.error(`keys: ${id} rotated ${r.previous} → ${r.fingerprint} in ${r.ms.toFixed(0)} ms; the gateway refuses the old key from now on`);
  console.log(r.fingerprint);
  return 0;
}
