/**
 * Issues the fleet CA and the gateway's server certificate with @peculiar/x509 over node's own
 * WebCrypto, so a new install needs no openssl binary. Keys are ECDSA P-256: every TLS stack a
 * device or dashboard might use (OpenSSL, mbedTLS, browsers) verifies it.
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

type X509 = typeof import('@peculiar/x509');

let loaded: Promise<X509> | null = null;

function x509(): Promise<X509> {
  // @peculiar/x509 finds its algorithms through tsyringe, which needs the Reflect metadata API.
  // The polyfill changes a global, so only a process that actually issues a certificate loads it.
  loaded ??= (async () => {
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto);
    return lib;
  })();
  return loaded;
}

/** A certificate and its private key, both PEM (the key as PKCS#8). */
export interface PemPair { cert: string; key: string }

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
export const CA_VALIDITY_DAYS = 3650;
export const SERVER_VALIDITY_DAYS = 365;
// Devices' clocks drift, and a board that just booted may be behind: a certificate dated to the
// exact second it was made would be "not yet valid" to them.
const BACKDATE_MS = 3600_000;

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets, unpredictable). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

export async function issueCa(now: number): Promise<PemPair> {
  const lib = await x509();
  const keys = await newKeyPair();
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    // a random suffix tells two fleets' CAs apart in a trust store that holds both
    name: `CN=layerfleet fleet CA ${randomBytes(4).toString('hex')}, O=layerfleet`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      // pathLen 0: the fleet CA signs gateway certificates only, never another CA
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** The gateway's certificate for `names` (DNS names and IP addresses), signed by `ca`. */
export async function issueServerCertificate(ca: PemPair, names: string[], now: number): Promise<PemPair> {
  const lib = await x509();
  const caCert = new lib.X509Certificate(ca.cert);
  let signingKey: webcrypto.CryptoKey;
  try {
    const der = createPrivateKey(ca.key).export({ format: 'der', type: 'pkcs8' });
    signingKey = await webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
  } catch (err) {
    throw new Error(`the CA key is not an ECDSA P-256 key this gateway can sign with (${(err as Error).message})`);
  }
  const keys = await newKeyPair();
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=layerfleet gateway, O=layerfleet',
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + SERVER_VALIDITY_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n }))),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await lib.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}
