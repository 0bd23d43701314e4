/**
 * `layerfleet enroll --state DIR --id ID [--owner NAME] [--trusted] [--boards N] [--ttl-hours H]`:
 * issues a one-time enrolment token for device ID (printed on stdout). The device presents it
 * once (`layerfleet agent --enroll-token TOKEN`), proving its keys; afterwards it connects with
 * credentials derived from its signing key. `--trusted` lets the planner give it any layer;
 * `--boards N` lets it, as a board host, enrol up to N boards (`ID.<board>`) by vouching for them.
 */
import { issueEnrolmentToken } from '@layerfleet/gateway';
import { parseCommandFlags, requiredNumber, requiredString, type CommandSpec } from './args.js';
import { createdStateDir, DEFAULT_STATE_DIR } from './state-dir.js';

export const spec: CommandSpec = {
  name: 'enroll',
  summary: 'issue a one-time enrolment token for a device id (printed on stdout)',
  flags: {
    id: { type: 'string', value: 'ID', required: true, description: 'the device id the token enrols' },
    state: { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: "the gateway's state directory (created if missing)" },
    owner: { type: 'string', value: 'NAME', default: 'unassigned', description: "the device's owner, for the registry and the ledger" },
    trusted: { type: 'boolean', description: 'the planner may give the device any layer, private ones too' },
    boards: { type: 'number', default: 0, unit: 'boards (0-64)', description: 'as a board host, the device may enrol this many boards (ID.<board>) by vouching for them' },
    'ttl-hours': { type: 'number', default: 24, unit: 'hours', description: 'how long the token stays usable' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  const id = requiredString(flags, 'id');
  const hours = requiredNumber(flags, 'ttl-hours');
  if (!(hours > 0)) throw new Error(`--ttl-hours: expected hours > 0, got ${hours}`);
  const owner = requiredString(flags, 'owner');
  const boards = requiredNumber(flags, 'boards');
  if (!Number.isInteger(boards) || boards < 0 || boards > 64) throw new Error(`--boards: expected a whole number of boards from 0 to 64, got ${boards}`);
  const stateDir = await createdStateDir(requiredString(flags, 'state'));
  const token = issueEnrolmentToken(stateDir, { id, owner, trusted: flags.trusted === true, ...(boards ? { boards } : {}) }, hours * 3600_000);
  console.error(`enroll: token for ${id} (owner ${owner}${flags.trusted ? ', trusted' : ''}${boards ? `, may vouch for ${boards} boards` : ''}), valid ${hours} h, usable once`);
  console.log(token);
  return 0;
}
