/*
 * Frames of the serial protocol (docs/serial-protocol.md, "Frames") and the error answers:
 * COBS(version, type, seq, CBOR payload, CRC-32) 0x00, every limit in one place.
 */
#ifndef LF_PROTO_H
#define LF_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_cobs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_PROTO_VERSION 1u
/* Body limits of the doc; the host uses the same numbers (src/serial/frame.ts). */
#define LF_MAX_BODY 1280u
#define LF_MIN_BODY 8u
#define LF_MAX_PAYLOAD (LF_MAX_BODY - LF_MIN_BODY)
/* The longest run of bytes before a 0x00 that can still be a frame (1286). */
#define LF_MAX_ENCODED LF_COBS_MAX_ENCODED(LF_MAX_BODY)
/* Data in one chunk/input/read: small enough that every answer fits LF_MAX_BODY. */
#define LF_MAX_DATA 1024u
#define LF_SEQ_UNKNOWN 0xFFFFu
#define LF_TYPE_BOOT 0x40u
#define LF_TYPE_ERROR 0xFFu
#define LF_ANSWER_BIT 0x80u

/* Every kind of refusal, in the order stats lists them; LF_E_OK is not one. */
typedef enum {
  LF_E_OK = 0,
  LF_E_COBS, LF_E_SHORT, LF_E_TOO_LONG, LF_E_CRC, LF_E_VERSION,      /* the frame */
  LF_E_CBOR, LF_E_COMMAND, LF_E_ARGS,                                 /* the request */
  LF_E_OFFSET, LF_E_BLOB_CRC, LF_E_INPUT, LF_E_LAYER, LF_E_ARENA, LF_E_RUN, /* the command */
  LF_E_COUNT
} lf_err;

/* The `err` text of a kind ("cobs", "too-long", ...). */
const char *lf_err_name(lf_err e);

typedef struct {
  uint8_t type;
  uint16_t seq;            /* LF_SEQ_UNKNOWN unless the frame's CRC matched */
  const uint8_t *payload;  /* points into the caller's body buffer */
  size_t payload_len;
} lf_frame;

/*
 * Decodes one encoded frame (the bytes between two 0x00) into body[0..cap) and checks it in the
 * doc's order: COBS, length, CRC, version. Returns LF_E_OK, or the kind to refuse it with (with
 * f->seq set only when the CRC matched, i.e. for a `version` refusal, and *msg a one-line reason).
 */
lf_err lf_proto_decode(const uint8_t *encoded, size_t n, uint8_t *body, size_t cap, lf_frame *f, const char **msg);

/* Frames and writes one message; returns the bytes written, 0 when the payload is too long or
   the board could not write them all (callers count that: lf_device_sent). */
size_t lf_proto_send(uint8_t type, uint16_t seq, const uint8_t *payload, size_t len);

/* What an error answer says besides its kind; has_* marks the optional fields present. */
typedef struct {
  lf_err kind;
  const char *msg;
  const char *field;     /* NULL: absent */
  bool has_next, has_free, has_slot;
  uint32_t next, free, slot;
} lf_refusal;

/* Sends {err, msg, req?, field?, next?, free?, slot?} as type 0xFF; req < 0 leaves req out. */
size_t lf_proto_send_error(uint16_t seq, int req, const lf_refusal *r);

#ifdef __cplusplus
}
#endif

#endif /* LF_PROTO_H */
