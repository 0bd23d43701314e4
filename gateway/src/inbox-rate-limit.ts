/**
 * How many messages each client may have the gateway open per second. Opening one costs an
 * X25519 agreement, a decryption and an Ed25519 verification (~100 µs here), so a single
 * compromised device publishing valid envelopes as fast as its link allows would otherwise take
 * the gateway's whole core. Over its budget a message is dropped before any crypto, and counted
 * (`rate-limit`). The budget is far above an honest device's: a source at 100 requests/s sends
 * a few hundred messages a second.
 */
export const DEFAULT_INBOX_RATE = 1000;
export const DEFAULT_INBOX_BURST = 2000;

interface Bucket { tokens: number; at: number }

export class InboxRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly perSecond = DEFAULT_INBOX_RATE, readonly burst = DEFAULT_INBOX_BURST, private readonly maxClients = 100_000) {}

  /** Whether `clientId` may have one more message opened now. */
  take(clientId: string, now = performance.now()): boolean {
    let b = this.buckets.get(clientId);
    if (!b) {
      // Bounded: the oldest client's bucket goes first (Map keeps insertion order); it refills to full anyway.
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, at: now };
      this.buckets.set(clientId, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  forget(clientId: string): void { this.buckets.delete(clientId); }
}
