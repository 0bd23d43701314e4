/**
 * One board over its serial link: the handshake, provisioning layers (chunked, resumable, with
 * the board's proof of what it stored), running layers, stats and reset. Built on BoardLink,
 * which already retries damaged or lost exchanges; this layer recovers the protocol state those
 * leave behind (an offset the board moved past, a board that rebooted).
 */
import { crc32 } from 'node:zlib';
import { BoardError, BoardProtocolError, bytesField, Command, parseInfo, uintField, type BoardInfo } from './commands.js';
import { BoardLink, BoardTimeoutError, type BootAnnouncement, type LinkOptions } from './link.js';
import type { ByteTransport } from './transport.js';

export interface LoadProgress { slot: number; sent: number; size: number }

export interface LoadResult {
  crc: number;
  /** Bytes the board already held when the transfer (re)started: > 0 means it resumed. */
  resumedFrom: number;
  /** Chunk requests sent, including repeats. */
  chunks: number;
}

export interface RunResult {
  output: Int8Array;
  cycles: number;
  macs: number;
  /** The board's own compute time from its cycle counter, seconds. */
  boardSeconds: number;
}

/** How many times one operation may start over after the board lost its state. */
const MAX_RECOVERIES = 8;

export class Board {
  /** Changes whenever the board announces a (re)boot; layer caches compare against it. */
  bootCount = 0;
  /** Multi-frame operations share the board's staging buffers, so they run one at a time. */
  private operations: Promise<unknown> = Promise.resolve();
  private constructor(readonly link: BoardLink, public info: BoardInfo) {
    link.on('boot', () => { this.bootCount++; });
  }

  /** Handshake: asks `info` and checks the board speaks our protocol. */
  static async open(transport: ByteTransport, options: LinkOptions & { handshakeMs?: number } = {}): Promise<Board> {
    const link = new BoardLink(transport, options);
    const handshakeMs = options.handshakeMs ?? 30_000;
    try {
      // QEMU's pty drops what the board writes until it notices the port was opened (up to ~1 s),
      // and a real board may still be booting: the handshake gets more patience than a request,
      // but within `handshakeMs` in all (`board info` and `flash` give a user at a shell 3 s, as stm32flash gives up within seconds).
      let answer: Record<string, unknown>;
      try {
        answer = await link.request(Command.info, {}, { retries: 12, deadlineMs: handshakeMs });
      } catch (err) {
        if (!(err instanceof BoardTimeoutError)) throw err;
        throw new BoardTimeoutError(`${err.message}: sent \`info\` requests (COBS frames with CRC-32) and expected an \`info\` answer (board id, memory, MAC/s). Is the layerfleet firmware running on that port, at ${transport.baudRate ?? 115200} baud? (\`layerfleet flash --firmware\` writes it)`);
      }
      const info = parseInfo(answer);
      if (info.proto !== 1) throw new BoardProtocolError(`board on ${transport.name} speaks protocol ${info.proto}, this side 1`);
      return new Board(link, info);
    } catch (err) {
      await link.close();
      throw err;
    }
  }

  get name(): string { return this.link.transport.name; }

  async refreshInfo(): Promise<BoardInfo> {
    this.info = parseInfo(await this.link.request(Command.info));
    return this.info;
  }

  onBoot(listener: (boot: BootAnnouncement) => void): void {
    this.link.on('boot', listener);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.operations.then(operation);
    this.operations = run.catch(() => undefined);
    return run;
  }

  /** Stores one layer blob in `slot`; resolves once the board has checked and parsed all of it. */
  load(slot: number, blob: Uint8Array, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
    return this.exclusive(() => this.loadNow(slot, blob, onProgress));
  }

  /** Runs the layers in `slots` in order on `input`; the output is verified against the board's CRC. */
  run(slots: number[], input: Int8Array, expectedMacs = 0): Promise<RunResult> {
    return this.exclusive(() => this.runNow(slots, input, expectedMacs));
  }

