/*
 * The CBOR subset of docs/serial-protocol.md ("Payload CBOR"), both ways, bounded.
 *
 * Requests: one map with text keys (at most LF_CBOR_MAX_KEY bytes) whose values are unsigned
 * integers, byte strings, text strings or arrays of at most LF_CBOR_MAX_ARRAY unsigned integers.
 * Definite lengths only; tags, floats, simple values, negative integers and deeper nesting are
 * refused. Keys the caller does not ask for are skipped, but only after being checked against
 * the same subset, so a malformed payload is refused whatever it names.
 *
 * Answers: a writer into a caller's buffer that remembers overflow instead of writing past it,
 * always in preferred (shortest) serialisation, as cbor-x writes it.
 */
#ifndef LF_CBOR_H
#define LF_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LF_CBOR_MAX_KEY 32u
#define LF_CBOR_MAX_ARRAY 16u

typedef enum {
  LF_CBOR_ABSENT = 0,
  LF_CBOR_UINT,
  LF_CBOR_BYTES,
  LF_CBOR_TEXT,
  LF_CBOR_ARRAY
} lf_cbor_kind;

/* One wanted key (set key, everything else is filled in by lf_cbor_decode_map). */
typedef struct {
  const char *key;
  lf_cbor_kind kind;
  uint64_t uint;        /* UINT: the value; ARRAY: the element count */
  const uint8_t *ptr;   /* BYTES/TEXT: the content; ARRAY: the encoded elements */
  size_t len;           /* BYTES/TEXT: content length; ARRAY: encoded length */
} lf_cbor_field;

/*
 * Checks that p[0..n) is exactly one map of the subset (n == 0 counts as the empty map) and
 * fills the fields whose keys it holds. False when anything is outside the subset, a length
 * runs past n, bytes follow the map, or a wanted key appears twice.
 */
bool lf_cbor_decode_map(const uint8_t *p, size_t n, lf_cbor_field *fields, size_t nfields);

/* The elements of an ARRAY field decoded by lf_cbor_decode_map; returns how many (<= cap). */
size_t lf_cbor_array_uints(const lf_cbor_field *f, uint64_t *out, size_t cap);

typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  bool overflow;   /* sticky: once set, nothing more is written and the output is unusable */
} lf_cbor_writer;

void lf_cbor_writer_init(lf_cbor_writer *w, uint8_t *buf, size_t cap);
void lf_cbor_put_map(lf_cbor_writer *w, size_t pairs);
void lf_cbor_put_array(lf_cbor_writer *w, size_t items);
void lf_cbor_put_uint(lf_cbor_writer *w, uint64_t v);
void lf_cbor_put_bytes(lf_cbor_writer *w, const uint8_t *p, size_t n);
void lf_cbor_put_text(lf_cbor_writer *w, const char *s);
void lf_cbor_put_true(lf_cbor_writer *w);

/* A text key and its value, the shape of nearly every answer field. */
void lf_cbor_put_key_uint(lf_cbor_writer *w, const char *key, uint64_t v);
void lf_cbor_put_key_text(lf_cbor_writer *w, const char *key, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* LF_CBOR_H */
