/**
 * A device's MQTT connection that heals: however it is lost — the gateway restarted, stopped or
 * crashed, the network dropped, the broker is not up yet when the device starts — it is tried
 * again, forever, with bounded exponential backoff and jitter (backoff.ts), as mosquitto's own
 * bridges and clients do. mqtt.js's built-in reconnect retries at one fixed period and gives up
 * for good on a refused CONNACK, so it is switched off (`reconnectPeriod: 0`) and this module
 * schedules `client.reconnect()` itself.
 *
 * What waiting cannot fix fails the *first* connect at once, so a user at a shell hears it:
 * credentials the broker refuses (not enrolled, revoked) and a broker certificate this device
 * does not trust. On later reconnects a refusal is reported to `onRefused` (the gateway may have
 * forgotten the device: enrolling again is the caller's call) and retried like any other loss.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Backoff } from './backoff.js';
import { explainBrokerTrust } from './broker-trust.js';

/** Why a connect attempt failed, as far as what to do next is concerned. */
export type ConnectFailure = 'refused' | 'untrusted' | 'transient';

// CONNACK return codes (MQTT 3.1.1 §3.2.2.3) and reason codes (MQTT 5 §3.2.2.2) that refuse the
// client's identity or credentials: waiting does not change them.
const REFUSING_CODES = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8a, 0x8c]);

export function classifyConnectError(err: Error, brokerUrl: string): ConnectFailure {
  const code = (err as { code?: unknown }).code;
  if (err.name === 'ErrorWithReasonCode' && typeof code === 'number' && REFUSING_CODES.has(code)) return 'refused';
  if (explainBrokerTrust(err, brokerUrl) !== err) return 'untrusted';
  return 'transient';
}

export interface HealingOptions {
  brokerUrl: string;
  log(line: string): void;
  backoff?: Backoff;
  /** Called before every reconnect: fresh credentials, an updated last will. */
  beforeReconnect?(options: IClientOptions): void;
  /** The broker refused this device on a reconnect (it was admitted before). */
  onRefused?(err: Error): void;
  /** Called on every successful reconnect (not the first connect). */
  onReconnected?(): void;
  /**
   * After a refusal, the next try comes in [½, 1] × this, ms (default 30 000): a revoked device
   * is not admitted again in a second, and its tries would only crowd the gateway's log.
   */
  refusedRetryMs?: number;
}

/**
 * Connects with `options` and keeps the connection alive until `client.end()`. Resolves at the
 * first CONNACK; rejects only when the first attempt is refused or the broker is not trusted.
 */
export function connectHealing(options: IClientOptions, h: HealingOptions): Promise<MqttClient> {
  const backoff = h.backoff ?? new Backoff();
  const client = mqtt.connect(h.brokerUrl, { ...options, reconnectPeriod: 0 });
  let everConnected = false;
  let lastError: Error | null = null;
  let refused = false;
  const refusedRetryMs = h.refusedRetryMs ?? 30_000;
  let lostAt = 0;
  let timer: NodeJS.Timeout | null = null;

  return new Promise<MqttClient>((resolve, reject) => {
    const giveUp = (err: Error) => {
      client.removeListener('close', onClose);
      client.end(true);
      reject(err);
    };
    const onError = (err: Error) => {
      lastError = err;
      const kind = classifyConnectError(err, h.brokerUrl);
      if (!everConnected && kind !== 'transient') return giveUp(kind === 'untrusted' ? explainBrokerTrust(err, h.brokerUrl) : err);
      if (kind === 'refused') {
        refused = true;
        h.onRefused?.(err);
      }
    };
    const onClose = () => {
      // ended by its owner (close(), a rotation's reconnect): nothing to heal
      if (client.disconnecting || timer !== null) return;
      if (lostAt === 0) lostAt = Date.now();
      const wait = refused ? Math.round(refusedRetryMs * (0.5 + Math.random() / 2)) : backoff.next();
      refused = false;
      const why = lastError ? lastError.message : 'connection closed';
      const what = everConnected ? 'connection lost' : 'waiting for the broker';
      h.log(`${what} (${why}); trying ${h.brokerUrl} again in ${(wait / 1000).toFixed(1)} s (attempt ${backoff.attempts})`);
      lastError = null;
      timer = setTimeout(() => {
        timer = null;
        if (client.disconnecting) return;
        if (everConnected) h.beforeReconnect?.(client.options);
        client.reconnect();
      }, wait);
    };
    const onConnect = () => {
      if (everConnected && lostAt > 0) {
        h.log(`connected to ${h.brokerUrl} again after ${((Date.now() - lostAt) / 1000).toFixed(1)} s (${backoff.attempts} attempts)`);
        h.onReconnected?.();
      }
      lostAt = 0;
      backoff.reset();
      if (!everConnected) {
        everConnected = true;
        resolve(client);
      }
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.on('connect', onConnect);
    // A stopped client must not keep the process alive through a pending retry.
    client.once('end', () => { if (timer) clearTimeout(timer); timer = null; });
  });
}
