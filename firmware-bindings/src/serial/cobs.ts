// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): the frame body without any 0x00,
// so 0x00 can end a frame and a receiver joining mid-stream is in step again at the next one.

/** The most bytes COBS adds to n bytes: one code byte per 254 data bytes, plus the first. */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.floor(n / 254) + 1;
}

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte !== 0) {
      out[o++] = byte;
      code++;
    }
    // A full block (254 data bytes) closes without an implied zero; at the very end it needs no successor.
    if (byte === 0 || (code === 0xff && i + 1 < data.length)) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

export class CobsError extends Error {
  override name = 'CobsError';
}

/** Decodes one COBS block (without its 0x00 delimiter); a zero byte or a run past the end throws. */
export function cobsDecode(encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoded.length);
  let i = 0;
  let o = 0;
  while (i < encoded.length) {
    const code = encoded[i]!;
    if (code === 0) throw new CobsError(`cobs: zero byte at offset ${i} inside a frame`);
    if (i + code > encoded.length) {
      throw new CobsError(`cobs: block at offset ${i} claims ${code - 1} bytes, ${encoded.length - i - 1} remain`);
    }
    for (let k = 1; k < code; k++) {
      const b = encoded[i + k]!;
      if (b === 0) throw new CobsError(`cobs: zero byte at offset ${i + k} inside a frame`);
      out[o++] = b;
    }
    i += code;
    if (code !== 0xff && i < encoded.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
