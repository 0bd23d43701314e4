/**
 * The enrolled devices, kept in `<state>/devices.json`: who they are (id, owner, whether the
 * planner may trust them with the whole model), the public keys they proved at enrolment, and
 * whether they were revoked. The gateway reads it at start and again whenever the file changes
 * (the CLI revokes by editing it), so a revocation takes effect while the gateway runs.
 * Writes are atomic (temporary file, fsync, rename): a crash leaves the old or the new file.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assertDeviceId } from '@layerfleet/protocol';

export interface EnrolledDevice {
  id: string;
  owner: string;
  trusted: boolean;
  /** Ed25519 and X25519 public keys, hex. */
  signPublic: string;
  kexPublic: string;
  enrolledAt: number;
  revokedAt?: number;
  revokedWhy?: string;
}

export const DEVICES_FILE = 'devices.json';

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export class DeviceStore {
  private devices = new Map<string, EnrolledDevice>();
  readonly path: string;

  constructor(readonly stateDir: string) {
    this.path = join(stateDir, DEVICES_FILE);
    this.reload();
  }

  /** Re-reads the file; a missing file is an empty fleet, a malformed one an error naming it. */
  reload(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') { this.devices = new Map(); return; }
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${this.path}: not JSON (${(err as Error).message})`);
    }
    const list = (parsed as { devices?: unknown }).devices;
    if (!Array.isArray(list)) throw new Error(`${this.path}: expected {"devices": [...]}`);
    const next = new Map<string, EnrolledDevice>();
    for (const [i, d] of list.entries()) {
      const e = d as EnrolledDevice;
      assertDeviceId(e?.id, `${this.path}: devices[${i}].id`);
      if (!/^[0-9a-f]{64}$/.test(String(e.signPublic)) || !/^[0-9a-f]{64}$/.test(String(e.kexPublic))) throw new Error(`${this.path}: devices[${i}] (${e.id}): keys must be 32-byte hex`);
      next.set(e.id, e);
    }
    this.devices = next;
  }

  get(id: string): EnrolledDevice | undefined { return this.devices.get(id); }
  list(): EnrolledDevice[] { return [...this.devices.values()]; }

  /** The device when it is enrolled and not revoked. */
  active(id: string): EnrolledDevice | undefined {
    const d = this.devices.get(id);
    return d && d.revokedAt === undefined ? d : undefined;
  }

  add(device: EnrolledDevice): void {
    this.reload();
    this.devices.set(device.id, device);
    this.save();
  }

  /** Marks a device revoked; false when it is unknown or already revoked. */
  revoke(id: string, why: string, now = Date.now()): boolean {
    this.reload();
    const d = this.devices.get(id);
    if (!d || d.revokedAt !== undefined) return false;
    d.revokedAt = now;
    d.revokedWhy = why;
    this.save();
    return true;
  }

  private save(): void {
    writeJsonAtomic(this.path, { devices: this.list() });
  }
}
