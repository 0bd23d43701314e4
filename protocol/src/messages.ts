/**
 * The application messages carried inside envelopes, as CBOR maps with a `t` discriminator.
 * `decodeMessage` is the single entry from bytes: it rejects unknown types, missing or
 * mistyped fields and oversize values with a MessageError that names the field at fault.
 */
import { Encoder } from 'cbor-x';
import { assertDeviceId } from './topics.js';
import { MAX_VOUCH_LENGTH } from './vouch.js';
import { MessageError, arr, bytes, int, num, obj, oneOf, optional, str, isObj, type Obj } from './fields.js';

/** Limits live here so every decoder applies the same ones. */
export const LIMITS = {
  /** one activation tensor; VGG16's largest int8 activation (128·128·64) fits with room */
  maxTensorBytes: 2 * 1024 * 1024,
  /** weights of the layers delivered to one device in one plan (VGG16's fc1 is 8 M params) */
  maxWeightsBytes: 32 * 1024 * 1024,
  maxLayers: 64,
  maxRouteHops: 64,
  maxReasonLength: 1024,
  /** a signed ledger claim a device attaches (ledger-claim.ts); an honest one is under 600 bytes */
  maxClaimBytes: 1024,
} as const;

export interface Capabilities {
  /** MAC/s this device offers to the fleet (≤ what its kernels measured) */
  macsPerSecond: number;
  /** MAC/s its int8 kernels measured in the self-benchmark */
  measuredMacsPerSecond: number;
  memoryBytes: number;
  rateBitsPerSecond: number;
  role: 'worker' | 'source';
  /** requests per second a source intends to send (the planner's requestRate) */
  requestRate?: number;
}

export interface PeerKeys { id: string; sign: Uint8Array; kex: Uint8Array }
export interface HopTiming {
  device: string;
  layers: number[];
  ms: number;
  /**
   * The device's signed 'layer' claim for this hop (`signClaim`, data {device, requestId, attempt,
   * layers, ms}): the ledger records what the device itself signed, not what later hops relay.
   */
  claim?: Uint8Array;
}
export interface WireLayer { index: number; layer: Obj }

export type Message =
  | { t: 'hello'; sign: Uint8Array; kex: Uint8Array; bootId: string; caps: Capabilities }
  | { t: 'heartbeat'; bootId: string; queue: number }
  // A source asks for a standing route for its stream of `model` requests (again after a
  // reconnect, or when its rate changes); the gateway answers with `route` or `unrouted`.
  | { t: 'stream'; model: string; rate?: number }
  // A standing route (gateway/src/standing-routes.ts): the gateway-signed placement of a stream, versioned. Each
  // hop installs it once (weights of exactly its layers, its peers' keys) and answers `ready`;
  // the source gets it with `start` once every hop is ready and runs requests on it until a new
  // version comes. `rerun`: a hop of an older version is gone, so requests still under way on
  // one must be run again on this one.
  | { t: 'route'; route: string; version: number; model: string; assignment: string[]; peers: PeerKeys[]; layers: WireLayer[]; start: boolean; rerun?: boolean }
  | { t: 'ready'; route: string; version: number }
  // No route for the source's stream: `waiting`, the gateway keeps trying (hold requests); else it gave up (fail them).
  | { t: 'unrouted'; model: string; reason: string; waiting: boolean }
  // `attempt`: how many times the source has run this request before (a re-run after a route change).
  | { t: 'act'; route: string; version: number; requestId: string; attempt: number; layer: number; data: Uint8Array; trace: HopTiming[] }
  // `claim`: the source's signed 'result' claim (data {requestId, source, outcome, predicted, label?}).
  | { t: 'result'; route: string; version: number; requestId: string; attempt: number; predicted: number; logits: Uint8Array; trace: HopTiming[]; totalMs: number; label?: number; claim?: Uint8Array }
  // A hop that could not run its layers tells the gateway (with the route it was on), the gateway
  // tells the request's source, and a source that gives up on a request tells the gateway.
  | { t: 'failed'; requestId: string; attempt: number; reason: string; route?: string; version?: number; model?: string }
  // Enrolment (docs/trust.md): a device proves its signing key by signing `enrol`, its key-agreement
  // key by reading the `challenge` encrypted to it and returning the nonce in `confirm`.
  | { t: 'enrol'; token: string; sign: Uint8Array; kex: Uint8Array }
  | { t: 'challenge'; nonce: Uint8Array }
  | { t: 'confirm'; nonce: Uint8Array }
  | { t: 'enrolled'; owner: string; trusted: boolean }
  // Key rotation (key-rotation.ts): signed with the device's current key; `proof` is the new signing
  // key's signature, and `rotated` is sealed to the new key-agreement key (proof of that one).
  | { t: 'rotate'; sign: Uint8Array; kex: Uint8Array; proof: Uint8Array }
  | { t: 'rotated'; sign: Uint8Array };

