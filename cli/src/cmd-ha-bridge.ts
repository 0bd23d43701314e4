/**
 * `layerfleet ha-bridge --gateway URL --to mqtt://HA_BROKER`: Home Assistant MQTT discovery for
 * the fleet, published into the user's own broker (ha/bridge.ts). Prints one JSON line
 * `{"event":"bridging",…}` when started; runs until SIGINT or SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { DASHBOARD_LOGIN_FLAGS, dashboardLogin } from './dashboard-login.js';
import { HaBridge } from './ha/bridge.js';
import { createLogger, LOG_FLAGS } from './logging.js';
import { DEFAULT_BASE_TOPIC, DEFAULT_DISCOVERY_PREFIX } from './ha/discovery.js';

export const spec: CommandSpec = {
  name: 'ha-bridge',
  summary: "Home Assistant MQTT discovery for the fleet, published into your broker with MQTT 5 (Home Assistant never connects to the gateway's)",
  flags: {
    gateway: { type: 'broker-url', required: true, description: "the gateway's broker (mqtt://, mqtts://, ws:// or wss://), read as the dashboard account" },
    ...DASHBOARD_LOGIN_FLAGS,
    to: { type: 'broker-url', required: true, description: "Home Assistant's broker (the one its MQTT integration uses)" },
    'to-username': { type: 'string', value: 'NAME', description: "user name at Home Assistant's broker" },
    'to-password-file': { type: 'string', value: 'FILE', description: "a file holding the password at Home Assistant's broker" },
    'to-ca': { type: 'string', value: 'FILE', description: "CA certificate for an mqtts:// Home Assistant broker" },
    prefix: { type: 'string', value: 'PREFIX', default: DEFAULT_DISCOVERY_PREFIX, description: "Home Assistant's discovery prefix" },
    'base-topic': { type: 'string', value: 'TOPIC', default: DEFAULT_BASE_TOPIC, description: 'where states and availability go in your broker' },
    quiet: { type: 'boolean', description: 'no log lines on stderr' },
    ...LOG_FLAGS,
  },
};

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const prefix = requiredString(flags, 'prefix');
  const base = requiredString(flags, 'base-topic');
  for (const [flag, topic] of [['prefix', prefix], ['base-topic', base]] as const) {
    if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(topic)) throw new Error(`--${flag}: expected topic levels of [A-Za-z0-9_-] separated by /, got ${JSON.stringify(topic)}`);
  }
  const login = await dashboardLogin(flags);
  const toPasswordFile = stringFlag(flags, 'to-password-file');
  const toCa = stringFlag(flags, 'to-ca');
  const toUser = stringFlag(flags, 'to-username');
  const read = async (file: string, flag: string) => readFile(file).catch((err: Error) => { throw new Error(`--${flag}: cannot read ${file} (${err.message})`); });
  const logFormat = stringFlag(flags, 'log-format');
  const logger = (await createLogger({ name: 'ha-bridge', quiet: flags.quiet === true, level: requiredString(flags, 'log-level'), ...(logFormat === undefined ? {} : { format: logFormat }) }));
  const log = (line: string) => logger.info(line);
  const bridge = await HaBridge.start({
    prefix, base,
    gatewayUrl: requiredString(flags, 'gateway'),
    ...(login.username === undefined ? {} : { gatewayUsername: login.username }), ...(login.password === undefined ? {} : { gatewayPassword: login.password }),
    ...(login.ca ? { gatewayCa: login.ca } : {}),
    haUrl: requiredString(flags, 'to'),
    ...(toUser === undefined ? {} : { haUsername: toUser }),
    ...(toPasswordFile === undefined ? {} : { haPassword: (await read(toPasswordFile, 'to-password-file')).toString('utf8').trim() }),
    ...(toCa === undefined ? {} : { haCa: await read(toCa, 'to-ca') }),
    log,
  });
  console.log(JSON.stringify({ event: 'bridging', gateway: requiredString(flags, 'gateway'), to: requiredString(flags, 'to'), prefix, base }));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await bridge.close();
  log(`stopped: ${bridge.counts.configs} configs, ${bridge.counts.states} states sent, ${bridge.counts.republished} republished on Home Assistant's online, ${bridge.counts.telemetry} telemetry messages read`);
}
