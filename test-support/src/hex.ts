import { toHex } from '@layerfleet/protocol';

/** Bytes as lower-case hex, for assertions and failure messages (protocol's own printer). */
export const hex = toHex;

/** Hex (whitespace allowed, as test vectors are printed) back to bytes. */
export const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
