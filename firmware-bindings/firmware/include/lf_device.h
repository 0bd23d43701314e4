/*
 * The board's whole state between frames: layer slots in a bump-allocated arena, the I/O
 * tensors, and the counters `stats` reports. lf_firmware.c owns the storage and clears it at
 * every (re)boot; the command handlers (lf_commands.c) work on it.
 */
#ifndef LF_DEVICE_H
#define LF_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_layer.h"
#include "lf_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per target from the Makefile; these defaults only serve builds that do not say. */
#ifndef LF_ARENA_BYTES
#define LF_ARENA_BYTES (256u * 1024u)
#endif
#ifndef LF_MAX_IO_BYTES
#define LF_MAX_IO_BYTES 32768u
#endif

#define LF_SLOTS 16u
#define LF_ID_MAX 64u

/* Multiples of 4 keep every allocation, and so every blob base, 4-byte aligned; the 32-bit
   limits let offsets and sizes travel as CBOR uints below 2^32. */
_Static_assert(LF_ARENA_BYTES % 4u == 0 && LF_ARENA_BYTES > 0 && LF_ARENA_BYTES <= 0x7FFFFFFFu, "LF_ARENA_BYTES");
_Static_assert(LF_MAX_IO_BYTES > 0 && LF_MAX_IO_BYTES <= 0x7FFFFFFFu, "LF_MAX_IO_BYTES");

typedef struct {
  uint32_t offset, capacity;  /* arena space; kept across reloads and failures until reset */
  uint32_t persist_offset, persist_capacity;  /* arena space for the layer's prepared state, likewise */
  uint32_t size, crc;         /* of the blob being received or held */
  uint32_t received;          /* bytes stored so far */
  bool open;                  /* a transfer is in progress */
  bool complete;              /* layer holds a parsed, CRC-checked blob */
  lf_layer layer;
} lf_slot;

typedef struct {
  uint64_t frames, runs, macs, cycles, bytes_in, bytes_out;
  uint64_t send_failed;       /* answers lf_proto_send could not frame or write (it returned 0) */
  uint32_t errors[LF_E_COUNT];
} lf_stats;

typedef struct {
  uint8_t *arena;             /* LF_ARENA_BYTES, 8-byte aligned */
  uint32_t arena_used;        /* bump pointer, always a multiple of 4 */
  int8_t *input, *output, *scratch;   /* LF_MAX_IO_BYTES each */
  uint32_t input_len;         /* the `next` of the last input */
  uint32_t output_len;        /* of the last successful run, in `output` */
  lf_slot slots[LF_SLOTS];
  lf_stats stats;
  uint32_t boot;
  uint64_t macs_per_s;
  char id[LF_ID_MAX];
  bool reset_requested;       /* set by the reset handler, acted on once its answer is out */
} lf_device;

/* Books what lf_proto_send / lf_proto_send_error returned: bytes written, or 0 for a failure. */
static inline void lf_device_sent(lf_device *d, size_t n) {
  if (n == 0) d->stats.send_failed++;
  else d->stats.bytes_out += n;
}

#ifdef __cplusplus
}
#endif

#endif /* LF_DEVICE_H */
