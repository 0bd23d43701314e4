/**
 * A byte-stream guard in front of the broker: it follows MQTT's framing (fixed header, then a
 * variable-length "remaining length", MQTT 3.1.1 §2.2.3) and cuts the connection as soon as a
 * packet *declares* a size over the limit. The broker reads each chunk beside it (`check` on the
 * socket's own 'data' events: wrapping the socket in a stream pipeline added ~250 ms per
 * message), so at most the one chunk holding the header reaches the parser before the cut.
 * Aedes (mqtt-packet) would otherwise collect up to 256 MB per packet in memory; envelopes are
 * refused above 4 MB anyway, so nothing legitimate is ever near the limit.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** The largest MQTT packet accepted: the largest envelope (4 MiB) plus room for topic and headers. */
export const MAX_MQTT_PACKET_BYTES = 4 * 1024 * 1024 + 64 * 1024;

export class PacketSizeError extends Error {
  override name = 'PacketSizeError';
}

export class PacketSizeGuard extends Transform {
  /** Bytes of the current packet's body still to pass through. */
  private bodyLeft = 0;
  /** While reading a header: bytes of the remaining-length field seen, and its value so far. */
  private inHeader = false;
  private lengthBytes = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes = MAX_MQTT_PACKET_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const err = this.check(chunk);
    if (err) done(err);
    else done(null, chunk);
  }

  /** Follows the framing through one chunk; the error that must end the connection, if any. */
  check(chunk: Uint8Array): PacketSizeError | null {
    for (let i = 0; i < chunk.length;) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        continue;
      }
      if (!this.inHeader) {
        // the first byte: packet type and flags
        this.inHeader = true;
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        i++;
        continue;
      }
      const b = chunk[i++]!;
      this.length += (b & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.maxPacketBytes) {
        return new PacketSizeError(`an MQTT packet declares at least ${this.length} bytes, over the ${this.maxPacketBytes}-byte limit`);
      }
      if (b & 0x80) {
        if (this.lengthBytes === 4) return new PacketSizeError('malformed remaining length (more than 4 bytes)');
        continue;
      }
      this.inHeader = false;
      this.bodyLeft = this.length;
    }
    return null;
  }
}
