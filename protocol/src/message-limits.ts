/**
 * How large each message type may be, encoded. The envelope's own limit (MAX_ENVELOPE_BYTES)
 * has to admit a route carrying a device's weights; these keep every other type to what it can
 * honestly need, so a peer cannot make the gateway hold megabytes in a `heartbeat`. A trace
 * names at most LIMITS.maxRouteHops devices with their layers, each with its signed ledger claim
 * (about 670 bytes a hop when it names every layer), hence the room in act/result; a result also
 * carries the source's own claim.
 */
import { MAX_ENVELOPE_BYTES } from './envelope.js';
import { LIMITS, type MessageType } from './messages.js';

const TRACE_BYTES = 48 * 1024;

export const MESSAGE_SIZE_LIMITS: { readonly [T in MessageType]: number } = {
  hello: 1024,
  heartbeat: 256,
  stream: 512,
  route: MAX_ENVELOPE_BYTES,
  ready: 512,
  unrouted: LIMITS.maxReasonLength * 4 + 512,
  act: LIMITS.maxTensorBytes + TRACE_BYTES,
  result: 4096 + LIMITS.maxClaimBytes + TRACE_BYTES,
  failed: LIMITS.maxReasonLength * 4 + 512,
  enrol: 512,
  challenge: 256,
  confirm: 256,
  enrolled: 512,
  rotate: 512,
  rotated: 256,
};

/** Message types a device sends to the gateway's inbox. */
export const GATEWAY_BOUND: readonly MessageType[] = ['hello', 'heartbeat', 'stream', 'ready', 'result', 'failed', 'enrol', 'confirm', 'rotate'];

/**
 * Envelope bytes the gateway's inbox accepts: its largest message plus the COSE layers around it
 * (headers, recipient, tag and signature are well under 1 KiB). Larger input is refused before
 * any decryption is attempted.
 */
export const GATEWAY_INBOX_MAX_BYTES = Math.max(...GATEWAY_BOUND.map((t) => MESSAGE_SIZE_LIMITS[t])) + 1024;
