/**
 * Who is who in a split-training run: every party (gateway, trainer, edges) loads or creates its
 * own key pairs in the state directory (`<id>.sign.cose`, `<id>.kex.cose`, COSE_Keys, 0600) and
 * publishes its public COSE_KeySet beside them as `<id>.pub.cose`. Peers and the broker read
 * public keys from there: one machine's stand-in for enrolment (`layerfleet enroll` binds an id
 * to a key through the gateway; here the state directory is the trusted authority).
 */
import { readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { assertDeviceId, checkMqttCredentials, decodePublicKeys, encodePublicKeys, loadOrCreateDeviceKeys, publicKeysOf, type DeviceKeys, type PublicDeviceKeys } from '@layerfleet/protocol';

export function publicKeyPath(dir: string, id: string): string {
  assertDeviceId(id, 'public key id');
  return join(dir, `${id}.pub.cose`);
}

/** Loads or creates `id`'s keys in `dir` and publishes its public keys there. */
export async function deviceKeysIn(dir: string, id: string): Promise<DeviceKeys> {
  const keys = await loadOrCreateDeviceKeys(dir, id);
  const path = publicKeyPath(dir, id);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, encodePublicKeys(publicKeysOf(keys)));
  await rename(tmp, path);
  return keys;
}

/** Public keys read from the state directory, cached once found. */
export class KeyDirectory {
  private readonly known = new Map<string, PublicDeviceKeys>();
  constructor(readonly dir: string) {}

  get(id: string): PublicDeviceKeys | undefined {
    const hit = this.known.get(id);
    if (hit) return hit;
    let keys: PublicDeviceKeys;
    try {
      keys = decodePublicKeys(readFileSync(publicKeyPath(this.dir, id)));
    } catch {
      return undefined; // no such device (or not yet started): the caller refuses or waits
    }
    if (keys.id !== id) return undefined;
    this.known.set(id, keys);
    return keys;
  }

  /** Waits (bounded) for a party that is still starting to publish its keys. */
  async waitFor(id: string, timeoutMs: number): Promise<PublicDeviceKeys> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const k = this.get(id);
      if (k) return k;
      if (Date.now() > until) throw new Error(`no public keys of ${id} in ${this.dir} after ${timeoutMs} ms (is it running?)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The broker's check of a CONNECT: username = id, password = a fresh signature by its key (credentials.ts). */
  checkCredentials(clientId: string, username: string | undefined, password: Uint8Array | undefined): string | null {
    if (username !== clientId) return `username ${JSON.stringify(username)} is not the client id ${JSON.stringify(clientId)}`;
    const keys = this.get(clientId);
    if (!keys) return `${clientId} has no keys in the run's state directory`;
    return checkMqttCredentials(clientId, password, keys.signPublic, Date.now());
  }
}
