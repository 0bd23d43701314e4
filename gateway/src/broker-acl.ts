/**
 * Topic ACL for the broker, deny by default. Devices connect with their device id as MQTT
 * client id. Envelopes are what authenticate a sender; the ACL only keeps each client to the
 * topics its role needs, so a device cannot pose as the gateway on telemetry or read another
 * device's inbox. (Credential checks at connect time come with enrolment.)
 */
import { TOPIC_PREFIX, inboxOwner } from '@layerfleet/protocol';

const DEVICE_TELEMETRY = /^lf\/v1\/telemetry\/dev\/([^/]+)\/(status|load)$/;

export function mayPublish(clientId: string, topic: string): string | null {
  if (topic === `${TOPIC_PREFIX}gw/in`) return null;
  if (inboxOwner(topic) !== null) return null;
  const telemetry = DEVICE_TELEMETRY.exec(topic);
  if (telemetry) return telemetry[1] === clientId ? null : `client ${clientId} may not publish telemetry of device ${telemetry[1]}`;
  return `client ${clientId} may not publish to ${topic}`;
}

export function maySubscribe(clientId: string, filter: string): string | null {
  if (filter.startsWith(`${TOPIC_PREFIX}telemetry/`)) return null;
  if (inboxOwner(filter) === clientId) return null;
  return `client ${clientId} may not subscribe to ${filter}`;
}