  private async loadNow(slot: number, blob: Uint8Array, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
    const size = blob.length;
    const crc = crc32(blob) >>> 0;
    const proof = (m: Record<string, unknown>): LoadResult['crc'] => {
      const stored = uintField(m, 'crc', 'chunk');
      if (stored !== crc) throw new BoardProtocolError(`load slot ${slot}: board stored CRC 0x${stored.toString(16)}, sent 0x${crc.toString(16)}`);
      return stored;
    };
    let chunks = 0;
    for (let recovery = 0; ; recovery++) {
      const opened = await this.link.request(Command.load, { slot, size, crc });
      let next = uintField(opened, 'next', 'load');
      const resumedFrom = next;
      if (opened['done'] === true) {
        onProgress?.({ slot, sent: size, size });
        return { crc: proof(opened), resumedFrom, chunks };
      }
      try {
        while (next < size) {
          const end = Math.min(size, next + this.info.maxChunk);
          chunks++;
          try {
            const m = await this.link.request(Command.chunk, { slot, off: next, data: blob.subarray(next, end) });
            next = uintField(m, 'next', 'chunk');
            onProgress?.({ slot, sent: next, size });
            if (m['done'] === true) return { crc: proof(m), resumedFrom, chunks };
          } catch (err) {
            // The board moved past (an answer was lost after it stored the chunk) or lags: go where it is.
            if (err instanceof BoardError && err.kind === 'offset' && typeof err.details['next'] === 'number') {
              next = err.details['next'];
              continue;
            }
            throw err;
          }
        }
        throw new BoardProtocolError(`load slot ${slot}: all ${size} bytes sent but the board never answered done`);
      } catch (err) {
        // A CRC mismatch empties the slot, a reboot forgets the transfer: open it again.
        const recoverable = err instanceof BoardError && (err.kind === 'blob-crc' || err.kind === 'args' || err.kind === 'slot');
        if (!recoverable || recovery >= MAX_RECOVERIES) throw err;
      }
    }
  }

  private async runNow(slots: number[], input: Int8Array, expectedMacs: number): Promise<RunResult> {
    if (input.length > this.info.maxIo) throw new RangeError(`run on ${this.name}: input of ${input.length} bytes, the board takes at most ${this.info.maxIo}`);
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.length);
    const crc = crc32(bytes) >>> 0;
    const workMs = this.info.macs > 0 ? (1000 * expectedMacs) / this.info.macs : 0;
    for (let recovery = 0; ; recovery++) {
      try {
        await this.sendInput(bytes);
        const m = await this.link.request(Command.run, { slots, len: bytes.length, crc }, { workMs });
        const len = uintField(m, 'len', 'run');
        const outCrc = uintField(m, 'crc', 'run');
        const output = await this.readOutput(len, outCrc);
        const cycles = uintField(m, 'cycles', 'run');
        return { output, cycles, macs: uintField(m, 'macs', 'run'), boardSeconds: this.info.hz > 0 ? cycles / this.info.hz : 0 };
      } catch (err) {
        // `input` refused its offset (an answer lost after the board took the bytes) or the
        // staged input was damaged: stage it again from the start.
        const restage = err instanceof BoardError && (err.kind === 'offset' || err.kind === 'input' || err.kind === 'args');
        if (!restage || recovery >= MAX_RECOVERIES) throw err;
      }
    }
  }

  private async sendInput(bytes: Uint8Array): Promise<void> {
    let off = 0;
    do {
      const end = Math.min(bytes.length, off + this.info.maxChunk);
      const m = await this.link.request(Command.input, { off, data: bytes.subarray(off, end) });
      off = uintField(m, 'next', 'input');
    } while (off < bytes.length);
  }

  private async readOutput(len: number, crc: number): Promise<Int8Array> {
    const out = new Uint8Array(len);
    for (let attempt = 0; ; attempt++) {
      for (let off = 0; off < len;) {
        const n = Math.min(this.info.maxChunk, len - off);
        const data = bytesField(await this.link.request(Command.read, { off, n }), 'data', 'read');
        if (data.length !== n) throw new BoardProtocolError(`read at ${off}: asked ${n} bytes, got ${data.length}`);
        out.set(data, off);
        off += n;
      }
      if (crc32(out) >>> 0 === crc) return new Int8Array(out.buffer);
      if (attempt >= 2) throw new BoardProtocolError(`run output on ${this.name}: CRC still wrong after ${attempt + 1} reads`);
    }
  }

  async stats(): Promise<Record<string, unknown>> {
    return this.link.request(Command.stats);
  }

  /** Restarts the board and waits for its boot announcement; every slot is empty afterwards. */
  async reset(timeoutMs = 20_000): Promise<BoardInfo> {
    const booted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reset of ${this.name}: no boot announcement within ${timeoutMs} ms`)), timeoutMs);
      this.link.once('boot', () => { clearTimeout(timer); resolve(); });
    });
    await this.link.request(Command.reset, {}, { retries: 0 });
    await booted;
    return this.refreshInfo();
  }

  /**
   * Measures the line: `rounds` full-size `input` chunks, timed. The figure is what a layer's
   * activations really cost to move, overheads included.
   */
  measureLink(rounds = 8): Promise<number> {
    return this.exclusive(() => this.measureLinkNow(rounds));
  }

  private async measureLinkNow(rounds: number): Promise<number> {
    const data = new Uint8Array(this.info.maxChunk);
    const started = performance.now();
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      await this.link.request(Command.input, { off: 0, data });
      bytes += data.length;
    }
    return (8 * bytes) / ((performance.now() - started) / 1000);
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
