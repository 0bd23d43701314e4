/*
 * Unit and fuzz tests of the portable core, on the in-memory board (test/mem_board.c: no pty, no
 * timing). Meant to run under the sanitizers, which is where "no undefined behaviour on any input"
 * is checked: `make check` builds it so (CI's counts; `make fuzz` runs the frame fuzzer with more).
 *
 * Exit 0 when every check held; each failure prints one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense_blob.h"
#include "frame_fuzz.h"
#include "lf_cbor.h"
#include "lf_cobs.h"
#include "lf_crc32.h"
#include "lf_layer.h"
#include "test_check.h"
#include "test_rng.h"

static void test_crc_cobs(void) {
  CHECK(lf_crc32(0, (const uint8_t *)"123456789", 9) == 0xCBF43926u, "crc check value");
  CHECK(lf_crc32(lf_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) == 0xCBF43926u, "crc chaining");
  static uint8_t in[3000], enc[3100], dec[3100];
  for (int t = 0; t < 3000; t++) {
    size_t n = t < 600 ? (size_t)t : rnd() % sizeof in;
    uint32_t zero_every = 1 + rnd() % 300;
    for (size_t i = 0; i < n; i++) in[i] = rnd() % zero_every == 0 ? 0 : (uint8_t)(1 + rnd() % 255);
    size_t e = lf_cobs_encode(in, n, enc, sizeof enc), d = 0;
    CHECK(e > 0 && e <= LF_COBS_MAX_ENCODED(n), "cobs length %zu for %zu", e, n);
    CHECK(memchr(enc, 0, e) == NULL, "cobs output holds a zero");
    CHECK(lf_cobs_decode(enc, e, dec, e, &d) && d == n && memcmp(in, dec, n) == 0, "cobs round trip of %zu bytes", n);
  }
  CHECK(lf_cobs_encode(in, 300, enc, 301) == 0, "cobs refuses a short output");
}

static void test_cbor(void) {
  const uint8_t ok[] = { 0xA3, 0x64, 's', 'l', 'o', 't', 0x01, 0x63, 'f', 'o', 'o', 0x82, 0x01, 0x18, 0x20,
                         0x64, 'd', 'a', 't', 'a', 0x42, 0xAA, 0xBB };
  lf_cbor_field f[2] = { { "slot", LF_CBOR_ABSENT, 0, NULL, 0 }, { "data", LF_CBOR_ABSENT, 0, NULL, 0 } };
  CHECK(lf_cbor_decode_map(ok, sizeof ok, f, 2), "valid map");
  CHECK(f[0].kind == LF_CBOR_UINT && f[0].uint == 1 && f[1].kind == LF_CBOR_BYTES && f[1].len == 2, "fields");
  CHECK(!lf_cbor_decode_map(ok, sizeof ok - 1, f, 2), "truncated map");
  const uint8_t tagged[] = { 0xD9, 0x01, 0x03, 0xA0 }, dup[] = { 0xA2, 0x61, 'n', 0x01, 0x61, 'n', 0x02 };
  CHECK(!lf_cbor_decode_map(tagged, sizeof tagged, f, 2), "tag refused");
  lf_cbor_field n = { "n", LF_CBOR_ABSENT, 0, NULL, 0 };
  CHECK(!lf_cbor_decode_map(dup, sizeof dup, &n, 1), "duplicate wanted key refused");
  CHECK(lf_cbor_decode_map(dup, sizeof dup, f, 2), "duplicate unwanted key skipped");
  /* Random bytes and random mutations of a valid map: only the sanitizers judge these. */
  static uint8_t buf[512];
  for (int t = 0; t < 200000; t++) {
    size_t len = rnd() % sizeof buf;
    if (t % 2 == 0) {
      for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)rnd();
    } else {
      len = sizeof ok;
      memcpy(buf, ok, len);
      for (uint32_t k = rnd() % 4; k > 0; k--) buf[rnd() % len] = (uint8_t)rnd();
      len -= rnd() % 3;
    }
    (void)lf_cbor_decode_map(buf, len, f, 2);
  }
  uint8_t out[16];
  lf_cbor_writer w;
  lf_cbor_writer_init(&w, out, sizeof out);
  lf_cbor_put_map(&w, 1);
  lf_cbor_put_key_uint(&w, "x", 0x100000000ull);
  CHECK(!w.overflow && w.len == 12 && out[3] == 0x1B, "uint64 encoding");
  lf_cbor_put_text(&w, "overflowing text");
  CHECK(w.overflow && w.len == 12, "writer stops at its end");
}

