/**
 * The last status each device published on its retained `telemetry/dev/<id>/status` topic, as
 * the broker passed it on. When the gateway loses a device (silent, or its connection dropped),
 * its `offline` goes to that same topic following on from the device's own sequence — same
 * `bootId`, the next `seq` — and only when the device's status still reads online: a device that
 * said goodbye, or whose last will the broker sent, has said it already. So a dashboard sees one
 * unbroken sequence per device and boot, whoever wrote each message.
 */
import { statusOwner } from '@layerfleet/protocol';

interface LastStatus { state: string; seq: number; bootId: string }

export class DeviceStatusBook {
  private readonly last = new Map<string, LastStatus>();

  /** Notes a publish if it is a device status with the fields every status carries; ignores anything else. */
  observe(topic: string, payload: Uint8Array): void {
    const id = statusOwner(topic);
    if (id === null || payload.length > 4096) return;
    let body: unknown;
    try { body = JSON.parse(Buffer.from(payload).toString('utf8')); } catch { return; }
    if (typeof body !== 'object' || body === null) return;
    const { state, seq, bootId } = body as Record<string, unknown>;
    if (typeof state !== 'string' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof bootId !== 'string') return;
    this.last.set(id, { state, seq, bootId });
  }

  /** The gateway's `offline` for `id`, or null when its status does not read online (or was never seen). */
  offlineFor(id: string, reason: string, now = Date.now()): Record<string, unknown> | null {
    const last = this.last.get(id);
    if (!last || last.state !== 'online') return null;
    const body = { state: 'offline', reason, by: 'gateway', ts: now, seq: last.seq + 1, bootId: last.bootId };
    this.last.set(id, { state: 'offline', seq: body.seq, bootId: last.bootId });
    return body;
  }
}
