// A transport that damages what it carries, for rigs that check recovery: bytes flipped or
// dropped at seeded random, and garbage bursts between frames. Deterministic for a given seed.
import type { ByteTransport } from './transport.js';

export interface NoiseOptions {
  /** Per-byte chance that a byte is flipped (xor a random non-zero value). */
  flip?: number;
  /** Per-byte chance that a byte is dropped. */
  drop?: number;
  /** Per-write chance that a burst of random bytes goes out before the write. */
  burst?: number;
  /** Damage the board's answers too, not only what is sent to it. */
  bothWays?: boolean;
  /** Uniform [0, 1) source; seed it for reproducible runs. */
  random: () => number;
}

export interface NoiseCounters { flipped: number; dropped: number; bursts: number }

export function noisyTransport(inner: ByteTransport, options: NoiseOptions): ByteTransport & { noise: NoiseCounters } {
  const noise: NoiseCounters = { flipped: 0, dropped: 0, bursts: 0 };
  const { random, flip = 0, drop = 0, burst = 0 } = options;
  const damage = (bytes: Uint8Array): Uint8Array => {
    const out: number[] = [];
    for (const b of bytes) {
      const r = random();
      if (r < drop) { noise.dropped++; continue; }
      if (r < drop + flip) { noise.flipped++; out.push(b ^ (1 + Math.floor(random() * 255))); continue; }
      out.push(b);
    }
    return Uint8Array.from(out);
  };
  return {
    name: `${inner.name} (noisy)`,
    ...(inner.baudRate === undefined ? {} : { baudRate: inner.baudRate }),
    noise,
    write(bytes) {
      if (random() < burst) {
        noise.bursts++;
        inner.write(Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      }
      inner.write(damage(bytes));
    },
    onData(listener) { inner.onData((chunk) => listener(options.bothWays ? damage(chunk) : chunk)); },
    onClose(listener) { inner.onClose(listener); },
    close() { return inner.close(); },
  };
}
