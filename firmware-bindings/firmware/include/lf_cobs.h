/*
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999). The body of a frame is sent
 * without any 0x00, so 0x00 can only end a frame and a receiver that joins mid-stream is back
 * in step at the next one. Byte-for-byte the same encoding as firmware-bindings/src/serial/cobs.ts.
 */
#ifndef LF_COBS_H
#define LF_COBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most bytes n bytes can encode to: one code byte per 254 data bytes, plus the first. */
#define LF_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/* Encodes n bytes into out (no 0x00 delimiter); returns the encoded length, or 0 when
   cap < LF_COBS_MAX_ENCODED(n) (checked up front, so nothing is half-written). */
size_t lf_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/*
 * Decodes one COBS block (the bytes between two 0x00). False on a zero byte, a code that runs
 * past the end, or a result longer than cap; the decoded length is at most n - 1, so cap = n
 * always suffices.
 */
bool lf_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* LF_COBS_H */
