/**
 * What crossed the broker in a run, read back from its capture (RFC 8742 CBOR sequence of
 * {topic, payload}) with the state directory's keys: per message type, how many envelopes, their
 * bytes, and the tensor values they carried. Fig. 5's numbers come from here, not from a formula.
 */
import { readFileSync } from 'node:fs';
import { decodeMultiple } from 'cbor-x';
import { inboxOwner, loadDeviceKeys, open, topics, type DeviceKeys } from '@layerfleet/protocol';
import { GATEWAY_ID } from './channel.js';
import { KeyDirectory } from './key-directory.js';
import { decodeTrainMessage, type TrainMessage } from './wire.js';

export interface TypeCensus { envelopes: number; bytes: number; values: number }

export interface OpenedEnvelope { topic: string; sender: string; recipient: string; bytes: number; body: Uint8Array; message: TrainMessage }

/** Opens every captured envelope with its recipient's keys from `stateDir`; throws on any that does not open. */
export async function openCapture(capturePath: string, stateDir: string): Promise<OpenedEnvelope[]> {
  const directory = new KeyDirectory(stateDir);
  const keys = new Map<string, DeviceKeys>();
  const out: OpenedEnvelope[] = [];
  for (const record of decodeMultiple(readFileSync(capturePath)) as Array<{ topic: string; payload: Uint8Array }>) {
    const recipient = record.topic === topics.gatewayInbox ? GATEWAY_ID : inboxOwner(record.topic);
    if (!recipient) throw new Error(`capture: ${record.topic} is no inbox`);
    let k = keys.get(recipient);
    if (!k) {
      const loaded = await loadDeviceKeys(stateDir, recipient);
      if (!loaded) throw new Error(`capture: no keys of ${recipient} in ${stateDir}`);
      keys.set(recipient, (k = loaded));
    }
    const o = open(record.payload, { recipient: k, topic: record.topic, senderKey: (kid) => directory.get(kid)?.signPublic });
    out.push({ topic: record.topic, sender: o.sender, recipient, bytes: record.payload.length, body: o.payload, message: decodeTrainMessage(o.payload) });
  }
  return out;
}

export function tensorValues(m: TrainMessage): number {
  switch (m.t) {
    case 'acts': return m.x.length;
    case 'grad': case 'dmid': return m.g.length;
    case 'mid': return m.m.length;
    case 'front': return m.p.reduce((s, a) => s + a.length, 0);
    case 'avg': case 'welcome': return (m.p ?? []).reduce((s, a) => s + a.length, 0);
    default: return 0;
  }
}

export function census(envelopes: OpenedEnvelope[]): Record<string, TypeCensus> {
  const out: Record<string, TypeCensus> = {};
  for (const e of envelopes) {
    const c = (out[e.message.t] ??= { envelopes: 0, bytes: 0, values: 0 });
    c.envelopes++;
    c.bytes += e.bytes;
    c.values += tensorValues(e.message);
  }
  return out;
}
