/**
 * How long seal and open take per payload size, for the native and the portable suite — the
 * numbers behind DESIGN.md "Measured here". Each cell runs at least MIN_ITERATIONS times and
 * until CELL_MS have passed, so fast cells average many runs and the slow pure-JS cells at 1 MB
 * stay bounded (a few seconds each).
 */
import { portableCrypto } from './crypto-portable.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import { open, seal } from './envelope.js';
import { generateDeviceKeys } from './keys.js';

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
