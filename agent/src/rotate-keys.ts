/**
 * The device's side of key rotation (gateway/src/trust/key-rotation.ts has the other): make new
 * keys, send `rotate` signed with the current key and carrying the new key's proof, wait for the
 * gateway's `rotated` (sealed to the new key-agreement key), then switch to the new keys.
 *
 * Key files, so that no crash loses the key the gateway expects:
 * 1. before asking, the new pair is written beside the live one as `<id>.*.cose.new`: once the
 *    gateway has switched, the device must hold the new key even if it dies before the answer;
 * 2. on `rotated`, the live pair is linked to `<id>.*.cose.old`, each `.new` file is renamed over
 *    its live one (atomic), then the `.old` pair is removed;
 * 3. with no answer, the old keys stay live and the `.new` pair stays too: the answer may have
 *    been lost after the gateway switched. At the next connect (`connectDevice`) the live keys are
 *    tried first and the `.new` ones only if the broker refuses them.
 */
import { access, link, rename, unlink } from 'node:fs/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { connectHealing, type HealingOptions } from './healing-connection.js';
import {
  SecureEndpoint, generateDeviceKeys, keyFilePaths, keyFingerprint, loadDeviceKeys, mqttCredentials, rotateMessage, saveDeviceKeys, topics,
  type DeviceKeys, type MessageOf, type PublicDeviceKeys,
} from '@layerfleet/protocol';

const STAGED = '.new';
const RETIRING = '.old';

export interface RotationOutcome {
  id: string;
  /** Fingerprints (keyFingerprint) of the signing key before and after. */
  previous: string;
  fingerprint: string;
  signPublic: Uint8Array;
  ms: number;
}

export interface RotateOptions {
  endpoint: SecureEndpoint;
  stateDir: string;
  /** Publishes `rotate` to the gateway and resolves with the `rotated` it answers. */
  exchange(rotate: MessageOf<'rotate'>): Promise<MessageOf<'rotated'>>;
  timeoutMs?: number;
}

