/**
 * The device's side of enrolment (gateway/src/trust/enrolment.ts has the other): connect as
 * `enrol:<id>` with the one-time token, send `enrol` signed with our signing key, answer the
 * `challenge` only our key-agreement key can read, and wait for `enrolled`. Afterwards the
 * device connects with credentials derived from its signing key.
 */
import mqtt from 'mqtt';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENROL_USERNAME_PREFIX, Rejected, toHex, topics, type PublicDeviceKeys, type SecureEndpoint } from '@layerfleet/protocol';
import { explainBrokerTrust } from './broker-trust.js';
import { classifyConnectError } from './healing-connection.js';

export interface EnrolResult { owner: string; trusted: boolean }

export interface EnrolOptions {
  timeoutMs?: number;
  /** the fleet CA (PEM) an mqtts:// or wss:// broker's certificate must chain to; the token is sent only to a verified broker */
  ca?: Buffer | string;
}

/**
 * `endpoint` must be the one the device goes on using (with the gateway as a peer): its sequence
 * numbers continue, so the gateway's replay window accepts what follows enrolment.
 */
export async function enrolDevice(brokerUrl: string, endpoint: SecureEndpoint, token: string, opts: EnrolOptions = {}): Promise<EnrolResult> {
  const keys = endpoint.keys;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: keys.id, username: `${ENROL_USERNAME_PREFIX}${keys.id}`, password: token, clean: true, reconnectPeriod: 0,
    ...(opts.ca === undefined ? {} : { ca: opts.ca }), rejectUnauthorized: true,
  }).catch((err: Error) => {
    const untrusted = explainBrokerTrust(err, brokerUrl);
    // the token never left this device: the broker failed verification before CONNECT was sent
    if (untrusted !== err) throw new Error(`enrolment of ${keys.id}: ${untrusted.message}`, { cause: err });
    if (classifyConnectError(err, brokerUrl) === 'transient') throw new Error(`enrolment of ${keys.id}: cannot reach the broker at ${brokerUrl} (${err.message}); it is tried again when the broker is there`, { cause: err });
    throw new Error(`enrolment of ${keys.id} refused by the broker (${err.message}): is the token right, unused and unexpired?`);
  });
  try {
    const inbox = topics.deviceInbox(keys.id);
    const done = new Promise<EnrolResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`enrolment of ${keys.id}: no answer from the gateway within ${timeoutMs} ms`)), timeoutMs);
      client.on('message', (topic, payload) => {
        let message;
        try {
          ({ message } = endpoint.open(topic, payload));
        } catch (err) {
          if (err instanceof Rejected) return;
          throw err;
        }
        if (message.t === 'challenge') {
          client.publish(topics.gatewayInbox, Buffer.from(endpoint.seal('gateway', topics.gatewayInbox, { t: 'confirm', nonce: message.nonce })));
        } else if (message.t === 'enrolled') {
          clearTimeout(timer);
          resolve({ owner: message.owner, trusted: message.trusted });
        }
      });
    });
    await client.subscribeAsync(inbox, { qos: 0 });
    client.publish(topics.gatewayInbox, Buffer.from(endpoint.seal('gateway', topics.gatewayInbox, { t: 'enrol', token, sign: keys.signPublic, kex: keys.kexPublic })));
    return await done;
  } finally {
    await client.endAsync();
  }
}

/**
 * Where a device notes that it enrolled with a gateway (`<id>.enrolled`, holding the gateway's
 * signing key): with the note it just connects, without it a device given a token enrols first.
 * Either way round, the wrong guess costs one refused attempt, counted by the gateway as a
 * rejection, on every start; the note keeps a fleet's normal starts free of them.
 */
const noteFile = (stateDir: string, id: string) => join(stateDir, `${id}.enrolled`);
const keyHex = (gateway: PublicDeviceKeys) => toHex(gateway.signPublic);

async function enrolledHere(stateDir: string, id: string, gateway: PublicDeviceKeys): Promise<boolean> {
  const note = await readFile(noteFile(stateDir, id), 'utf8').catch(() => '');
  return note.trim() === keyHex(gateway);
}

async function noteEnrolment(stateDir: string, id: string, gateway: PublicDeviceKeys): Promise<void> {
  await writeFile(noteFile(stateDir, id), `${keyHex(gateway)}\n`, { mode: 0o600 });
}

export interface ConnectOrEnrol<C> {
  stateDir: string;
  gateway: PublicDeviceKeys;
  endpoint: SecureEndpoint;
  brokerUrl: string;
  token: string | (() => string) | undefined;
  ca?: Buffer | string;
  connect(): Promise<C>;
  log(line: string): void;
}

/** Connects as an enrolled device, enrolling first (or after a refusal) when it holds a token. */
export async function connectOrEnrol<C>(o: ConnectOrEnrol<C>): Promise<C> {
  const id = o.endpoint.id;
  let enrolled = false;
  const enrol = async () => {
    const token = typeof o.token === 'string' ? o.token : o.token!();
    const r = await enrolDevice(o.brokerUrl, o.endpoint, token, o.ca === undefined ? {} : { ca: o.ca });
    enrolled = true;
    o.log(`enrolled (owner ${r.owner}${r.trusted ? ', trusted' : ''})`);
  };
  if (o.token && !(await enrolledHere(o.stateDir, id, o.gateway))) {
    // Already enrolled without a note (a state directory from before notes), or the broker not up
    // yet: the connect decides (it waits for the broker) and enrols after a refusal.
    await enrol().catch((err: Error) => o.log(err.message));
  }
  const client = await o.connect().catch(async (err: Error) => {
    const refused = /Bad username or password/.test(err.message);
    // Without a token there is nothing more to try: say how to get one rather than only what the broker said.
    if (refused && !o.token) throw new Error(`${id}: the broker at ${o.brokerUrl} refused this device (${err.message}): not enrolled there (or revoked), and no enrolment token: run \`layerfleet enroll --id ${id} --state DIR\` on the gateway and pass --enroll-token`, { cause: err });
    if (!o.token || enrolled || !refused) throw err;
    await enrol(); // the gateway forgot us (a new devices.json): the token enrols us again
    return o.connect();
  });
  if (o.token) await noteEnrolment(o.stateDir, id, o.gateway).catch((err: Error) => o.log(`cannot note the enrolment: ${err.message}`));
  return client;
}
