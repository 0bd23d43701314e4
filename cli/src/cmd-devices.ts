/**
 * `layerfleet devices list --state DIR [--json]` (with each device's last key rotation) and `layerfleet devices revoke ID --state DIR
 * [--why TEXT]`. A revocation is written to DIR/devices.json, which a running gateway watches:
 * the device's connection is dropped at once, it cannot connect again, and it is never planned.
 */
import { keyFingerprint } from '@layerfleet/protocol';
import { DeviceStore } from '@layerfleet/gateway';
import { parseFlags, stringFlag } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const flags = parseFlags(rest, { state: 'string', json: 'boolean' });
    const store = new DeviceStore(stringFlag(flags, 'state') ?? '.layerfleet');
    if (flags.json) { console.log(JSON.stringify(store.list())); return 0; }
    for (const d of store.list()) {
      const rotated = d.rotatedAt === undefined ? '' : `  rotated ${new Date(d.rotatedAt).toISOString()} (key ${keyFingerprint(Buffer.from(d.signPublic, 'hex'))}, ${d.previousKeys?.length ?? 0} retired)`;
      console.log(`${d.id.padEnd(24)} owner ${d.owner.padEnd(12)} ${d.trusted ? 'trusted  ' : 'untrusted'} enrolled ${new Date(d.enrolledAt).toISOString()}${rotated}${d.revokedAt ? `  REVOKED ${new Date(d.revokedAt).toISOString()} (${d.revokedWhy})` : ''}`);
    }
    return 0;
  }
  if (sub === 'revoke') {
    const [id, ...more] = rest;
    if (!id || id.startsWith('--')) throw new Error('devices revoke: expected a device id: devices revoke ID --state DIR [--why TEXT]');
    const flags = parseFlags(more, { state: 'string', why: 'string' });
    const store = new DeviceStore(stringFlag(flags, 'state') ?? '.layerfleet');
    if (!store.get(id)) throw new Error(`devices revoke: ${id} is not enrolled here (${store.path})`);
    if (!store.revoke(id, stringFlag(flags, 'why') ?? 'revoked by the operator')) throw new Error(`devices revoke: ${id} was already revoked`);
    console.error(`devices: ${id} revoked; a running gateway drops it at once`);
    return 0;
  }
  throw new Error(`devices: expected list or revoke (got ${JSON.stringify(sub ?? '')})`);
}
