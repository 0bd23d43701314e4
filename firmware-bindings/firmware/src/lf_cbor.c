#include "lf_cbor.h"

#include <string.h>

enum { MT_UINT = 0, MT_BYTES = 2, MT_TEXT = 3, MT_ARRAY = 4, MT_MAP = 5 };

typedef struct {
  const uint8_t *p;
  size_t left;
} reader;

/* One data item's head: major type and argument. Only definite, well-formed arguments. */
static bool read_head(reader *r, unsigned *major, uint64_t *arg) {
  if (r->left == 0) return false;
  uint8_t b = r->p[0];
  unsigned info = b & 0x1Fu;
  size_t extra;
  if (info < 24) extra = 0;
  else if (info == 24) extra = 1;
  else if (info == 25) extra = 2;
  else if (info == 26) extra = 4;
  else if (info == 27) extra = 8;
  else return false;  /* 28-30 reserved, 31 indefinite length: outside the subset */
  if (r->left - 1 < extra) return false;
  uint64_t v = extra == 0 ? info : 0;
  for (size_t i = 1; i <= extra; i++) v = (v << 8) | r->p[i];
  *major = (unsigned)(b >> 5);
  *arg = v;
  r->p += 1 + extra;
  r->left -= 1 + extra;
  return true;
}

/* The content of a byte or text string whose head was just read; the length is checked
   against what is left before anything is touched. */
static bool read_string(reader *r, uint64_t len, const uint8_t **ptr) {
  if (len > r->left) return false;
  *ptr = r->p;
  r->p += (size_t)len;
  r->left -= (size_t)len;
  return true;
}

/* One map value of the subset; f may be NULL for a key nobody asked for. */
static bool read_value(reader *r, lf_cbor_field *f) {
  unsigned major;
  uint64_t arg;
  lf_cbor_field v = { NULL, LF_CBOR_ABSENT, 0, NULL, 0 };
  if (!read_head(r, &major, &arg)) return false;
  if (major == MT_UINT) {
    v.kind = LF_CBOR_UINT;
    v.uint = arg;
  } else if (major == MT_BYTES || major == MT_TEXT) {
    v.kind = major == MT_BYTES ? LF_CBOR_BYTES : LF_CBOR_TEXT;
    if (!read_string(r, arg, &v.ptr)) return false;
    v.len = (size_t)arg;
  } else if (major == MT_ARRAY) {
    if (arg > LF_CBOR_MAX_ARRAY) return false;
    v.kind = LF_CBOR_ARRAY;
    v.uint = arg;
    v.ptr = r->p;
    size_t before = r->left;
    for (uint64_t i = 0; i < arg; i++) {
      unsigned m;
      uint64_t x;
      if (!read_head(r, &m, &x) || m != MT_UINT) return false;
    }
    v.len = before - r->left;
  } else {
    return false;  /* negative integers, maps in maps, tags, floats and simple values */
  }
  if (f != NULL) {
    v.key = f->key;
    *f = v;
  }
  return true;
}

static lf_cbor_field *wanted(lf_cbor_field *fields, size_t nfields, const uint8_t *key, size_t len) {
  for (size_t i = 0; i < nfields; i++) {
    const char *k = fields[i].key;
    if (k != NULL && strlen(k) == len && memcmp(k, key, len) == 0) return &fields[i];
  }
  return NULL;
}

bool lf_cbor_decode_map(const uint8_t *p, size_t n, lf_cbor_field *fields, size_t nfields) {
  for (size_t i = 0; i < nfields; i++) {
    fields[i].kind = LF_CBOR_ABSENT;
    fields[i].uint = 0;
    fields[i].ptr = NULL;
    fields[i].len = 0;
  }
  if (n == 0) return true;  /* "n may be 0 for no arguments" */
  if (p == NULL) return false;
  reader r = { p, n };
  unsigned major;
  uint64_t pairs;
  if (!read_head(&r, &major, &pairs) || major != MT_MAP) return false;
  /* Every pair takes at least two bytes, so a count beyond that is a lie caught up front. */
  if (pairs > r.left / 2) return false;
  for (uint64_t i = 0; i < pairs; i++) {
    uint64_t klen;
    const uint8_t *key;
    if (!read_head(&r, &major, &klen) || major != MT_TEXT || klen > LF_CBOR_MAX_KEY) return false;
    if (!read_string(&r, klen, &key)) return false;
    lf_cbor_field *f = wanted(fields, nfields, key, (size_t)klen);
    /* A repeated key makes a map invalid (RFC 8949 5.6); which copy wins would be a guess. */
    if (f != NULL && f->kind != LF_CBOR_ABSENT) return false;
    if (!read_value(&r, f)) return false;
  }
  return r.left == 0;  /* exactly one data item */
}

