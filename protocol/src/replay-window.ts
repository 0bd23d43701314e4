/**
 * Replay protection for signed envelopes: a per-sender sliding window over sequence numbers
 * (highest accepted seq + a bitmap of the `windowSize` seqs below it, the scheme of RFC 4303
 * §3.4.3 / RFC 6479), plus a bound on clock skew for the signed timestamp.
 *
 * MQTT with QoS 1 redelivers and a broker may reorder across sessions, so a sequence number
 * within the window that was not yet seen is accepted once; a repeat is 'replay'; one below the
 * window can no longer be told apart from a replay and is 'stale'. The timestamp check is what
 * keeps a captured message from being replayed to a receiver that has no state for its sender
 * (restarted, or evicted the sender) — outside ±maxSkewMs it is 'stale' or 'future'.
 *
 * Memory is bounded: at most `maxSenders` senders are tracked, least recently active evicted
 * first. To keep eviction from reopening the door to replays, the window remembers the newest
 * timestamp it accepted from any evicted sender, and refuses as 'stale' anything from an
 * untracked sender that is not newer than that.
 *
 * Senders must keep `seq` increasing across their own restarts (persist it, or start from a
 * clock value): a receiver that still tracks them would otherwise reject their new messages.
 */
export type ReplayVerdict = null | 'replay' | 'stale' | 'future';

export interface ReplayWindowOptions {
  /** How many sequence numbers below the highest one are remembered. Default 1024. */
  windowSize?: number;
  /** Largest accepted |ts - now|, milliseconds. Default 5 minutes. */
  maxSkewMs?: number;
  /** Most senders tracked at once. Default 4096. */
  maxSenders?: number;
}

interface SenderState {
  highest: number;
  /** Bit (s mod windowSize) is set when seq s, highest - windowSize < s <= highest, was accepted. */
  seen: Uint32Array;
  newestTs: number;
}

export class ReplayWindow {
  readonly windowSize: number;
  readonly maxSkewMs: number;
  readonly maxSenders: number;
  readonly #senders = new Map<string, SenderState>();
  #evictedNewestTs = Number.NEGATIVE_INFINITY;

  constructor(opts: ReplayWindowOptions = {}) {
    this.windowSize = positiveInteger('windowSize', opts.windowSize ?? 1024);
    this.maxSkewMs = nonNegative('maxSkewMs', opts.maxSkewMs ?? 5 * 60_000);
    this.maxSenders = positiveInteger('maxSenders', opts.maxSenders ?? 4096);
  }

  /** Number of senders currently tracked. */
  get trackedSenders(): number {
    return this.#senders.size;
  }

  /** Whether a message would be accepted. Does not change any state; call `accept` after every other check passed. */
  check(sender: string, seq: number, ts: number, now: number): ReplayVerdict {
    checkSeq(seq);
    if (!Number.isFinite(ts)) throw new TypeError(`ts: expected a finite number of milliseconds, got ${ts}`);
    if (!Number.isFinite(now)) throw new TypeError(`now: expected a finite number of milliseconds, got ${now}`);
    if (ts > now + this.maxSkewMs) return 'future';
    if (ts < now - this.maxSkewMs) return 'stale';

    const state = this.#senders.get(sender);
    if (!state) return ts <= this.#evictedNewestTs ? 'stale' : null;
    if (seq > state.highest) return null;
    if (seq <= state.highest - this.windowSize) return 'stale';
    return this.#isSeen(state, seq) ? 'replay' : null;
  }

  /**
   * Records `seq` as seen. `ts` (the message's signed timestamp) is optional but lets eviction stay
   * safe, see the class comment. A seq below the window is ignored: `check` already refused it.
   */
  accept(sender: string, seq: number, ts?: number): void {
    checkSeq(seq);
    let state = this.#senders.get(sender);
    if (state) {
      this.#senders.delete(sender); // re-inserted below: Map order is our LRU order
    } else {
      state = { highest: seq, seen: new Uint32Array(Math.ceil(this.windowSize / 32)), newestTs: Number.NEGATIVE_INFINITY };
    }
    this.#senders.set(sender, state);

    if (seq > state.highest) {
      const advance = seq - state.highest;
      if (advance >= this.windowSize) state.seen.fill(0);
      else for (let s = state.highest + 1; s <= seq; s++) this.#setSeen(state, s, false);
      state.highest = seq;
    }
    if (seq > state.highest - this.windowSize) this.#setSeen(state, seq, true);
    if (ts !== undefined && ts > state.newestTs) state.newestTs = ts;

    while (this.#senders.size > this.maxSenders) {
      const [oldest, oldState] = this.#senders.entries().next().value as [string, SenderState];
      this.#senders.delete(oldest);
      if (oldState.newestTs > this.#evictedNewestTs) this.#evictedNewestTs = oldState.newestTs;
    }
  }

  #isSeen(state: SenderState, seq: number): boolean {
    const bit = seq % this.windowSize;
    return (state.seen[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  #setSeen(state: SenderState, seq: number, on: boolean): void {
    const bit = seq % this.windowSize;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    state.seen[word] = on ? state.seen[word]! | mask : state.seen[word]! & ~mask;
  }
}

function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError(`seq: expected a non-negative safe integer, got ${seq}`);
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`ReplayWindow ${name}: expected a positive integer, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`ReplayWindow ${name}: expected a non-negative number, got ${v}`);
  return v;
}
