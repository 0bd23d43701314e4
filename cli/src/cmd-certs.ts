/**
 * `layerfleet certs init --state DIR [--host NAME,...] [--json]`: makes the TLS certificates a
 * new install needs, in DIR/tls/: a fleet CA (`ca.crt`, which devices and dashboards trust, and
 * `ca.key`, which stays with the operator) and the gateway's certificate for this host's names
 * plus `--host`. What exists is kept: run it again with another --host to add a name. A gateway
 * started with --tls-port or --ws-port does the same on its own; this is for setting up first,
 * and for reading the CA's fingerprint to compare with what a device was given.
 */
import { ensureCertificates } from '@layerfleet/gateway';
import { parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { groupHelp, wantsHelp } from './help.js';
import { createdStateDir, DEFAULT_STATE_DIR } from './state-dir.js';

export const initSpec: CommandSpec = {
  name: 'certs init',
  summary: 'make the fleet CA and the gateway certificate in DIR/tls/ (what exists is kept)',
  flags: {
    state: { type: 'string', value: 'DIR', default: DEFAULT_STATE_DIR, description: "the gateway's state directory (created if missing)" },
    host: { type: 'string', value: 'NAME,...', defaultNote: "this host's names", description: "more names for the gateway's certificate" },
    json: { type: 'boolean', description: 'one JSON line: the files and the CA fingerprint' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || wantsHelp([sub])) {
    console.log(groupHelp('certs', 'TLS certificates for a new install', [initSpec]));
    return sub === undefined ? 1 : 0;
  }
  if (sub !== 'init') throw new Error(`certs: expected init, got ${JSON.stringify(sub)} (see \`layerfleet certs --help\`)`);
  const flags = parseCommandFlags(rest, initSpec);
  if (!flags) return 0;
  const stateDir = await createdStateDir(requiredString(flags, 'state'));
  const hosts = (stringFlag(flags, 'host') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const certs = await ensureCertificates(stateDir, { hosts }).catch((err: Error) => { throw new Error(`certs init: ${err.message}`); });
  for (const line of certs.changes) console.error(`certs: ${line}`);
  if (certs.changes.length === 0) console.error(`certs: everything was already in place in ${stateDir}`);
  const { caPath, caKeyPath, certPath, keyPath, caFingerprint256, hosts: names } = certs;
  if (flags.json) {
    console.log(JSON.stringify({ ca: caPath, caKey: caKeyPath, cert: certPath, key: keyPath, caFingerprint256, hosts: names }));
    return 0;
  }
  console.log(`fleet CA          ${caPath}   (give to devices: layerfleet agent --ca FILE; and to dashboards)`);
  console.log(`fleet CA key      ${caKeyPath}   (keep private: it signs gateway certificates)`);
  console.log(`gateway cert      ${certPath}   (${names.join(', ')})`);
  console.log(`gateway key       ${keyPath}`);
  console.log(`CA SHA-256        ${caFingerprint256}`);
  return 0;
}
