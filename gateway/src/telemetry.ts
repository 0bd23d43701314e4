/**
 * Plain-JSON telemetry for dashboards (DESIGN.md "Telemetry"): every payload carries `ts`,
 * `seq` and `bootId` so a dashboard sees gaps and restarts.
 */
import { randomUUID } from 'node:crypto';
import type { Aedes } from 'aedes';

export class Telemetry {
  readonly bootId = randomUUID().slice(0, 8);
  private seq = 0;
  constructor(private readonly aedes: Aedes) {}

  publish(topic: string, body: Record<string, unknown>, retain = false): void {
    const payload = Buffer.from(JSON.stringify({ ...body, ts: Date.now(), seq: ++this.seq, bootId: this.bootId }));
    this.aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain, dup: false }, () => {});
  }

  /** A body that already carries its own `ts`, `seq` and `bootId` (a device's, see device-status-book.ts). */
  publishAsIs(topic: string, body: Record<string, unknown>, retain = false): void {
    this.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 0, retain, dup: false }, () => {});
  }
}
