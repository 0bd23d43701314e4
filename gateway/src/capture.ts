/** Writes every data-plane envelope that crosses the broker as an RFC 8742 CBOR sequence of `{ topic, payload }`. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { Encoder } from 'cbor-x';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

export class Capture {
  private readonly out: WriteStream;
  count = 0;
  constructor(path: string) { this.out = createWriteStream(path); }

  write(topic: string, payload: Uint8Array): void {
    this.out.write(cbor.encode({ topic, payload: new Uint8Array(payload) }));
    this.count++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
