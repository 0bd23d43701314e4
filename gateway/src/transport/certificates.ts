/**
 * The fleet's TLS certificates, made on first use of a state directory (DIR/tls/): a fleet CA
 * that devices and dashboards trust (`ca.crt`), and the gateway's server certificate signed by
 * it (`gateway.crt`, `gateway.key`). Private keys are written 0600.
 *
 * An existing CA is never replaced: every device trusts it, so a new one would cut the whole
 * fleet off. The server certificate is cheap to replace, and is reissued by the same CA when it
 * lacks a requested name, no longer pairs with its key or the CA, or nears its end. The CA's key
 * is read only then, so an operator may keep it off the gateway host between reissues.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { issueCa, issueServerCertificate, type PemPair } from './certificate-issuer.js';

export const TLS_DIR = 'tls';
/** A server certificate this close to its end is reissued when the gateway starts. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface FleetCertificates {
  caPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
  /** PEM contents: the CA's certificate, the gateway's certificate and key (the CA's key stays on disk: the gateway never signs with it while running) */
  ca: string;
  cert: string;
  key: string;
  /** SHA-256 of the CA certificate, `AB:CD:…`, for an operator to compare with what a device holds */
  caFingerprint256: string;
  /** the DNS names and IP addresses in the gateway's certificate */
  hosts: string[];
  /** what this call wrote and why, one line each; empty when everything was already in place */
  changes: string[];
}

/** The names the gateway's certificate must carry: the loopback names, this host's name, and `hosts`. */
export function serverNames(hosts: string[]): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  // This host's name is a convenience: one a certificate cannot carry is left out, not an error.
  const own = hostname().toLowerCase();
  if (validName(own)) names.push(own);
  for (const h of hosts) {
    const name = canonicalName(h.trim());
    if (!validName(name)) throw new Error(`TLS host ${JSON.stringify(h)} is neither an IP address nor a DNS name`);
    names.push(name);
  }
  return [...new Set(names)];
}

function canonicalName(name: string): string {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare) === 6) return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  return isIP(bare) ? bare : bare.toLowerCase();
}

function validName(name: string): boolean {
  if (isIP(name)) return true;
  const labels = (name.startsWith('*.') ? name.slice(2) : name).replace(/\.$/, '').split('.');
  return name.length <= 253 && labels.every((l) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l));
}

/** The names in a certificate's subjectAltName, as `serverNames` spells them. */
function namesIn(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').flatMap((entry) => {
    const [kind, value] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
    return kind === 'DNS' || kind === 'IP Address' ? [canonicalName(value)] : [];
  });
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Written beside, then renamed: a crash never leaves half a PEM file. */
async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  // the mode above applies only to a new file; a leftover one keeps its own
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function samePublicKey(cert: X509Certificate, keyPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ format: 'der', type: 'spki' });
  return fromKey.equals(cert.publicKey.export({ format: 'der', type: 'spki' }));
}

