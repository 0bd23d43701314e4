/**
 * Who may connect, and what each client may publish and subscribe to: deny by default. A
 * client's role is fixed when it authenticates:
 *   device     an enrolled, unrevoked device (credentials from its signing key): publishes to
 *              the gateway, to the inbox of the device a standing route has it pass activations to,
 *              and to its own telemetry; reads only its own inbox;
 *   enrolling  a device presenting its one-time token: talks to the gateway, reads its inbox;
 *   dashboard  read-only telemetry;
 *   open       any client when the gateway runs without access control (in-process tests):
 *              the topic rules of a device, keyed by its client id.
 * Envelopes are what authenticate a message's sender; these rules keep each client to the
 * topics its role needs, so a device cannot pose as another on telemetry or read its inbox.
 */
import { TOPIC_PREFIX, inboxOwner } from '@layerfleet/protocol';

export type ClientRole =
  | { kind: 'device'; id: string }
  | { kind: 'enrolling'; id: string }
  | { kind: 'dashboard' }
  | { kind: 'open' };

const DEVICE_TELEMETRY = /^lf\/v1\/telemetry\/dev\/([^/]+)\/(status|load)$/;
const GATEWAY_INBOX = `${TOPIC_PREFIX}gw/in`;

/** Whether a standing route passes activations from one device to another (route-table.ts). */
export interface Routes { allows(from: string, to: string): boolean }

export function mayPublish(role: ClientRole, clientId: string, topic: string, routes?: Routes): string | null {
  if (role.kind === 'dashboard') return `dashboard client ${clientId} is read-only (publish to ${topic})`;
  if (topic === GATEWAY_INBOX) return null;
  if (role.kind === 'enrolling') return `client ${clientId} is enrolling: it may only talk to the gateway (publish to ${topic})`;
  const owner = inboxOwner(topic);
  if (owner !== null) {
    if (!routes || routes.allows(clientId, owner)) return null;
    return `client ${clientId} is on no route that sends activations to ${owner} (publish to ${topic})`;
  }
  const telemetry = DEVICE_TELEMETRY.exec(topic);
  if (telemetry) return telemetry[1] === clientId ? null : `client ${clientId} may not publish telemetry of device ${telemetry[1]}`;
  return `client ${clientId} may not publish to ${topic}`;
}

export function maySubscribe(role: ClientRole, clientId: string, filter: string): string | null {
  if (filter.startsWith(`${TOPIC_PREFIX}telemetry/`) && (role.kind === 'dashboard' || role.kind === 'open')) return null;
  // Its own inbox only: a filter with a wildcard (lf/v1/dev/+/in, from a client whose id is "+") is every inbox.
  if (role.kind !== 'dashboard' && !/[+#]/.test(filter) && inboxOwner(filter) === clientId) return null;
  return `${role.kind} client ${clientId} may not subscribe to ${filter}`;
}
