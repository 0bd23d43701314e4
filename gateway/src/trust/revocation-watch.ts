/**
 * Revocation takes effect while the gateway runs: `layerfleet devices revoke` edits devices.json,
 * and this watcher re-reads it. For every revoked device: the ledger gets its 'revoke' entry
 * (once), its connection is dropped whatever it said so far (a device connected but silent too),
 * and the planner never places it again. An unreadable file keeps the previous list: a half
 * edit by hand must not admit anyone or drop everyone.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { DeviceStore } from './device-store.js';

export interface RevocationEffects {
  /** Whether the ledger still has `id` as enrolled and unrevoked (so its revocation is not yet recorded). */
  unrecorded(id: string): boolean;
  record(id: string, why: string): void;
  disconnect(id: string): void;
  markOffline(id: string, why: string): void;
  log(line: string): void;
}

/** Starts watching; returns the function that stops it. */
export function watchRevocations(store: DeviceStore, effects: RevocationEffects, intervalMs = 250): () => void {
  watchFile(store.path, { interval: intervalMs }, () => {
    try {
      store.reload();
    } catch (err) {
      return effects.log(`devices file unreadable, keeping the previous list: ${(err as Error).message}`);
    }
    for (const d of store.list()) {
      if (d.revokedAt === undefined) continue;
      if (effects.unrecorded(d.id)) {
        effects.log(`device ${d.id} revoked: ${d.revokedWhy ?? 'no reason given'}`);
        effects.record(d.id, d.revokedWhy ?? '');
      }
      effects.disconnect(d.id);
      effects.markOffline(d.id, 'revoked');
    }
  });
  return () => unwatchFile(store.path);
}
