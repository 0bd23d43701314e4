import mqtt from 'mqtt';

/**
 * Tries one MQTT connection (no retries) and says how it went: 'connected', or the broker's or
 * the socket's reason as mqtt.js words it. For tests that expect a refusal and want to see why.
 */
export const connectOutcome = (url: string, opts: mqtt.IClientOptions): Promise<string> =>
  mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts }).then(async (c) => { await c.endAsync(); return 'connected'; }, (e: Error) => e.message);
