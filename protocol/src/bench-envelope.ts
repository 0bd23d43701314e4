/**
 * How long seal and open take per payload size, for the native and the portable suite — the
 * numbers behind DESIGN.md "Measured here". Each cell runs at least MIN_ITERATIONS times and
 * until CELL_MS have passed, so fast cells average many runs and the slow pure-JS cells at 1 MB
 * stay bounded (a few seconds each).
 */
import { portableCrypto } from './crypto-portable.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import { open, seal, type KeyAgreement } from './envelope.js';
import { generateDeviceKeys } from './keys.js';
import { StaticSecrets } from './static-secrets.js';

const MIN_ITERATIONS = 3;
const CELL_MS = 250; // per operation, so ~0.5 s per (size, suite) cell

export interface EnvelopeBenchRow {
  bytes: number;
  suite: string;
  sealUs: number;
  openUs: number;
}

function timeUs(run: () => void): number {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (n < MIN_ITERATIONS || elapsed < CELL_MS) {
    run();
    n++;
    elapsed = performance.now() - start;
  }
  return Math.round((elapsed * 1000) / n);
}

export function benchEnvelope(sizes: number[] = [1024, 65536, 1048576]): EnvelopeBenchRow[] {
  const sender = generateDeviceKeys('bench-sender');
  const recipient = generateDeviceKeys('bench-recipient');
  const topic = 'lf/v1/dev/bench-recipient/in';
  const senderKey = (id: string) => (id === sender.id ? sender.signPublic : undefined);
  const rows: EnvelopeBenchRow[] = [];
  for (const bytes of sizes) {
    const payload = nativeCrypto.randomBytes(bytes);
    for (const suite of [nativeCrypto, portableCrypto] as CryptoSuite[]) {
      let seq = 0;
      const input = () => ({ sender, recipient, topic, seq: seq++, ts: Date.now(), payload });
      const sealUs = timeUs(() => void seal(input(), suite));
      const sealed = seal(input(), suite);
      const openUs = timeUs(() => void open(sealed, { recipient, topic, senderKey, suite }));
      rows.push({ bytes, suite: suite.name, sealUs, openUs });
    }
  }
  return rows;
}

/** CPU time of this process so far, ms (all its threads: user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface KeyAgreementBenchRow {
  bytes: number;
  /** CPU µs per message, ECDH-ES + HKDF-256 (-25): a fresh ephemeral key per message. */
  esSealUs: number;
  esOpenUs: number;
  /** CPU µs per message, ECDH-SS + HKDF-256 (-27): the pair's X25519 secret cached on both sides, a fresh PartyU nonce per message. */
  ssSealUs: number;
  ssOpenUs: number;
}

/**
 * Seal and open per message with node:crypto for the two key agreements, side by side in the same
 * run, as SecureEndpoint uses them: ECDH-SS with each side's StaticSecrets warm (the steady state
 * between two devices that talk repeatedly). Measured in CPU time of this process (user + system),
 * not wall time, so that other processes on a shared machine do not count; the four operations
 * take turns in small batches until each has had CELL_MS of it, so whatever else varies (caches,
 * frequency) falls on both modes alike.
 */
export function benchKeyAgreement(sizes: number[] = [1024, 65536]): KeyAgreementBenchRow[] {
  const sender = generateDeviceKeys('bench-sender');
  const recipient = generateDeviceKeys('bench-recipient');
  const topic = 'lf/v1/dev/bench-recipient/in';
  const senderKey = (id: string) => (id === sender.id ? sender.signPublic : undefined);
  const senderKexKey = (id: string) => (id === sender.id ? sender.kexPublic : undefined);
  const sealing = new StaticSecrets();
  const opening = new StaticSecrets();
  const rows: KeyAgreementBenchRow[] = [];
  for (const bytes of sizes) {
    const payload = nativeCrypto.randomBytes(bytes);
    let seq = 0;
    const sealWith = (keyAgreement: KeyAgreement) => () => seal({ sender, recipient, topic, seq: seq++, ts: Date.now(), payload, keyAgreement, secrets: sealing });
    const openOf = (sealed: Uint8Array) => () => void open(sealed, { recipient, topic, senderKey, senderKexKey, secrets: opening });
    const ops = [sealWith('ecdh-es'), sealWith('ecdh-ss'), openOf(sealWith('ecdh-es')()), openOf(sealWith('ecdh-ss')())];
    const ms = [0, 0, 0, 0];
    const runs = [0, 0, 0, 0];
    const batch = bytes >= 65536 ? 2 : 10;
    while (ms.some((m) => m < CELL_MS) || runs.some((n) => n < MIN_ITERATIONS)) {
      ops.forEach((op, i) => {
        const start = cpuMs();
        for (let k = 0; k < batch; k++) op();
        ms[i]! += cpuMs() - start;
        runs[i]! += batch;
      });
    }
    const us = (i: number) => Math.round((ms[i]! * 1000) / runs[i]!);
    rows.push({ bytes, esSealUs: us(0), ssSealUs: us(1), esOpenUs: us(2), ssOpenUs: us(3) });
  }
  return rows;
}
