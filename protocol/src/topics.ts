/** MQTT topic names (DESIGN.md "Wire formats"). Everything lives under one versioned prefix. */
export const TOPIC_PREFIX = 'lf/v1/';

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Device ids end up inside topic levels, so they may not contain `/`, `+`, `#` or be empty. */
export function assertDeviceId(id: unknown, field = 'deviceId'): asserts id is string {
  if (typeof id !== 'string' || !DEVICE_ID.test(id)) {
    throw new TypeError(`${field}: expected 1–64 chars of [A-Za-z0-9_.-] starting alphanumeric, got ${JSON.stringify(id)}`);
  }
}

export const topics = {
  deviceInbox(id: string): string { assertDeviceId(id); return `${TOPIC_PREFIX}dev/${id}/in`; },
  gatewayInbox: `${TOPIC_PREFIX}gw/in`,
  deviceStatus(id: string): string { assertDeviceId(id); return `${TOPIC_PREFIX}telemetry/dev/${id}/status`; },
  deviceLoad(id: string): string { assertDeviceId(id); return `${TOPIC_PREFIX}telemetry/dev/${id}/load`; },
  inference: `${TOPIC_PREFIX}telemetry/inference`,
  gatewayStats: `${TOPIC_PREFIX}telemetry/gateway`,
  allTelemetry: `${TOPIC_PREFIX}telemetry/#`,
} as const;

/** The device id a `dev/<id>/in` topic addresses, or null when the topic is not a device inbox. */
export function inboxOwner(topic: string): string | null {
  const m = /^lf\/v1\/dev\/([^/]+)\/in$/.exec(topic);
  return m ? m[1]! : null;
}

/** The device id a `telemetry/dev/<id>/status` topic is about, or null when it is not one. */
export function statusOwner(topic: string): string | null {
  const m = /^lf\/v1\/telemetry\/dev\/([^/]+)\/status$/.exec(topic);
  return m ? m[1]! : null;
}
