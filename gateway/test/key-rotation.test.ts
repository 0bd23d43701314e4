import test from 'ava';
import { hex } from '@layerfleet/test-support';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rejections, SecureEndpoint, generateDeviceKeys, rotateMessage, type DeviceKeys, type Message } from '@layerfleet/protocol';
import { DeviceStore, KeyRotation } from '../src/trust/index.js';
import { Registry } from '../src/registry.js';
import type { ClaimInput } from '@layerfleet/ledger';


async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'lf-keyrot-'));
  const store = new DeviceStore(dir);
  const device = generateDeviceKeys('edge-a');
  store.add({ id: 'edge-a', owner: 'ops', trusted: false, enrolledAt: 1, signPublic: hex(device.signPublic), kexPublic: hex(device.kexPublic) });
  const endpoint = new SecureEndpoint(generateDeviceKeys('gateway'));
  endpoint.addPeer(device);
  const sent: Array<[string, Message]> = [];
  const recorded: ClaimInput[] = [];
  const rejections = new Rejections();
  const rotation = new KeyRotation({
    store, endpoint, registry: new Registry(), rejections, log: () => {},
    send: (to, m) => sent.push([to, m]), record: (c) => recorded.push(c),
  });
  return { dir, store, device, endpoint, sent, recorded, rejections, rotation };
}

const unchanged = (store: DeviceStore, device: DeviceKeys) => {
  store.reload();
  const d = store.get('edge-a')!;
  return d.signPublic === hex(device.signPublic) && d.rotatedAt === undefined;
};

test('a sound rotation moves the keys, keeps the old ones as history, records it, answers', async (t) => {
  const f = await fixture();
  const next = generateDeviceKeys('edge-a');
  f.rotation.rotate('edge-a', rotateMessage(f.device.signPublic, next), 1000);
  f.store.reload();
  const d = f.store.get('edge-a')!;
  t.deepEqual([d.signPublic, d.kexPublic, d.rotatedAt], [hex(next.signPublic), hex(next.kexPublic), 1000]);
  t.deepEqual(d.previousKeys, [{ signPublic: hex(f.device.signPublic), kexPublic: hex(f.device.kexPublic), retiredAt: 1000 }]);
  t.is(hex(f.endpoint.peers.get('edge-a')!.kexPublic), hex(next.kexPublic), 'rotated is sealed to the new kex key');
  t.deepEqual(f.sent.map(([to, m]) => [to, m.t]), [['edge-a', 'rotated']]);
  t.is(f.recorded[0]?.action, 'rotate');
  t.is(hex(f.recorded[0]!.data!.signPublic as Uint8Array), hex(next.signPublic));
  t.deepEqual(f.rejections.toJSON(), {});

  // Going back to the retired key is refused.
  f.rotation.rotate('edge-a', rotateMessage(next.signPublic, f.device));
  t.regex(f.rejections.lastDetail.get('rotation') ?? '', /a key this device held before/);
});

test('a bad proof, a revoked device, and a revocation written meanwhile change nothing', async (t) => {
  const f = await fixture();
  const next = generateDeviceKeys('edge-a');
  f.rotation.rotate('edge-a', { ...rotateMessage(f.device.signPublic, next), proof: new Uint8Array(64) });
  t.regex(f.rejections.lastDetail.get('rotation') ?? '', /^rotate from edge-a: rotate\.proof does not verify/);
  t.true(unchanged(f.store, f.device));

  // Revoked by the CLI, not yet re-read by this gateway's store: the store re-reads before it writes.
  t.true(new DeviceStore(f.dir).revoke('edge-a', 'stolen'));
  f.rotation.rotate('edge-a', rotateMessage(f.device.signPublic, next));
  t.regex(f.rejections.lastDetail.get('rotation') ?? '', /edge-a was revoked \(stolen\)/);
  t.true(unchanged(f.store, f.device));
  // Once re-read, it is not even considered.
  f.rotation.rotate('edge-a', rotateMessage(f.device.signPublic, next));
  t.is(f.rejections.toJSON().revoked, 1);
  t.deepEqual([f.sent.length, f.recorded.length], [0, 0]);
});
