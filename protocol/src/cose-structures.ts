/**
 * The byte strings COSE signs, authenticates and derives keys from. They are never sent; both
 * sides rebuild them from the message, so any difference in these bytes is a verification
 * failure. Each builder takes the already-serialized protected header (a bstr): COSE protects
 * the exact bytes that were sent, not a re-encoding of the decoded map (RFC 9052 §3).
 */
import { encodeCbor } from './cbor.js';

const EMPTY = new Uint8Array(0);

/** Sig_structure for COSE_Sign1, RFC 9052 §4.4: ["Signature1", body_protected, external_aad, payload]. */
export function sigStructure1(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

/** Enc_structure, RFC 9052 §5.3: [context, protected, external_aad]; the AEAD's associated data. */
export function encStructure(
  context: 'Encrypt' | 'Encrypt0' | 'Enc_Recipient' | 'Mac_Recipient' | 'Rec_Recipient',
  protectedBytes: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  return encodeCbor([context, protectedBytes, externalAad]);
}

/**
 * COSE_KDF_Context, RFC 9053 §5.2, with the party identities and "other" left nil (this protocol
 * binds the parties inside the signed content instead) and no SuppPrivInfo:
 * [AlgorithmID, [nil, nonce / nil, nil], [nil, nil, nil], [keyDataLength, protected]].
 * `alg` is the algorithm the derived key is for — for direct key agreement the content algorithm —
 * `keyDataLengthBits` its key size, `recipientProtected` the recipient's protected header bytes.
 * `partyUNonce` is the PartyU nonce (header -22) that ECDH-SS needs so that two static keys give
 * a fresh key per message (RFC 9053 §6.3.1); ECDH-ES leaves it out, its ephemeral key is the fresh part.
 */
export function kdfContext(alg: number, keyDataLengthBits: number, recipientProtected: Uint8Array, partyUNonce?: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(keyDataLengthBits) || keyDataLengthBits <= 0) {
    throw new RangeError(`kdfContext keyDataLength: expected a positive integer number of bits, got ${keyDataLengthBits}`);
  }
  return encodeCbor([alg, [null, partyUNonce ?? null, null], [null, null, null], [keyDataLengthBits, recipientProtected]]);
}
