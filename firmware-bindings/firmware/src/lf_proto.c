#include "lf_proto.h"

#include <string.h>

#include "lf_board.h"
#include "lf_cbor.h"
#include "lf_crc32.h"

/* Static: one answer is framed at a time, and a stack this size would not fit every MCU task. */
static uint8_t tx_body[LF_MAX_BODY];
static uint8_t tx_wire[1u + LF_MAX_ENCODED + 1u];
static uint8_t err_payload[256];

const char *lf_err_name(lf_err e) {
  static const char *const names[LF_E_COUNT] = {
    "ok", "cobs", "short", "too-long", "crc", "version", "cbor", "command", "args",
    "offset", "blob-crc", "input", "layer", "arena", "run",
  };
  return (unsigned)e < LF_E_COUNT ? names[e] : "unknown";
}

static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

lf_err lf_proto_decode(const uint8_t *encoded, size_t n, uint8_t *body, size_t cap, lf_frame *f, const char **msg) {
  const char *unused;
  if (msg == NULL) msg = &unused;
  f->type = 0;
  f->seq = LF_SEQ_UNKNOWN;
  f->payload = NULL;
  f->payload_len = 0;
  if (n > LF_MAX_ENCODED) {
    *msg = "frame longer than the 1280-byte limit";
    return LF_E_TOO_LONG;
  }
  size_t len;
  if (!lf_cobs_decode(encoded, n, body, cap, &len)) {
    *msg = "COBS does not decode";
    return LF_E_COBS;
  }
  /* The type and seq are read only once the CRC vouches for them: a damaged frame's seq could
     be another request's, and echoing it would make the host retry (or fail) the wrong one. */
  if (len < LF_MIN_BODY) {
    *msg = "frame body shorter than 8 bytes";
    return LF_E_SHORT;
  }
  if (len > LF_MAX_BODY) {
    *msg = "frame body longer than the 1280-byte limit";
    return LF_E_TOO_LONG;
  }
  if (lf_crc32(0, body, len - 4) != rd_u32(body + len - 4)) {
    *msg = "CRC-32 of the frame does not match";
    return LF_E_CRC;
  }
  f->type = body[1];
  f->seq = (uint16_t)(body[2] | body[3] << 8);
  if (body[0] != LF_PROTO_VERSION) {
    *msg = "protocol version is not 1";
    return LF_E_VERSION;
  }
  f->payload = body + 4;
  f->payload_len = len - LF_MIN_BODY;
  *msg = "ok";
  return LF_E_OK;
}

size_t lf_proto_send(uint8_t type, uint16_t seq, const uint8_t *payload, size_t len) {
  if (len > LF_MAX_PAYLOAD || (payload == NULL && len != 0)) return 0;
  tx_body[0] = LF_PROTO_VERSION;
  tx_body[1] = type;
  tx_body[2] = (uint8_t)(seq & 0xFFu);
  tx_body[3] = (uint8_t)(seq >> 8);
  if (len != 0) memcpy(tx_body + 4, payload, len);
  uint32_t crc = lf_crc32(0, tx_body, 4 + len);
  for (size_t i = 0; i < 4; i++) tx_body[4 + len + i] = (uint8_t)(crc >> (8 * i));
  /* A leading 0x00 as well: when line noise ate the delimiter of whatever came before, that
     garbage ends here instead of swallowing this frame (receivers skip empty frames). */
  tx_wire[0] = 0;
  size_t n = lf_cobs_encode(tx_body, len + LF_MIN_BODY, tx_wire + 1, sizeof tx_wire - 2);
  if (n == 0) return 0;
  n += 1;
  tx_wire[n++] = 0;
  return lf_board_write(tx_wire, n) ? n : 0;
}

size_t lf_proto_send_error(uint16_t seq, int req, const lf_refusal *r) {
  lf_cbor_writer w;
  lf_cbor_writer_init(&w, err_payload, sizeof err_payload);
  bool has_req = req >= 0 && req <= 0xFF;
  size_t pairs = 2u + has_req + (r->field != NULL) + r->has_next + r->has_free + r->has_slot;
  lf_cbor_put_map(&w, pairs);
  lf_cbor_put_key_text(&w, "err", lf_err_name(r->kind));
  lf_cbor_put_key_text(&w, "msg", r->msg != NULL ? r->msg : lf_err_name(r->kind));
  if (has_req) lf_cbor_put_key_uint(&w, "req", (uint64_t)req);
  if (r->field != NULL) lf_cbor_put_key_text(&w, "field", r->field);
  if (r->has_next) lf_cbor_put_key_uint(&w, "next", r->next);
  if (r->has_free) lf_cbor_put_key_uint(&w, "free", r->free);
  if (r->has_slot) lf_cbor_put_key_uint(&w, "slot", r->slot);
  /* Every string here is one of ours and short; should one ever grow past the buffer, the
     answer still goes out, just without the detail. */
  if (w.overflow) {
    lf_cbor_writer_init(&w, err_payload, sizeof err_payload);
    lf_cbor_put_map(&w, 2);
    lf_cbor_put_key_text(&w, "err", lf_err_name(r->kind));
    lf_cbor_put_key_text(&w, "msg", "refused (details did not fit)");
  }
  return lf_proto_send(LF_TYPE_ERROR, seq, err_payload, w.len);
}
