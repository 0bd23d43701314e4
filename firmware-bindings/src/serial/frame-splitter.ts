// Cuts a byte stream into encoded frames at 0x00. Bounded: a run longer than any frame is
// dropped up to the next 0x00 and reported once, never buffered (serialport's own packet
// parsers pass oversize packets through — we do not).
import { MAX_ENCODED_FRAME } from './frame.js';

export type SplitEvent = { kind: 'frame'; bytes: Uint8Array } | { kind: 'too-long'; dropped: number };

export class FrameSplitter {
  private buffer = new Uint8Array(MAX_ENCODED_FRAME);
  private length = 0;
  private dropping = 0;

  /** Feeds received bytes; returns the complete frames (and oversize runs) they finished. */
  push(chunk: Uint8Array): SplitEvent[] {
    const events: SplitEvent[] = [];
    for (const byte of chunk) {
      if (byte === 0) {
        if (this.dropping > 0) {
          events.push({ kind: 'too-long', dropped: this.dropping });
          this.dropping = 0;
        } else if (this.length > 0) {
          // Empty frames (0x00 0x00) are keep-alives or resync padding: skipped silently.
          events.push({ kind: 'frame', bytes: this.buffer.slice(0, this.length) });
        }
        this.length = 0;
      } else if (this.dropping > 0) {
        this.dropping++;
      } else if (this.length === MAX_ENCODED_FRAME) {
        this.dropping = this.length + 1;
        this.length = 0;
      } else {
        this.buffer[this.length++] = byte;
      }
    }
    return events;
  }

  /** Forgets a partial frame, e.g. after the port was reopened. */
  reset(): void {
    this.length = 0;
    this.dropping = 0;
  }
}
