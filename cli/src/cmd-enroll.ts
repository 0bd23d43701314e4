/**
 * `layerfleet enroll --state DIR --id ID [--owner NAME] [--trusted] [--boards N] [--ttl-hours H]`:
 * issues a one-time enrolment token for device ID (printed on stdout). The device presents it
 * once (`layerfleet agent --enroll-token TOKEN`), proving its keys; afterwards it connects with
 * credentials derived from its signing key. `--trusted` lets the planner give it any layer;
 * `--boards N` lets it, as a board host, enrol up to N boards (`ID.<board>`) by vouching for them.
 */
import { issueEnrolmentToken } from '@layerfleet/gateway';
import { parseFlags, numberFlag, stringFlag } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { state: 'string', id: 'string', owner: 'string', trusted: 'boolean', 'ttl-hours': 'string', boards: 'string' });
  const id = stringFlag(flags, 'id');
  if (!id) throw new Error('enroll: --id is required (the device id the token enrols)');
  const hours = numberFlag(flags, 'ttl-hours', 24);
  if (!(hours > 0)) throw new Error(`--ttl-hours: expected hours > 0, got ${hours}`);
  const stateDir = stringFlag(flags, 'state') ?? '.layerfleet';
  const owner = stringFlag(flags, 'owner') ?? 'unassigned';
  const boards = numberFlag(flags, 'boards', 0);
  if (!Number.isInteger(boards) || boards < 0 || boards > 64) throw new Error(`--boards: expected a whole number of boards from 0 to 64, got ${boards}`);
  const token = issueEnrolmentToken(stateDir, { id, owner, trusted: flags.trusted === true, ...(boards ? { boards } : {}) }, hours * 3600_000);
  console.error(`enroll: token for ${id} (owner ${owner}${flags.trusted ? ', trusted' : ''}${boards ? `, may vouch for ${boards} boards` : ''}), valid ${hours} h, usable once`);
  console.log(token);
  return 0;
}
