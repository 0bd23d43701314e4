/**
 * Plain-JSON telemetry for dashboards (DESIGN.md "Telemetry"): every payload carries `ts`,
 * `seq` and `bootId` so a dashboard sees gaps and restarts.
 */
import { randomUUID } from 'node:crypto';

/** Publishes on the gateway's broker (in its thread: broker-thread.ts). */
export type Publish = (topic: string, payload: Uint8Array, retain: boolean) => void;

export class Telemetry {
  readonly bootId = randomUUID().slice(0, 8);
  private seq = 0;
  constructor(private readonly publishRaw: Publish) {}

  publish(topic: string, body: Record<string, unknown>, retain = false): void {
    const payload = Buffer.from(JSON.stringify({ ...body, ts: Date.now(), seq: ++this.seq, bootId: this.bootId }));
    this.publishRaw(topic, payload, retain);
  }

  /** A body that already carries its own `ts`, `seq` and `bootId` (a device's, see device-status-book.ts). */
  publishAsIs(topic: string, body: Record<string, unknown>, retain = false): void {
    this.publishRaw(topic, Buffer.from(JSON.stringify(body)), retain);
  }
}
