/**
 * How `status` and `ha-bridge` log in to a gateway's broker: as the read-only `dashboard` account,
 * its password read from the gateway's DIR/dashboard.secret (`--state`) or from `--password-file`;
 * with neither, no credentials (an open-access gateway). `--ca` verifies an mqtts:// or wss:// one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DASHBOARD_USERNAME } from '@layerfleet/protocol';
import { DASHBOARD_SECRET_FILE } from '@layerfleet/gateway';
import { stringFlag, type Flags } from './args.js';
export { DASHBOARD_LOGIN_FLAGS } from './dashboard-login-flags.js';


export interface DashboardLogin { username?: string; password?: string; ca?: Buffer }

export async function dashboardLogin(flags: Flags): Promise<DashboardLogin> {
  const state = stringFlag(flags, 'state');
  const passwordFile = stringFlag(flags, 'password-file') ?? (state === undefined ? undefined : join(state, DASHBOARD_SECRET_FILE));
  const caFile = stringFlag(flags, 'ca');
  const read = async (file: string, flag: string) => readFile(file).catch((err: Error) => { throw new Error(`--${flag}: cannot read ${file} (${err.message})`); });
  const password = passwordFile === undefined ? undefined : (await read(passwordFile, stringFlag(flags, 'password-file') === undefined ? 'state' : 'password-file')).toString('utf8').trim();
  return {
    ...(password === undefined ? {} : { username: DASHBOARD_USERNAME, password }),
    ...(caFile === undefined ? {} : { ca: await read(caFile, 'ca') }),
  };
}
