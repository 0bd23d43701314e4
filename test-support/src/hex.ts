/** Bytes as lower-case hex, for assertions and failure messages. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Hex (whitespace allowed, as test vectors are printed) back to bytes. */
export const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
