/**
 * The enrolled devices, kept in `<state>/devices.json`: who they are (id, owner, whether the
 * planner may trust them with the whole model), the public keys they proved at enrolment, and
 * whether they were revoked. The gateway reads it at start and again whenever the file changes
 * (the CLI revokes by editing it), so a revocation takes effect while the gateway runs.
 * A key rotation replaces a device's keys and keeps the ones it retired in `previousKeys`.
 * Writes are atomic (json-file.ts): a crash leaves the old or the new file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertDeviceId } from '@layerfleet/protocol';
import { writeJsonAtomic } from '@layerfleet/protocol';

export interface EnrolledDevice {
  id: string;
  owner: string;
  trusted: boolean;
  /** Ed25519 and X25519 public keys, hex. */
  signPublic: string;
  kexPublic: string;
  enrolledAt: number;
  /** Boards this device may enrol under its own id by vouching for them (a board host); absent: none. */
  maxBoards?: number;
  /** The board host that vouched for this device at enrolment. */
  vouchedBy?: string;
  revokedAt?: number;
  revokedWhy?: string;
  /** When the device last rotated its keys (`layerfleet keys rotate`). */
  rotatedAt?: number;
  /** Keys it held before, oldest first: never accepted again, kept for audit. */
  previousKeys?: RetiredKeys[];
}

export interface RetiredKeys { signPublic: string; kexPublic: string; retiredAt: number }

export const DEVICES_FILE = 'devices.json';

export class DeviceStore {
  private devices = new Map<string, EnrolledDevice>();
  readonly path: string;

  constructor(readonly stateDir: string) {
    this.path = join(stateDir, DEVICES_FILE);
    this.reload();
  }

  /**
   * Re-reads the file if it was replaced since it was read (every write renames a new file into
   * place: a new inode), for a reader in another thread than the writer (the broker thread's
   * authentication). Cheap: one stat.
   */
  reloadIfChanged(): void {
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.stamp) return;
    this.reload();
    this.stamp = stamp;
  }

  private stamp = '';

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
      if (e.previousKeys !== undefined && !(Array.isArray(e.previousKeys) && e.previousKeys.every((k) => /^[0-9a-f]{64}$/.test(String(k?.signPublic))))) {
        throw new Error(`${this.path}: devices[${i}] (${e.id}).previousKeys: expected an array of {signPublic, kexPublic, retiredAt} with 32-byte hex keys`);
      }
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

  /**
   * Gives an active device new keys (hex), provided it still holds `expectSign`, the key the
   * rotation was signed with: the file is re-read first, so a revocation or another rotation
   * written in the meantime wins. Returns why not, or null once the file holds the new keys.
   */
  rotate(id: string, expectSign: string, next: { signPublic: string; kexPublic: string }, now = Date.now()): string | null {
    this.reload();
    const d = this.devices.get(id);
    if (!d) return `${id} is not enrolled`;
    if (d.revokedAt !== undefined) return `${id} was revoked (${d.revokedWhy ?? 'no reason given'})`;
    if (d.signPublic !== expectSign) return `${id}'s keys changed while its rotation was checked`;
    const retired: RetiredKeys = { signPublic: d.signPublic, kexPublic: d.kexPublic, retiredAt: now };
    this.devices.set(id, { ...d, ...next, rotatedAt: now, previousKeys: [...(d.previousKeys ?? []), retired] });
    try {
      this.save();
    } catch (err) {
      this.devices.set(id, d); // memory must not run ahead of the file
      throw err;
    }
    return null;
  }

  private save(): void {
    writeJsonAtomic(this.path, { devices: this.list() });
  }
}
