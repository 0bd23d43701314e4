/**
 * One device's side of the secure channel: seals messages to known peers and opens what arrives,
 * with its own sequence counter and replay window. Gateway and agent both talk through this.
 */
import { seal, open, EnvelopeError, type OpenOptions } from './envelope.js';
import type { DeviceKeys, PublicDeviceKeys } from './keys.js';
import { ReplayWindow } from './replay-window.js';
import { decodeMessage, encodeMessage, type Message } from './messages.js';
import { MessageError } from './fields.js';
import { BoundedCache } from './bounded-cache.js';
import { MESSAGE_SIZE_LIMITS } from './message-limits.js';

export interface Received { sender: string; message: Message; bytes: number }

/** A rejected inbound message: `reason` is the envelope's or 'bad-message'. */
export class Rejected extends Error {
  constructor(readonly reason: string, detail: string) { super(detail); this.name = 'Rejected'; }
}

export class SecureEndpoint {
  private seq: number;
  readonly peers: BoundedCache<PublicDeviceKeys>;
  private readonly replay: ReplayWindow;

  constructor(readonly keys: DeviceKeys, opts: { maxPeers?: number; maxBytes?: number; replay?: ReplayWindow } = {}) {
    // Sequence numbers start from the clock (µs) so they keep rising across restarts and a
    // rebooted device is not mistaken for a replayer.
    this.seq = Date.now() * 1000;
    this.peers = new BoundedCache(opts.maxPeers ?? 10_000);
    this.replay = opts.replay ?? new ReplayWindow();
    this.maxBytes = opts.maxBytes;
  }
  private readonly maxBytes: number | undefined;

  get id(): string { return this.keys.id; }

  addPeer(peer: PublicDeviceKeys): void { this.peers.set(peer.id, peer); }

  seal(to: string, topic: string, message: Message): Uint8Array {
    const peer = this.peers.get(to);
    if (!peer) throw new Error(`no keys for recipient ${to}`);
    return seal({ sender: this.keys, recipient: peer, topic, seq: ++this.seq, ts: Date.now(), payload: encodeMessage(message) });
  }

  /**
   * Opens an envelope from a known peer. `selfCertified` lets a first `hello` carry the keys
   * that verify it (proof of possession of the signing key it announces).
   */
  open(topic: string, data: Uint8Array, selfCertified = false): Received {
    let senderKeyFromHello: Uint8Array | undefined;
    const opts: OpenOptions = {
      recipient: this.keys,
      topic,
      replay: this.replay,
      ...(this.maxBytes ? { maxBytes: this.maxBytes } : {}),
      senderKey: (id: string, unverifiedPayload?: Uint8Array) => {
        const known = this.peers.get(id)?.signPublic;
        if (known || !selfCertified || !unverifiedPayload) return known;
        try {
          const m = decodeMessage(unverifiedPayload);
          // Only the messages that introduce a device may carry the key that verifies them.
          if (m.t === 'hello' || m.t === 'enrol') senderKeyFromHello = m.sign;
        } catch { /* rejected below as unknown sender */ }
        return senderKeyFromHello;
      },
    };
    let opened;
    try {
      opened = open(data, opts);
    } catch (err) {
      if (err instanceof EnvelopeError) throw new Rejected(err.reason, err.message);
      throw err;
    }
    let message: Message;
    try {
      message = decodeMessage(opened.payload);
    } catch (err) {
      if (err instanceof MessageError) throw new Rejected('bad-message', `from ${opened.sender}: ${err.message}`);
      throw err;
    }
    const limit = MESSAGE_SIZE_LIMITS[message.t];
    if (opened.payload.length > limit) throw new Rejected('oversize-message', `from ${opened.sender}: ${message.t} of ${opened.payload.length} bytes, over its limit of ${limit}`);
    return { sender: opened.sender, message, bytes: data.length };
  }
}
