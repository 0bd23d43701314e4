/*
 * CRC-32 as zlib computes it (IEEE 802.3: reflected, polynomial 0xEDB88320, initial value and
 * final XOR 0xFFFFFFFF), so the host can check frames and blobs with node:zlib's crc32.
 */
#ifndef LF_CRC32_H
#define LF_CRC32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * zlib's crc32(crc, buf, len): start with crc = 0; chaining calls over consecutive pieces
 * gives the CRC of their concatenation.
 */
uint32_t lf_crc32(uint32_t crc, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LF_CRC32_H */
