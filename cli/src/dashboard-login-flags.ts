/** The flags that say how to log in as the dashboard account (dashboard-login.ts); apart, so `plan` declares them without loading the gateway. */
import type { FlagSpec } from './args.js';

export const DASHBOARD_LOGIN_FLAGS: Record<string, FlagSpec> = {
  state: { type: 'string', value: 'DIR', description: "the gateway's state directory, to read the dashboard password from (DIR/dashboard.secret)" },
  'password-file': { type: 'string', value: 'FILE', description: 'a file holding the dashboard password (a copy of the gateway\'s DIR/dashboard.secret)' },
  ca: { type: 'string', value: 'FILE', description: "the fleet CA (the gateway's DIR/tls/ca.crt) for an mqtts:// or wss:// gateway" },
};
