/**
 * Whether an opened message may go on to its handler, in a gateway that admits enrolled devices
 * only: it must be signed by the client that published it (no device speaks for another); an
 * enrolling client may only enrol, an enrolled one never; and its sender must still be enrolled
 * and unrevoked. Returns the rejection kind and detail, or null.
 */
import type { MessageType } from '@layerfleet/protocol';
import type { ClientRole } from '../broker-acl.js';
import type { DeviceStore } from './device-store.js';

export function admissionProblem(store: DeviceStore, role: ClientRole | undefined, clientId: string, sender: string, type: MessageType): [kind: string, detail: string] | null {
  if (sender !== clientId) return ['sender-mismatch', `${type} signed by ${sender} but published by client ${clientId}`];
  const enrolling = role?.kind === 'enrolling';
  if (enrolling !== (type === 'enrol' || type === 'confirm')) return ['unexpected-message', `${type} from ${sender} while ${enrolling ? 'enrolling' : 'enrolled'}`];
  if (!enrolling && !store.active(sender)) return ['revoked', `${type} from ${sender}, which is not enrolled or was revoked`];
  return null;
}
