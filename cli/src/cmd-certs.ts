/**
 * `layerfleet certs init --state DIR [--host NAME,...] [--json]`: makes the TLS certificates a
 * new install needs, in DIR/tls/: a fleet CA (`ca.crt`, which devices and dashboards trust, and
 * `ca.key`, which stays with the operator) and the gateway's certificate for this host's names
 * plus `--host`. What exists is kept: run it again with another --host to add a name. A gateway
 * started with --tls-port or --ws-port does the same on its own; this is for setting up first,
 * and for reading the CA's fingerprint to compare with what a device was given.
 */
import { ensureCertificates } from '@layerfleet/gateway';
import { parseFlags, stringFlag } from './args.js';

const USAGE = 'certs init --state DIR [--host NAME,...] [--json]';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'init') throw new Error(`certs: expected init (${USAGE}), got ${JSON.stringify(sub ?? '')}`);
  const flags = parseFlags(rest, { state: 'string', host: 'string', json: 'boolean' });
  const stateDir = stringFlag(flags, 'state') ?? '.layerfleet';
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
