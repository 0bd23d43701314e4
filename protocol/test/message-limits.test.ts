import test from 'ava';
import {
  SecureEndpoint, Rejected, generateDeviceKeys, publicKeysOf, seal, encodeCbor, encodeMessage, topics, signClaim, signerFromKeys,
  MESSAGE_SIZE_LIMITS, GATEWAY_INBOX_MAX_BYTES, LIMITS, MAX_ENVELOPE_BYTES, MAX_VOUCH_LENGTH, type Message,
} from '../src/index.js';

const device = generateDeviceKeys('w1');
const gateway = generateDeviceKeys('gateway');
let seq = 1;
const envelope = (payload: Uint8Array, topic: string = topics.gatewayInbox) =>
  seal({ sender: device, recipient: publicKeysOf(gateway), topic, seq: seq++, ts: Date.now(), payload });
const endpoint = () => {
  const e = new SecureEndpoint(gateway, { maxBytes: GATEWAY_INBOX_MAX_BYTES });
  e.addPeer(publicKeysOf(device));
  return e;
};
const rejection = (fn: () => unknown) => {
  try { fn(); } catch (err) { return err instanceof Rejected ? [err.reason, err.message] : ['untyped', String(err)]; }
  return ['accepted', ''];
};

test('the largest honest message of each gateway-bound type fits its limit', (t) => {
  const id = 'd'.repeat(64);
  const requestId = 'r'.repeat(64);
  const signer = signerFromKeys(generateDeviceKeys(id));
  const layers = Array.from({ length: LIMITS.maxLayers }, (_, i) => i);
  // Every hop names every layer and carries the claim a device signs for it (agent.ts), at its largest.
  const layerClaim = signClaim({ action: 'layer', data: { device: id, requestId, attempt: 1000, layers, ms: 1234.5678 } }, signer);
  const resultClaim = signClaim({ action: 'result', data: { requestId, source: id, outcome: 'completed', predicted: 999999, label: 999999 } }, signer);
  t.true(layerClaim.length < 600 && resultClaim.length < 600, `claims of ${layerClaim.length} and ${resultClaim.length} bytes`);
  const fullTrace = Array.from({ length: LIMITS.maxRouteHops }, () => ({ device: id, layers, ms: 1234.5678, claim: layerClaim }));
  const key = new Uint8Array(32).fill(0xff);
  const largest: Message[] = [
    { t: 'hello', sign: key, kex: key, bootId: 'b'.repeat(64), caps: { macsPerSecond: 1.5e12, measuredMacsPerSecond: 1.5e12, memoryBytes: 1.5e12, rateBitsPerSecond: 1.5e12, role: 'source', requestRate: 999999.5 } },
    { t: 'heartbeat', bootId: 'b'.repeat(64), queue: 2 ** 31 },
    { t: 'stream', model: 'm'.repeat(64), rate: 999999.5 },
    { t: 'ready', route: 'r'.repeat(128), version: Number.MAX_SAFE_INTEGER },
    { t: 'result', route: 'r'.repeat(128), version: Number.MAX_SAFE_INTEGER, requestId, attempt: 1000, predicted: 999999, logits: new Uint8Array(4096), trace: fullTrace, totalMs: 1e9, label: 999999, claim: resultClaim },
    { t: 'failed', requestId: 'r'.repeat(64), attempt: 1000, reason: '€'.repeat(LIMITS.maxReasonLength), route: 'r'.repeat(128), version: Number.MAX_SAFE_INTEGER },
    { t: 'enrol', token: 't'.repeat(MAX_VOUCH_LENGTH), sign: key, kex: key },
    { t: 'confirm', nonce: key },
    { t: 'rotate', sign: key, kex: key, proof: new Uint8Array(64).fill(0xff) },
  ];
  for (const m of largest) {
    const bytes = encodeMessage(m).length;
    t.true(bytes <= MESSAGE_SIZE_LIMITS[m.t], `${m.t}: ${bytes} bytes, limit ${MESSAGE_SIZE_LIMITS[m.t]}`);
    const opened = endpoint().open(topics.gatewayInbox, envelope(encodeMessage(m)));
    t.is(opened.message.t, m.t);
  }
  t.true(GATEWAY_INBOX_MAX_BYTES < MAX_ENVELOPE_BYTES / 50, 'the inbox limit is far below the envelope limit');
});

test('a message padded past its type limit is refused as oversize-message, naming type and size', (t) => {
  // Unknown keys are ignored by the decoder, so padding is the cheap way to a fat heartbeat.
  const fat = encodeCbor({ t: 'heartbeat', bootId: 'b', queue: 0, pad: new Uint8Array(MESSAGE_SIZE_LIMITS.heartbeat) });
  const [reason, detail] = rejection(() => endpoint().open(topics.gatewayInbox, envelope(fat)));
  t.is(reason, 'oversize-message');
  t.regex(detail!, /from w1: heartbeat of \d+ bytes, over its limit of 256/);
  const thin = encodeCbor({ t: 'heartbeat', bootId: 'b', queue: 0, pad: new Uint8Array(64) });
  t.is(endpoint().open(topics.gatewayInbox, envelope(thin)).message.t, 'heartbeat');
});

test('input over the gateway inbox limit is refused before any decryption', (t) => {
  const big = envelope(encodeCbor({ t: 'result', pad: new Uint8Array(GATEWAY_INBOX_MAX_BYTES) }));
  t.deepEqual(rejection(() => endpoint().open(topics.gatewayInbox, big))[0], 'oversize');
  // Junk of that size too: nothing is parsed, so it cannot be reported as malformed.
  t.deepEqual(rejection(() => endpoint().open(topics.gatewayInbox, new Uint8Array(GATEWAY_INBOX_MAX_BYTES + 1)))[0], 'oversize');
});
