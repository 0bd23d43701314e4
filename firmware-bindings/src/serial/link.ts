/**
 * Request/answer over a board's serial line: one request in flight, matched by seq; every
 * request answered or timed out; a damaged exchange retried. Timeouts follow the line's
 * measured speed rather than a constant, so a slow line does not hang an upload and a fast one
 * does not wait long for a lost frame.
 */
import { EventEmitter } from 'node:events';
import { ANSWER_BIT, BOOT_TYPE, BoardError, BoardProtocolError, boardText, commandName, decodeAnswerPayload, encodeArgs, ERROR_TYPE, type Args } from './commands.js';
import { decodeFrame, encodeFrame, FrameError, MAX_ENCODED_FRAME, SEQ_UNKNOWN } from './frame.js';
import { FrameSplitter } from './frame-splitter.js';
import type { ByteTransport } from './transport.js';

/** Refusals that mean "your frame arrived damaged": the request was not acted on, send it again. */
const DAMAGED = new Set(['cobs', 'short', 'too-long', 'crc', 'version']);

export class BoardTimeoutError extends Error {
  override name = 'BoardTimeoutError';
}

export interface LinkOptions {
  /** Attempts after the first; default 8. */
  retries?: number;
  /** Floor for any timeout, ms; default 100. */
  minTimeoutMs?: number;
  /** Ceiling for any timeout, ms; default 30000. */
  maxTimeoutMs?: number;
}

export interface RequestOptions {
  /** Time the board needs beyond moving the bytes (e.g. computing layers), ms. */
  workMs?: number;
  retries?: number;
  /** Gives up after this long in all, whatever retries are left, ms (a silent line must not hold a user for minutes). */
  deadlineMs?: number;
}

export interface BootAnnouncement { board: string; id: string; boot: number }

interface Pending {
  seq: number;
  type: number;
  settle: (result: { payload: Uint8Array } | { error: Error; damaged?: boolean; rebooted?: boolean }) => void;
  /** The board refused something it could not read: give it a short while to answer ours, then retry. */
  shorten: (ms: number) => void;
}

export class BoardLink extends EventEmitter<{ boot: [BootAnnouncement]; closed: [Error | undefined] }> {
  /** Every frame or answer this side refused or ignored, by kind. */
  readonly rejections = new Map<string, number>();
  retries = 0;
  timeouts = 0;
  bytesOut = 0;
  bytesIn = 0;
  private readonly splitter = new FrameSplitter();
  private seq = 0;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Line cost estimate, refined from answered requests: ms per byte moved, and fixed ms per exchange. */
  private msPerByte: number;
  private fixedMs = 5;

  constructor(readonly transport: ByteTransport, private readonly options: LinkOptions = {}) {
    super();
    // 10 bits per byte on an 8N1 line; without a rate, assume a slow UART until measured.
    this.msPerByte = 10_000 / (transport.baudRate ?? 115200);
    transport.onData((chunk) => this.receive(chunk));
    transport.onClose((err) => {
      this.closed = true;
      this.pending?.settle({ error: new Error(`board link ${transport.name} closed${err ? `: ${err.message}` : ''}`) });
      this.emit('closed', err);
    });
  }

  /** Measured throughput of the line in bits/s (from the per-byte estimate). */
  get bitsPerSecond(): number {
    return 8000 / this.msPerByte;
  }

  timeoutFor(bytes: number, workMs = 0): number {
    const { minTimeoutMs = 100, maxTimeoutMs = 30_000 } = this.options;
    return Math.min(maxTimeoutMs, Math.max(minTimeoutMs, 3 * (this.fixedMs + bytes * this.msPerByte) + 2 * workMs));
  }

