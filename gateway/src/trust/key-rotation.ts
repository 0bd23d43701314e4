/**
 * The gateway's side of key rotation (protocol/src/key-rotation.ts has the proof; the device side
 * is agent/src/rotate-keys.ts). An enrolled, unrevoked device sends `rotate` signed with its
 * current key and carrying the new keys' proof; once that checks out the gateway writes the new
 * keys to devices.json (the old ones go to `previousKeys`), switches the endpoint and the registry
 * to them, records a ledger 'rotate' entry, and answers `rotated` sealed to the new key-agreement
 * key. From then on the old key is worth nothing here: the broker checks credentials against
 * devices.json, and the endpoint refuses envelopes signed with it as 'stale-key'.
 */
import {
  checkRotation, keyFingerprint,
  type Message, type MessageOf, type PublicDeviceKeys, type Rejections, type SecureEndpoint,
} from '@layerfleet/protocol';
import type { ClaimInput } from '@layerfleet/ledger';
import type { Registry } from '../registry.js';
import type { DeviceStore } from './device-store.js';
import { toHex as hex } from '@layerfleet/protocol';

export interface KeyRotationDeps {
  store: DeviceStore;
  endpoint: SecureEndpoint;
  registry: Registry;
  send(to: string, message: Message): void;
  /** Appends to the audit ledger. */
  record(claim: ClaimInput): void;
  rejections: Rejections;
  log(line: string): void;
}

const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

export class KeyRotation {
  constructor(private readonly deps: KeyRotationDeps) {
    // A device whose agent is stopped rotates without saying hello first (`layerfleet keys
    // rotate`), so its `rotate` is checked against the key devices.json holds for it.
    deps.endpoint.enrolledKeys = (id) => {
      const d = deps.store.active(id);
      return d && { id, signPublic: bytes(d.signPublic), kexPublic: bytes(d.kexPublic) };
    };
  }

  rotate(from: string, m: MessageOf<'rotate'>, now = Date.now()): void {
    const { store, rejections } = this.deps;
    const device = store.active(from);
    if (!device) return rejections.count('revoked', `rotate from ${from}, which is not enrolled or was revoked`);
    const previous: PublicDeviceKeys = { id: from, signPublic: bytes(device.signPublic), kexPublic: bytes(device.kexPublic) };
    const bad = checkRotation(from, previous.signPublic, m, (device.previousKeys ?? []).map((k) => bytes(k.signPublic)));
    if (bad) return rejections.count('rotation', `rotate from ${from}: ${bad}`);

    let refused: string | null;
    try {
      refused = store.rotate(from, device.signPublic, { signPublic: hex(m.sign), kexPublic: hex(m.kex) }, now);
    } catch (err) {
      return rejections.count('internal', `rotate from ${from}: cannot write ${store.path}: ${(err as Error).message}`);
    }
    if (refused) return rejections.count('rotation', `rotate from ${from}: ${refused}`);

    const next: PublicDeviceKeys = { id: from, signPublic: m.sign, kexPublic: m.kex };
    this.deps.endpoint.rotatePeer(next, previous.signPublic);
    // Plans list their devices' keys from the registry: peers learn the new keys with the next plan.
    const known = this.deps.registry.get(from);
    if (known) known.keys = next;
    this.deps.record({
      action: 'rotate',
      data: { device: from, signPublic: m.sign, kexPublic: m.kex, previousSignPublic: previous.signPublic, proof: m.proof },
    });
    this.deps.log(`device ${from} rotated its keys: ${keyFingerprint(previous.signPublic)} → ${keyFingerprint(m.sign)}`);
    // Sealed to the new kex key (the endpoint holds it now): only its holder can read this.
    this.deps.send(from, { t: 'rotated', sign: m.sign });
  }
}
