/**
 * Every reason the gateway counts a refusal under (its `Rejections`), so that `/metrics` shows
 * each one from the start at 0: a Prometheus rate() over a series that appears only at its first
 * increment misses that increment. A reason counted that is not listed here still appears, from
 * its first count on.
 */
import type { EnvelopeRejection } from '@layerfleet/protocol';

/** COSE envelope checks (protocol/src/envelope-error.ts), in the order `open` makes them. */
const ENVELOPE: readonly EnvelopeRejection[] = [
  'oversize', 'malformed', 'wrong-recipient', 'decrypt-failed', 'malformed-inner', 'unknown-sender',
  'bad-signature', 'recipient-mismatch', 'topic-mismatch', 'replay', 'stale', 'future',
];

/** The broker's gates (broker.ts, transport/), the gateway's inbox and trust (gateway.ts, trust/), the ledger's claims. */
const GATEWAY = [
  'auth', 'connection', 'connection-limit', 'tls', 'oversize-packet', 'acl-publish', 'acl-subscribe',
  'rate-limit', 'bad-message', 'oversize-message', 'stale-key', 'internal', 'unknown-device', 'unexpected-message',
  'key-mismatch', 'sender-mismatch', 'revoked', 'enrolment', 'rotation', 'ledger-claim', 'unknown-route',
] as const;

export const KNOWN_REJECTION_REASONS: readonly string[] = [...ENVELOPE, ...GATEWAY];
