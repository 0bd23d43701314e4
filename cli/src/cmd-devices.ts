/**
 * `layerfleet devices list --state DIR [--json]` (with each device's last key rotation) and `layerfleet devices revoke ID --state DIR
 * [--why TEXT]`. A revocation is written to DIR/devices.json, which a running gateway watches:
 * the device's connection is dropped at once, it cannot connect again, and it is never planned.
 */
import { keyFingerprint } from '@layerfleet/protocol';
import { DeviceStore } from '@layerfleet/gateway';
import { parseCommand, parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { groupHelp, wantsHelp } from './help.js';
import { DEFAULT_STATE_DIR, existingStateDir } from './state-dir.js';

const stateFlag = { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: "the gateway's state directory (must exist)" } as const;

export const listSpec: CommandSpec = {
  name: 'devices list',
  summary: 'the enrolled devices: owner, trust, enrolment, last key rotation, revocation',
  flags: { state: stateFlag, json: { type: 'boolean', description: 'one JSON array instead of a table' } },
};

export const revokeSpec: CommandSpec = {
  name: 'devices revoke',
  summary: 'revoke a device: a running gateway drops it at once and never lets it back',
  positionals: [{ name: 'ID', description: 'the enrolled device to revoke' }],
  flags: { state: stateFlag, why: { type: 'string', value: 'TEXT', default: 'revoked by the operator', description: 'the reason, kept in devices.json' } },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || wantsHelp([sub])) {
    console.log(groupHelp('devices', 'enrolled devices', [listSpec, revokeSpec]));
    return sub === undefined ? 1 : 0;
  }
  if (sub === 'list') {
    const flags = parseCommandFlags(rest, listSpec);
    if (!flags) return 0;
    const store = new DeviceStore(await existingStateDir(requiredString(flags, 'state')));
    if (flags.json) { console.log(JSON.stringify(store.list())); return 0; }
    for (const d of store.list()) {
      const rotated = d.rotatedAt === undefined ? '' : `  rotated ${new Date(d.rotatedAt).toISOString()} (key ${keyFingerprint(Buffer.from(d.signPublic, 'hex'))}, ${d.previousKeys?.length ?? 0} retired)`;
      console.log(`${d.id.padEnd(24)} owner ${d.owner.padEnd(12)} ${d.trusted ? 'trusted  ' : 'untrusted'} enrolled ${new Date(d.enrolledAt).toISOString()}${rotated}${d.revokedAt ? `  REVOKED ${new Date(d.revokedAt).toISOString()} (${d.revokedWhy})` : ''}`);
    }
    return 0;
  }
  if (sub === 'revoke') {
    const parsed = parseCommand(rest, revokeSpec);
    if (!parsed) return 0;
    const { flags, positionals: [id = ''] } = parsed;
    const store = new DeviceStore(await existingStateDir(requiredString(flags, 'state')));
    if (!store.get(id)) throw new Error(`devices revoke: ${id} is not enrolled here (${store.path}); \`layerfleet devices list --state DIR\` shows who is`);
    if (!store.revoke(id, requiredString(flags, 'why'))) throw new Error(`devices revoke: ${id} was already revoked`);
    console.error(`devices: ${id} revoked; a running gateway drops it at once`);
    return 0;
  }
  throw new Error(`devices: expected list or revoke, got ${JSON.stringify(sub)} (see \`layerfleet devices --help\`)`);
}
