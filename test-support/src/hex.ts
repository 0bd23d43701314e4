// Test-side hex: test-support depends on none of our packages (protocol's tests use it too), so
// it does not borrow protocol's toHex; the two are one line each and print the same.

/** Bytes as lower-case hex, for assertions and failure messages. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** Hex (whitespace allowed, as test vectors are printed) back to bytes. */
export const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
