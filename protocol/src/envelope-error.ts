/** Why `open` refused an envelope; one value per check, in the order `open` makes them. */
export type EnvelopeRejection =
  | 'oversize'
  | 'malformed'
  | 'wrong-recipient'
  | 'decrypt-failed'
  | 'malformed-inner'
  | 'unknown-sender'
  | 'static-key-mismatch'
  | 'bad-signature'
  | 'recipient-mismatch'
  | 'topic-mismatch'
  | 'replay'
  | 'stale'
  | 'future';

/**
 * The only error `open` throws, whatever bytes it is given. `reason` is for code (metrics,
 * decisions); `message` is for people and names the field or check that failed.
 */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
  constructor(readonly reason: EnvelopeRejection, message: string, options?: { cause?: unknown }) {
    super(`${reason}: ${message}`, options);
  }
}