  /** Sends one command and resolves with its answer's fields; a refusal rejects with BoardError. */
  request(type: number, args: Args = {}, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    const run = this.queue.then(() => this.exchange(type, encodeArgs(args), opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sends a raw frame body's parts as they are (tests use it to send what a broken host would). */
  requestRaw(type: number, payload: Uint8Array, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    const run = this.queue.then(() => this.exchange(type, payload, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }

  private count(kind: string): void {
    this.rejections.set(kind, (this.rejections.get(kind) ?? 0) + 1);
  }

  private async exchange(type: number, payload: Uint8Array, opts: RequestOptions): Promise<Record<string, unknown>> {
    const what = commandName(type);
    const attempts = 1 + (opts.retries ?? this.options.retries ?? 8);
    let lastError: Error = new Error(`${what}: not sent`);
    let silentTimeouts = 0;
    const giveUpAt = opts.deadlineMs === undefined ? Infinity : performance.now() + opts.deadlineMs;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const left = giveUpAt - performance.now();
      if (left <= 0) {
        throw new BoardTimeoutError(`${what}: no answer from ${this.transport.name} within ${opts.deadlineMs} ms (${attempt} tries, ${this.bytesIn} bytes heard)`);
      }
      if (this.closed) throw new Error(`${what}: board link ${this.transport.name} is closed`);
      if (attempt > 0) this.retries++;
      this.seq = (this.seq + 1) % 0xffff;
      // A leading 0x00 too: when noise ate the delimiter of garbage sent before, the garbage ends
      // there instead of swallowing this frame (the board skips empty frames).
      const encoded = encodeFrame({ type, seq: this.seq, payload });
      const frame = new Uint8Array(encoded.length + 1);
      frame.set(encoded, 1);
      // Each retry after a silent timeout waits twice as long: patient with a board that is busy
      // (booting, or QEMU's pty catching up after a reset). A board that was heard refusing
      // damaged frames is alive, and its line merely noisy: no reason to wait longer there.
      const timeoutMs = Math.min(this.options.maxTimeoutMs ?? 30_000, left, this.timeoutFor(frame.length + 64, opts.workMs) * 2 ** silentTimeouts);
      const started = performance.now();
      let heard = false;
      const result = await new Promise<{ payload: Uint8Array } | { error: Error; damaged?: boolean; rebooted?: boolean }>((settle) => {
        const timedOut = () => settle({ error: new BoardTimeoutError(`${what}: no answer from ${this.transport.name} within ${Math.round(timeoutMs)} ms`) });
        let timer = setTimeout(timedOut, timeoutMs);
        const deadline = started + timeoutMs;
        this.pending = {
          seq: this.seq, type,
          settle: (r) => { clearTimeout(timer); this.pending = null; settle(r); },
          shorten: (ms) => {
            // Heard from: a timeout after this means damage, not a silent board.
            heard = true;
            if (performance.now() + ms >= deadline) return;
            clearTimeout(timer);
            timer = setTimeout(timedOut, ms);
          },
        };
        this.bytesOut += frame.length;
        this.transport.write(frame);
      });
      if ('payload' in result) {
        this.learn(performance.now() - started, frame.length + result.payload.length + 10, opts.workMs ?? 0);
        return decodeAnswerPayload(result.payload, what);
      }
      lastError = result.error;
      if (result.error instanceof BoardTimeoutError) {
        this.timeouts++;
        if (!heard) silentTimeouts++;
      }
      else if (!result.damaged && !result.rebooted) throw result.error;
    }
    throw lastError;
  }

  /**
   * How long to keep waiting once the board has shown it is alive but something got damaged.
   * Answers come in order, so if our request was readable its answer follows within about one
   * exchange of the largest frame; no floor for scheduling jitter beyond 20 ms, because a wait
   * cut too short costs only a repeat the board recognises (same answer, or `offset`).
   */
  private graceMs(): number {
    return Math.max(20, 3 * (this.fixedMs + MAX_ENCODED_FRAME * this.msPerByte));
  }

  /** Refines the line estimate from an answered exchange; only large ones say much about the rate. */
  private learn(rttMs: number, bytes: number, workMs: number): void {
    const transfer = Math.max(0, rttMs - workMs);
    if (bytes >= 512) this.msPerByte = 0.7 * this.msPerByte + 0.3 * Math.max(transfer / bytes, 1e-5);
    else this.fixedMs = 0.7 * this.fixedMs + 0.3 * transfer;
  }

  private receive(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    for (const event of this.splitter.push(chunk)) {
      if (event.kind === 'too-long') { this.count('too-long'); continue; }
      let frame;
      try {
        frame = decodeFrame(event.bytes);
      } catch (err) {
        // Likely our answer, damaged on the way back: retry soon rather than at the timeout.
        if (err instanceof FrameError) { this.count(err.kind); this.pending?.shorten(this.graceMs()); continue; }
        throw err;
      }
      this.dispatch(frame.type, frame.seq, frame.payload);
    }
  }

  private dispatch(type: number, seq: number, payload: Uint8Array): void {
    if (type === BOOT_TYPE) {
      let boot: BootAnnouncement;
      try {
        const m = decodeAnswerPayload(payload, 'boot');
        boot = { board: String(m['board']), id: String(m['id']), boot: Number(m['boot']) };
      } catch {
        return this.count('bad-boot');
      }
      // A board that rebooted will never answer what was in flight: ask again at once.
      this.pending?.settle({ error: new Error(`${commandName(this.pending.type)}: board ${boot.id} rebooted mid-request`), rebooted: true });
      this.emit('boot', boot);
      return;
    }
    const pending = this.pending;
    // An error without a seq refuses a frame the board could not read: maybe ours, maybe line
    // noise. Only the timeout can tell, so it is counted and the wait goes on; acting on it would
    // let a backlog of noise answers use up a request's retries.
    if (type === ERROR_TYPE && seq === SEQ_UNKNOWN) {
      this.pending?.shorten(this.graceMs());
      return this.count('unread');
    }
    if (!pending || seq !== pending.seq) return this.count('stale');
    if (type === ERROR_TYPE) {
      let m: Record<string, unknown>;
      try {
        m = decodeAnswerPayload(payload, 'error');
      } catch (err) {
        return pending.settle({ error: err as Error });
      }
      const kind = boardText(m['err'] ?? 'unknown');
      const error = new BoardError(kind, `${commandName(pending.type)} refused by the board: ${kind}${m['msg'] ? ` (${boardText(m['msg'])})` : ''}`, m);
      return pending.settle({ error, damaged: DAMAGED.has(kind) });
    }
    if (type !== (pending.type | ANSWER_BIT)) {
      return pending.settle({ error: new BoardProtocolError(`${commandName(pending.type)}: answered with type 0x${type.toString(16)}`) });
    }
    pending.settle({ payload });
  }
}