size_t lf_cbor_array_uints(const lf_cbor_field *f, uint64_t *out, size_t cap) {
  if (f == NULL || f->kind != LF_CBOR_ARRAY || out == NULL) return 0;
  reader r = { f->ptr, f->len };
  size_t n = 0;
  while (n < cap && n < f->uint) {
    unsigned major;
    /* Already validated by lf_cbor_decode_map; the checks stay because they cost nothing. */
    if (!read_head(&r, &major, &out[n]) || major != MT_UINT) break;
    n++;
  }
  return n;
}

void lf_cbor_writer_init(lf_cbor_writer *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->cap = buf == NULL ? 0 : cap;
  w->len = 0;
  w->overflow = false;
}

static bool reserve(lf_cbor_writer *w, size_t n) {
  if (w->overflow || n > w->cap - w->len) {
    w->overflow = true;
    return false;
  }
  return true;
}

static size_t head_len(uint64_t arg) {
  return arg < 24 ? 1 : arg <= 0xFFu ? 2 : arg <= 0xFFFFu ? 3 : arg <= 0xFFFFFFFFu ? 5 : 9;
}

/* A head, plus room for `content` more bytes checked in the same breath, so that an item that
   does not fit is not written at all. */
static bool put_head(lf_cbor_writer *w, unsigned major, uint64_t arg, size_t content) {
  size_t n = head_len(arg);
  if (content > SIZE_MAX - n || !reserve(w, n + content)) return false;
  uint8_t *h = w->buf + w->len;
  uint8_t mt = (uint8_t)(major << 5);
  if (n == 1) {
    h[0] = (uint8_t)(mt | arg);
  } else {
    size_t bytes = n - 1;
    h[0] = (uint8_t)(mt | (bytes == 1 ? 24u : bytes == 2 ? 25u : bytes == 4 ? 26u : 27u));
    for (size_t i = 0; i < bytes; i++) h[1 + i] = (uint8_t)(arg >> (8 * (bytes - 1 - i)));
  }
  w->len += n;
  return true;
}

void lf_cbor_put_map(lf_cbor_writer *w, size_t pairs) { put_head(w, MT_MAP, pairs, 0); }
void lf_cbor_put_array(lf_cbor_writer *w, size_t items) { put_head(w, MT_ARRAY, items, 0); }
void lf_cbor_put_uint(lf_cbor_writer *w, uint64_t v) { put_head(w, MT_UINT, v, 0); }

static void put_string(lf_cbor_writer *w, unsigned major, const uint8_t *p, size_t n) {
  if (!put_head(w, major, n, n) || n == 0) return;
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

void lf_cbor_put_bytes(lf_cbor_writer *w, const uint8_t *p, size_t n) { put_string(w, MT_BYTES, p, n); }

void lf_cbor_put_text(lf_cbor_writer *w, const char *s) {
  const char *t = s == NULL ? "" : s;
  put_string(w, MT_TEXT, (const uint8_t *)t, strlen(t));
}

void lf_cbor_put_true(lf_cbor_writer *w) {
  if (!reserve(w, 1)) return;
  w->buf[w->len++] = 0xF5u;
}

void lf_cbor_put_key_uint(lf_cbor_writer *w, const char *key, uint64_t v) {
  lf_cbor_put_text(w, key);
  lf_cbor_put_uint(w, v);
}

void lf_cbor_put_key_text(lf_cbor_writer *w, const char *key, const char *s) {
  lf_cbor_put_text(w, key);
  lf_cbor_put_text(w, s);
}