/** Loads and checks the CA, or makes one when neither of its files exists; its key may be absent (kept elsewhere). */
async function fleetCa(caPath: string, caKeyPath: string, now: number, changes: string[]): Promise<{ pem: { cert: string; key?: string }; cert: X509Certificate }> {
  const [cert, key] = [await readIfThere(caPath), await readIfThere(caKeyPath)];
  if (cert === undefined && key === undefined) {
    const pem = await issueCa(now);
    await writeWhole(caKeyPath, pem.key, 0o600);
    await writeWhole(caPath, pem.cert, 0o644);
    changes.push(`made a fleet CA: ${caPath}`);
    return { pem, cert: new X509Certificate(pem.cert) };
  }
  if (cert === undefined) {
    throw new Error(`${caPath} is missing but ${caKeyPath} is there: restore it, or remove both to make a new fleet CA (every device then needs the new ca.crt)`);
  }
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${caPath} is not a PEM certificate (${(err as Error).message})`);
  }
  try {
    if (key !== undefined && !samePublicKey(parsed, key)) throw new Error('it is not the key of that certificate');
  } catch (err) {
    throw new Error(`${caKeyPath} does not fit ${caPath}: ${(err as Error).message}`);
  }
  if (!parsed.ca) throw new Error(`${caPath} is not a CA certificate (basicConstraints CA:FALSE)`);
  if (Date.parse(parsed.validTo) <= now) throw new Error(`${caPath} expired on ${parsed.validTo}: remove ca.crt and ca.key to make a new fleet CA, and give every device the new ca.crt`);
  return { pem: key === undefined ? { cert } : { cert, key }, cert: parsed };
}

/** Why the gateway's certificate must be (re)issued, or null when it is fine as it is. */
function serverCertProblem(cert: string | undefined, key: string | undefined, ca: X509Certificate, wanted: string[], now: number): string | null {
  if (cert === undefined || key === undefined) return 'there was none';
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
    if (!samePublicKey(parsed, key)) return 'the certificate and key on disk do not pair';
  } catch (err) {
    return `the one on disk is unreadable (${(err as Error).message})`;
  }
  if (!parsed.checkIssued(ca) || !parsed.verify(ca.publicKey)) return 'the one on disk is not signed by the fleet CA';
  if (Date.parse(parsed.validTo) - now < RENEW_BEFORE_MS) return `the one on disk ends on ${parsed.validTo}`;
  const has = new Set(namesIn(parsed));
  const lacking = wanted.filter((n) => !has.has(n));
  return lacking.length ? `the one on disk lacks ${lacking.join(', ')}` : null;
}

/**
 * Makes what is missing under `stateDir`/tls and returns the paths and PEM contents. `hosts`: more
 * DNS names or IP addresses devices reach the gateway by (the loopback names and this host's
 * name are always in).
 */
export async function ensureCertificates(stateDir: string, opts: { hosts?: string[]; now?: number } = {}): Promise<FleetCertificates> {
  const now = opts.now ?? Date.now();
  const wanted = serverNames(opts.hosts ?? []);
  const dir = join(stateDir, TLS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'gateway.crt');
  const keyPath = join(dir, 'gateway.key');
  const changes: string[] = [];
  const ca = await fleetCa(caPath, caKeyPath, now, changes);

  let server: PemPair = { cert: (await readIfThere(certPath)) ?? '', key: (await readIfThere(keyPath)) ?? '' };
  const problem = serverCertProblem(server.cert || undefined, server.key || undefined, ca.cert, wanted, now);
  if (problem) {
    // names given once (an earlier --tls-host) stay: devices may still reach the gateway by them
    let earlier: string[] = [];
    try { earlier = namesIn(new X509Certificate(server.cert)); } catch { /* none, or unreadable */ }
    const names = [...new Set([...wanted, ...earlier])];
    if (ca.pem.key === undefined) {
      throw new Error(`the gateway certificate ${certPath} must be issued (${problem}), which needs the fleet CA's key ${caKeyPath}: put it back, or run layerfleet certs init where it is kept and copy gateway.crt and gateway.key here`);
    }
    try {
      server = await issueServerCertificate({ cert: ca.pem.cert, key: ca.pem.key }, names, now);
    } catch (err) {
      throw new Error(`cannot issue the gateway certificate with ${caKeyPath}: ${(err as Error).message}`);
    }
    await writeWhole(keyPath, server.key, 0o600);
    await writeWhole(certPath, server.cert, 0o644);
    changes.push(`issued the gateway certificate ${certPath} for ${names.join(', ')} (${problem})`);
  }
  return {
    caPath, caKeyPath, certPath, keyPath,
    ca: ca.pem.cert, cert: server.cert, key: server.key,
    caFingerprint256: ca.cert.fingerprint256,
    hosts: namesIn(new X509Certificate(server.cert)),
    changes,
  };
}
