/**
 * Layers executed on an attached board. Each assigned layer becomes an LFLY blob in one of the
 * board's slots; a run sends the activation over the serial line, runs the consecutive slots
 * and reads the result back. When the board reboots (its announcement, or a run refused for an
 * empty slot) the layers are provisioned again from the weights kept here, and the run retried.
 */
import { layerFromWire, layerMacs, type QuantizedLayer } from '@layerfleet/models';
import { Board, BoardError, encodeLayerBlob } from '@layerfleet/firmware-bindings';
import type { LayerExecutor } from './layer-executor.js';

interface Resident {
  layer: QuantizedLayer;
  blob: Uint8Array;
  slot: number;
  /** The board boot this slot was written in; a different boot means it is gone. */
  boot: number;
  lastUsed: number;
}

export class BoardExecutor implements LayerExecutor {
  private readonly resident = new Map<string, Resident>();
  private clock = 0;
  reprovisions = 0;

  constructor(readonly board: Board, private readonly log: (line: string) => void = () => {}) {}

  get size(): number { return this.resident.size; }

  /** What a dashboard shows for the board: its line's health and how often it lost its layers. */
  telemetry(): Record<string, unknown> {
    const link = this.board.link;
    return {
      board: { target: this.board.info.board, id: this.board.info.id, boots: this.board.bootCount, reprovisions: this.reprovisions },
      line: {
        port: this.board.name, bitsPerSecond: Math.round(link.bitsPerSecond), retries: link.retries, timeouts: link.timeouts,
        rejected: Object.fromEntries(link.rejections), bytesOut: link.bytesOut, bytesIn: link.bytesIn,
      },
    };
  }
  has(model: string, index: number): boolean { return this.resident.has(`${model}:${index}`); }

  async install(model: string, index: number, wire: unknown): Promise<void> {
    const key = `${model}:${index}`;
    const layer = layerFromWire(wire);
    const blob = encodeLayerBlob(layer);
    const existing = this.resident.get(key);
    const slot = existing?.slot ?? this.freeSlot();
    const entry: Resident = { layer, blob, slot, boot: -1, lastUsed: ++this.clock };
    this.resident.set(key, entry);
    await this.provision(entry);
  }

  macs(model: string, from: number, to: number): number {
    let total = 0;
    for (let i = from; i <= to; i++) {
      const r = this.resident.get(`${model}:${i}`);
      if (r) total += layerMacs(r.layer.spec);
    }
    return total;
  }

  async run(model: string, from: number, to: number, input: Int8Array): Promise<Int8Array> {
    const entries: Resident[] = [];
    for (let i = from; i <= to; i++) {
      const r = this.resident.get(`${model}:${i}`);
      if (!r) throw new Error(`no weights for ${model} layer ${i} on board ${this.board.info.id}`);
      r.lastUsed = ++this.clock;
      entries.push(r);
    }
    for (let attempt = 0; ; attempt++) {
      for (const r of entries) if (r.boot !== this.board.bootCount) await this.provision(r);
      try {
        return (await this.board.run(entries.map((r) => r.slot), input, this.macs(model, from, to))).output;
      } catch (err) {
        // An empty slot after an unnoticed reboot: provision again once, then give up loudly.
        if (attempt > 0 || !(err instanceof BoardError)) throw err;
        for (const r of entries) r.boot = -1;
      }
    }
  }

  private async provision(r: Resident): Promise<void> {
    if (r.boot !== -1) this.reprovisions++;
    try {
      await this.board.load(r.slot, r.blob);
    } catch (err) {
      if (!(err instanceof BoardError && err.kind === 'arena')) throw err;
      // The arena only grows until reset: start over and put back just what this run needs.
      this.log(`board ${this.board.info.id}: arena full, resetting it to re-provision`);
      await this.board.reset();
      await this.board.load(r.slot, r.blob);
    }
    r.boot = this.board.bootCount;
  }

  /** The lowest unused slot, or the least recently used one when all are taken. */
  private freeSlot(): number {
    const used = new Set([...this.resident.values()].map((r) => r.slot));
    for (let s = 0; s < this.board.info.slots; s++) if (!used.has(s)) return s;
    const [key, lru] = [...this.resident.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]!;
    this.resident.delete(key);
    return lru.slot;
  }
}