static void test_layer(void) {
  static uint32_t words[8192];
  uint8_t *b = (uint8_t *)words;
  size_t n = dense_blob(b, 40, 12);
  lf_layer l;
  lf_layer_error e;
  CHECK(lf_layer_parse(b, n, &l, NULL, &e), "valid dense blob");
  CHECK(l.input_len == 40 && l.output_len == 12 && lf_layer_macs(&l) == 480, "dense shape");
  CHECK(!lf_layer_parse(b + 4, n - 4, &l, NULL, &e), "misaligned refused");
  CHECK(!lf_layer_parse(b, n - 1, &l, NULL, &e) && strcmp(e.field, "weights") == 0, "truncated weights");
  static uint32_t copy[8192];
  static int8_t in[4096], out[4096];
  int parsed = 0;
  for (int t = 0; t < 100000; t++) {
    uint8_t *c = (uint8_t *)copy;
    memcpy(c, b, n);
    for (uint32_t k = 1 + rnd() % 3; k > 0; k--) {
      size_t at = rnd() % 4 == 0 ? rnd() % 60 : rnd() % n;
      c[at] = (uint8_t)(rnd() % 2 ? rnd() : c[at] ^ (1u << (rnd() % 8)));
    }
    size_t len = rnd() % 8 == 0 ? rnd() % (n + 8) : n;
    if (!lf_layer_parse(c, len, &l, NULL, &e)) {
      char text[96];
      CHECK(e.field != NULL && lf_layer_error_text(&e, text, sizeof text) < sizeof text, "error text");
      continue;
    }
    parsed++;
    /* What parse accepts, run must accept (given the input size parse reports). */
    if (l.input_len <= sizeof in) {
      static uint32_t persist[4096];
      size_t got = 0;
      lf_status st = lf_layer_prepare(&l, persist, sizeof persist);
      CHECK(st == LF_OK || (st == LF_ERR_PERSIST && lf_layer_persist_bytes(&l) > sizeof persist), "prepare after parse: %s", lf_status_field(st));
      if (st != LF_OK) continue;
      st = lf_layer_run(&l, in, l.input_len, out, sizeof out, &got, NULL, 0);
      CHECK(st == LF_OK || (st == LF_ERR_OUTPUT && l.output_len > sizeof out), "run after parse: %s", lf_status_field(st));
    }
  }
  CHECK(parsed > 0, "some mutations still parse");
  /* A layer not prepared, or of a kind no parse produces, is refused by name. */
  CHECK(lf_layer_parse(b, n, &l, NULL, &e), "valid dense blob again");
  CHECK(lf_layer_run(&l, in, l.input_len, out, sizeof out, NULL, NULL, 0) == LF_ERR_PERSIST, "run before prepare refused");
  static uint32_t persist[64];
  CHECK(lf_layer_prepare(&l, persist, 8) == LF_ERR_PERSIST, "prepare into too small a buffer refused");
  CHECK(lf_layer_prepare(&l, persist, sizeof persist) == LF_OK, "prepare");
  l.kind = (lf_layer_kind)9;
  CHECK(lf_layer_run(&l, in, l.input_len, out, sizeof out, NULL, NULL, 0) == LF_ERR_KIND, "unknown kind named as such");
  CHECK(strcmp(lf_status_field(LF_ERR_KIND), "kind") == 0, "kind status field");
}

static void test_firmware(void) {
  frame_fuzz_tally tally;
  frame_fuzz(20000, &tally, NULL);
  printf("firmware: %zu frames, %zu answers, %zu refusals\n", tally.frames, tally.answers, tally.refusals);
}

int main(void) {
  test_crc_cobs();
  test_cbor();
  test_layer();
  test_firmware();
  printf("%s (%d failures)\n", test_failures == 0 ? "ok" : "FAILED", test_failures);
  return test_failures == 0 ? 0 : 1;
}