/** The request id of a `failed` about a route version's setup (a hop could not install it), not about a request. */
export const ROUTE_SETUP_REQUEST = '-';

export type MessageType = Message['t'];
export type MessageOf<T extends MessageType> = Extract<Message, { t: T }>;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

export function encodeMessage(message: Message): Uint8Array {
  return cbor.encode(message);
}

export function decodeMessage(data: Uint8Array): Message {
  let value: unknown;
  try {
    value = cbor.decode(data);
  } catch (err) {
    throw new MessageError('message', `not well-formed CBOR (${(err as Error).message})`);
  }
  return parseMessage(value);
}

export function parseMessage(value: unknown): Message {
  const o = obj(value, 'message');
  const t = str(o, 't', 'message', 16);
  // Own properties only: `t` is untrusted, and "constructor" or "toString" must not find Object.prototype's.
  const parse = Object.hasOwn(parsers, t) ? parsers[t as MessageType] : undefined;
  if (!parse) throw new MessageError('message.t', `unknown message type ${JSON.stringify(t)}`);
  return parse(o, t);
}

const requestId = (o: Obj, p: string) => str(o, 'requestId', p, 64);
const attempt = (o: Obj, p: string) => int(o, 'attempt', p, 0, 1000);
const routeId = (o: Obj, p: string) => str(o, 'route', p, 128);
const version = (o: Obj, p: string) => int(o, 'version', p, 1, Number.MAX_SAFE_INTEGER);

function deviceId(value: unknown, path: string): string {
  try {
    assertDeviceId(value, path);
  } catch (err) {
    throw new MessageError(path, (err as Error).message.replace(`${path}: `, ''));
  }
  return value;
}

function trace(o: Obj, p: string): HopTiming[] {
  return arr(o, 'trace', p, LIMITS.maxRouteHops).map((item, i) => {
    const h = obj(item, `${p}.trace[${i}]`);
    const hp = `${p}.trace[${i}]`;
    const claim = optional(h, 'claim', () => bytes(h, 'claim', hp, LIMITS.maxClaimBytes));
    return {
      device: deviceId(h.device, `${hp}.device`),
      layers: arr(h, 'layers', hp, LIMITS.maxLayers).map((l, j) => int({ l }, 'l', `${hp}.layers[${j}]`, 0, LIMITS.maxLayers)),
      ms: num(h, 'ms', hp, 0),
      ...(claim === undefined ? {} : { claim }),
    };
  });
}