export async function rotateDeviceKeys(opts: RotateOptions): Promise<RotationOutcome> {
  const { endpoint, stateDir } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const started = performance.now();
  const old = endpoint.keys;
  const staged = keyFilePaths(stateDir, old.id, STAGED);
  if (await exists(staged.sign) || await exists(staged.kex)) {
    // Overwriting them could lose the key the gateway holds now, if only its answer was lost.
    throw new Error(`key rotation of ${old.id}: an earlier rotation got no answer and its keys are still in ${staged.sign}; restart the agent (or run keys rotate with it stopped) to settle which keys the gateway holds, then rotate again`);
  }
  const next = generateDeviceKeys(old.id);
  await saveDeviceKeys(stateDir, next, STAGED);
  endpoint.stage(next);
  let timer: NodeJS.Timeout | undefined;
  let ack: MessageOf<'rotated'>;
  try {
    ack = await Promise.race([
      opts.exchange(rotateMessage(old.signPublic, next)),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer from the gateway within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    if (!Buffer.from(ack.sign).equals(next.signPublic)) throw new Error(`the gateway confirmed key ${keyFingerprint(ack.sign)}, not the new ${keyFingerprint(next.signPublic)}`);
  } catch (err) {
    endpoint.unstage();
    throw new Error(`key rotation of ${old.id}: ${(err as Error).message}; still using the old keys (${keyFingerprint(old.signPublic)}); `
      + `the new ones stay in ${staged.sign} in case the gateway took them after all`);
  } finally {
    clearTimeout(timer);
  }
  endpoint.rekey(next);
  await commitStagedKeys(stateDir, old.id);
  return { id: old.id, previous: keyFingerprint(old.signPublic), fingerprint: keyFingerprint(next.signPublic), signPublic: next.signPublic, ms: performance.now() - started };
}

async function commitStagedKeys(dir: string, id: string): Promise<void> {
  const live = keyFilePaths(dir, id);
  const staged = keyFilePaths(dir, id, STAGED);
  const retiring = keyFilePaths(dir, id, RETIRING);
  for (const k of ['sign', 'kex'] as const) {
    await unlink(retiring[k]).catch(ignoreMissing);
    await link(live[k], retiring[k]);
  }
  for (const k of ['sign', 'kex'] as const) await rename(staged[k], live[k]);
  for (const k of ['sign', 'kex'] as const) await unlink(retiring[k]);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, (err: NodeJS.ErrnoException) => { ignoreMissing(err); return false; });
}

/**
 * Tidies the key files an interrupted rotation left, and returns the staged keys when a whole
 * `.new` pair is left (a rotation that got no answer): whether the gateway took them, only the
 * broker can say.
 */
export async function settleKeyFiles(dir: string, id: string): Promise<DeviceKeys | null> {
  const staged = keyFilePaths(dir, id, STAGED);
  const retiring = keyFilePaths(dir, id, RETIRING);
  const [sign, kex] = await Promise.all([exists(staged.sign), exists(staged.kex)]);
  if (sign && !kex) await unlink(staged.sign); // staging was cut short: `rotate` was never sent
  if (!sign && kex) await rename(staged.kex, keyFilePaths(dir, id).kex); // the commit was cut short after the answer
  if (!(sign && kex)) {
    for (const k of ['sign', 'kex'] as const) await unlink(retiring[k]).catch(ignoreMissing);
    return null;
  }
  return loadDeviceKeys(dir, id, undefined, STAGED);
}

/**
 * Connects to the broker as `endpoint`'s device. `staged`: what `settleKeyFiles` returned at
 * start — the keys of a rotation that got no answer. The live keys are tried first; if the broker
 * refuses them and takes the staged ones, the gateway did switch, so the endpoint and the key
 * files switch too.
 */
export async function connectDevice(
  brokerUrl: string, endpoint: SecureEndpoint, stateDir: string, options: IClientOptions, staged: DeviceKeys | null, log: (line: string) => void = () => {},
  healing?: Omit<HealingOptions, 'brokerUrl' | 'log'>,
): Promise<MqttClient> {
  // With `healing`, the connection is kept up for good (healing-connection.ts); without, one
  // attempt, for a command that should fail rather than wait. Either way a refused first connect
  // ends the client: left reconnecting, it would hold this device id and take the session over
  // from a later, successful start.
  const attempt = (keys: DeviceKeys) => healing
    ? connectHealing({ ...options, clientId: keys.id, ...mqttCredentials(keys) }, { brokerUrl, log, ...healing })
    : connectOnce(brokerUrl, { ...options, clientId: keys.id, ...mqttCredentials(keys) }, log);
  try {
    const client = await attempt(endpoint.keys);
    if (staged) for (const f of Object.values(keyFilePaths(stateDir, endpoint.id, STAGED))) await unlink(f).catch(ignoreMissing);
    return client;
  } catch (err) {
    if (!staged || !/Bad username or password/.test((err as Error).message)) throw err;
    const client = await attempt(staged).catch(() => { throw err; });
    endpoint.rekey(staged);
    await commitStagedKeys(stateDir, endpoint.id);
    log(`the broker refused the old keys and took those of an unanswered rotation (${keyFingerprint(staged.signPublic)}): the gateway had switched; using them`);
    return client;
  }
}

/**
 * Rotates the keys of a device whose agent is not running (`layerfleet keys rotate`): connects
 * with its current keys, exchanges `rotate`/`rotated`, and leaves the new keys in `stateDir`.
 */
export async function rotateStoppedDevice(opts: { id: string; stateDir: string; brokerUrl: string; gateway: PublicDeviceKeys; timeoutMs?: number; log?: (line: string) => void }): Promise<RotationOutcome> {
  const staged = await settleKeyFiles(opts.stateDir, opts.id);
  const keys = await loadDeviceKeys(opts.stateDir, opts.id);
  if (!keys) throw new Error(`${keyFilePaths(opts.stateDir, opts.id).sign}: no keys for ${opts.id} in ${opts.stateDir}`);
  const endpoint = new SecureEndpoint(keys);
  endpoint.addPeer(opts.gateway);
  const client = await connectDevice(opts.brokerUrl, endpoint, opts.stateDir, { clean: true, reconnectPeriod: 0 }, staged, opts.log).catch((err: Error) => {
    throw new Error(`${opts.id}: the broker at ${opts.brokerUrl} refused its current keys (${err.message}): not enrolled, revoked, or its agent still connected?`);
  });
  try {
    let answered: ((m: MessageOf<'rotated'>) => void) | undefined;
    client.on('message', (topic, payload) => {
      try {
        const { sender, message } = endpoint.open(topic, payload);
        if (sender === 'gateway' && message.t === 'rotated') answered?.(message);
      } catch { /* anything else is not ours to answer here */ }
    });
    await client.subscribeAsync(topics.deviceInbox(opts.id), { qos: 0 });
    return await rotateDeviceKeys({
      endpoint, stateDir: opts.stateDir, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      exchange: (rotate) => new Promise((resolve) => {
        answered = resolve;
        client.publish(topics.gatewayInbox, Buffer.from(endpoint.seal('gateway', topics.gatewayInbox, rotate)));
      }),
    });
  } finally {
    await client.endAsync();
  }
}

/** One connect attempt; errors after it (the client is then someone else's to watch) are logged, never thrown. */
function connectOnce(brokerUrl: string, options: IClientOptions, log: (line: string) => void): Promise<MqttClient> {
  return new Promise<MqttClient>((resolve, reject) => {
    const client = mqtt.connect(brokerUrl, { ...options, reconnectPeriod: 0 });
    const refused = (err: Error) => { client.end(true); reject(err); };
    client.once('error', refused);
    client.once('connect', () => {
      client.removeListener('error', refused);
      client.on('error', (err) => log(`broker connection: ${err.message}`));
      resolve(client);
    });
  });
}
