#include "lf_cobs.h"

size_t lf_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  if (out == NULL || (in == NULL && n != 0) || cap < LF_COBS_MAX_ENCODED(n)) return 0;
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < n; i++) {
    if (in[i] != 0) {
      out[o++] = in[i];
      code++;
    }
    /* A full 254-byte run closes its block even when the data ends right there, leaving a
       trailing empty block (01). The TS encoder omits that block, as Cheshire and Baker's
       reference does; every decoder takes both forms, and the frame's CRC covers the decoded body. */
    if (in[i] == 0 || code == 0xFFu) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    }
  }
  out[code_at] = code;
  return o;
}

bool lf_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (in == NULL || out == NULL || out_len == NULL) return false;
  size_t i = 0, o = 0;
  while (i < n) {
    size_t code = in[i];
    if (code == 0 || code > n - i) return false;
    for (size_t k = 1; k < code; k++) {
      if (in[i + k] == 0 || o == cap) return false;
      out[o++] = in[i + k];
    }
    i += code;
    /* A block shorter than 0xFF stood for its data plus one zero, except at the very end. */
    if (code != 0xFFu && i < n) {
      if (o == cap) return false;
      out[o++] = 0;
    }
  }
  *out_len = o;
  return true;
}
