/** Bytes as lower-case hex: key fingerprints, hashes and roots in messages and logs. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