const parsers: { [T in MessageType]: (o: Obj, p: string) => MessageOf<T> } = {
  hello(o, p) {
    const c = obj(o.caps, `${p}.caps`);
    const cp = `${p}.caps`;
    const requestRate = optional(c, 'requestRate', () => num(c, 'requestRate', cp, 0, 1e6));
    return {
      t: 'hello',
      sign: bytes(o, 'sign', p, 32, 32),
      kex: bytes(o, 'kex', p, 32, 32),
      bootId: str(o, 'bootId', p, 64),
      caps: {
        macsPerSecond: num(c, 'macsPerSecond', cp, 0),
        measuredMacsPerSecond: num(c, 'measuredMacsPerSecond', cp, 0),
        memoryBytes: num(c, 'memoryBytes', cp, 0),
        rateBitsPerSecond: num(c, 'rateBitsPerSecond', cp, 0),
        role: oneOf(c, 'role', cp, ['worker', 'source'] as const),
        ...(requestRate === undefined ? {} : { requestRate }),
      },
    };
  },
  heartbeat: (o, p) => ({ t: 'heartbeat', bootId: str(o, 'bootId', p, 64), queue: int(o, 'queue', p) }),
  stream(o, p) {
    const rate = optional(o, 'rate', () => num(o, 'rate', p, 0, 1e6));
    return { t: 'stream', model: str(o, 'model', p, 64), ...(rate === undefined ? {} : { rate }) };
  },
  route(o, p) {
    return {
      t: 'route',
      route: routeId(o, p),
      version: version(o, p),
      model: str(o, 'model', p, 64),
      assignment: arr(o, 'assignment', p, LIMITS.maxLayers).map((d, i) => deviceId(d, `${p}.assignment[${i}]`)),
      peers: arr(o, 'peers', p, LIMITS.maxRouteHops).map((item, i) => {
        const k = obj(item, `${p}.peers[${i}]`);
        const kp = `${p}.peers[${i}]`;
        return { id: deviceId(k.id, `${kp}.id`), sign: bytes(k, 'sign', kp, 32, 32), kex: bytes(k, 'kex', kp, 32, 32) };
      }),
      layers: arr(o, 'layers', p, LIMITS.maxLayers).map((item, i) => {
        const w = obj(item, `${p}.layers[${i}]`);
        const wp = `${p}.layers[${i}]`;
        return { index: int(w, 'index', wp, 0, LIMITS.maxLayers), layer: obj(w.layer, `${wp}.layer`) };
      }),
      start: o.start === true,
      ...(o.rerun === true ? { rerun: true } : {}),
    };
  },
  ready: (o, p) => ({ t: 'ready', route: routeId(o, p), version: version(o, p) }),
  unrouted: (o, p) => ({ t: 'unrouted', model: str(o, 'model', p, 64), reason: str(o, 'reason', p, LIMITS.maxReasonLength), waiting: o.waiting === true }),
  act: (o, p) => ({
    t: 'act',
    route: routeId(o, p),
    version: version(o, p),
    requestId: requestId(o, p),
    attempt: attempt(o, p),
    layer: int(o, 'layer', p, 0, LIMITS.maxLayers),
    data: bytes(o, 'data', p, LIMITS.maxTensorBytes),
    trace: trace(o, p),
  }),
  result(o, p) {
    const label = optional(o, 'label', () => int(o, 'label', p, 0, 1e6));
    const claim = optional(o, 'claim', () => bytes(o, 'claim', p, LIMITS.maxClaimBytes));
    return {
      t: 'result',
      route: routeId(o, p),
      version: version(o, p),
      requestId: requestId(o, p),
      attempt: attempt(o, p),
      predicted: int(o, 'predicted', p, 0, 1e6),
      logits: bytes(o, 'logits', p, 4096),
      trace: trace(o, p),
      totalMs: num(o, 'totalMs', p, 0),
      ...(label === undefined ? {} : { label }),
      ...(claim === undefined ? {} : { claim }),
    };
  },
  failed(o, p) {
    const route = optional(o, 'route', () => routeId(o, p));
    const v = optional(o, 'version', () => version(o, p));
    const model = optional(o, 'model', () => str(o, 'model', p, 64));
    return {
      t: 'failed', requestId: requestId(o, p), attempt: attempt(o, p), reason: str(o, 'reason', p, LIMITS.maxReasonLength),
      ...(route === undefined ? {} : { route }), ...(v === undefined ? {} : { version: v }), ...(model === undefined ? {} : { model }),
    };
  },
  enrol: (o, p) => ({ t: 'enrol', token: str(o, 'token', p, MAX_VOUCH_LENGTH), sign: bytes(o, 'sign', p, 32, 32), kex: bytes(o, 'kex', p, 32, 32) }),
  challenge: (o, p) => ({ t: 'challenge', nonce: bytes(o, 'nonce', p, 32, 32) }),
  confirm: (o, p) => ({ t: 'confirm', nonce: bytes(o, 'nonce', p, 32, 32) }),
  enrolled: (o, p) => ({ t: 'enrolled', owner: str(o, 'owner', p, 64), trusted: o.trusted === true }),
  rotate: (o, p) => ({ t: 'rotate', sign: bytes(o, 'sign', p, 32, 32), kex: bytes(o, 'kex', p, 32, 32), proof: bytes(o, 'proof', p, 64, 64) }),
  rotated: (o, p) => ({ t: 'rotated', sign: bytes(o, 'sign', p, 32, 32) }),
};

export { MessageError, isObj };
