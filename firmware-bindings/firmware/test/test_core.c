/*
 * Unit and fuzz tests of the portable core, on an in-memory board (no pty, no timing). Meant to
 * run under the sanitizers, which is where "no undefined behaviour on any input" is checked:
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic -g -O1 -fsanitize=address,undefined
 *      -fno-sanitize-recover=all -Iinclude src/[all .c] test/test_core.c -o /tmp/lf-test-core
 *
 * Exit 0 when every check held; each failure prints one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_board.h"
#include "lf_cbor.h"
#include "lf_cobs.h"
#include "lf_crc32.h"
#include "lf_firmware.h"
#include "lf_layer.h"
#include "lf_proto.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); putchar('\n'); } } while (0)

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* ---- the in-memory board: reads come from `script` in random-sized pieces, writes go to `sent` */
static uint8_t script[1u << 23];
static size_t script_len, script_at;
static uint8_t sent[1u << 23];
static size_t sent_len;
static uint32_t fake_cycles;

void lf_board_init(void) {}
size_t lf_board_read(uint8_t *buf, size_t cap) {
  if (script_at == script_len) return 0;
  size_t n = 1 + rnd() % cap;
  if (n > script_len - script_at) n = script_len - script_at;
  memcpy(buf, script + script_at, n);
  script_at += n;
  return n;
}
bool lf_board_reset_pressed(void) { return false; }
void lf_board_write(const uint8_t *buf, size_t len) {
  if (len > sizeof sent - sent_len) abort();
  memcpy(sent + sent_len, buf, len);
  sent_len += len;
}
uint32_t lf_board_cycles(void) { return fake_cycles += 997u; }
uint32_t lf_board_cycle_hz(void) { return 1000000u; }
const char *lf_board_name(void) { return "test"; }
void lf_board_id(char *out, size_t cap) { snprintf(out, cap, "test-board"); }
void lf_board_reset(void) {}

/* ---- helpers building requests the way the host does */
static void put_frame(uint8_t type, uint16_t seq, const uint8_t *payload, size_t n, bool corrupt) {
  uint8_t body[LF_MAX_BODY + 64];
  body[0] = 1;
  body[1] = type;
  body[2] = (uint8_t)seq;
  body[3] = (uint8_t)(seq >> 8);
  memcpy(body + 4, payload, n);
  uint32_t crc = lf_crc32(0, body, 4 + n);
  for (int i = 0; i < 4; i++) body[4 + n + (size_t)i] = (uint8_t)(crc >> (8 * i));
  if (corrupt) body[rnd() % (n + 8)] ^= (uint8_t)(1u << (rnd() % 8));
  size_t e = lf_cobs_encode(body, n + 8, script + script_len, sizeof script - script_len - 1);
  if (e == 0) abort();
  script_len += e;
  script[script_len++] = 0;
}

static size_t dense_blob(uint8_t *b, uint32_t inputs, uint32_t units) {
  memset(b, 0, 60);
  memcpy(b, "LFLY", 4);
  b[4] = 1;
  b[6] = 2;
  const uint32_t u[] = { inputs, units };
  for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) b[40 + 4 * i + k] = (uint8_t)(u[i] >> (8 * k));
  b[56] = 0x80; b[57] = b[58] = b[59] = 0xFF;  /* activation_min -128 */
  size_t o = 60;
  for (int s = 0; s < 3; s++) {
    for (int k = 0; k < 4; k++) b[o++] = (uint8_t)(units >> (8 * k));
    for (uint32_t c = 0; c < units; c++) {
      uint32_t v = s == 0 ? rnd() % 1000u : s == 1 ? 0x40000000u + rnd() % 0x3FFFFFFFu : (uint32_t)-7;
      for (int k = 0; k < 4; k++) b[o++] = (uint8_t)(v >> (8 * k));
    }
  }
  uint32_t w = inputs * units;
  for (int k = 0; k < 4; k++) b[o++] = (uint8_t)(w >> (8 * k));
  for (uint32_t i = 0; i < w; i++) b[o++] = (uint8_t)rnd();
  return o;
}

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
      size_t got = 0;
      lf_status st = lf_layer_run(&l, in, l.input_len, out, sizeof out, &got);
      CHECK(st == LF_OK || (st == LF_ERR_OUTPUT && l.output_len > sizeof out), "run after parse: %s", lf_status_field(st));
    }
  }
  CHECK(parsed > 0, "some mutations still parse");
}

/* Answers in `sent` from offset `from`: all must be well-formed; returns how many, by type. */
static size_t count_answers(size_t from, size_t *boots, size_t *errors) {
  size_t count = 0, start = from;
  static uint8_t body[LF_MAX_ENCODED];
  *boots = *errors = 0;
  for (size_t i = from; i < sent_len; i++) {
    if (sent[i] != 0) continue;
    /* Every frame is sent as 0x00 frame 0x00: the empty run before it is not an answer. */
    if (i == start) {
      start = i + 1;
      continue;
    }
    lf_frame f;
    lf_err e = lf_proto_decode(sent + start, i - start, body, sizeof body, &f, NULL);
    CHECK(e == LF_E_OK, "answer %zu does not decode (%s)", count, lf_err_name(e));
    CHECK(f.payload_len > 0 && (f.payload[0] >> 5) == 5, "answer payload is not a map");
    if (f.type == LF_TYPE_BOOT) (*boots)++;
    else count++;
    if (f.type == LF_TYPE_ERROR) (*errors)++;
    start = i + 1;
  }
  return count;
}

static void test_firmware(void) {
  /* A session of valid requests, then noise: every non-empty frame gets exactly one answer. */
  static uint32_t words[8192];
  uint8_t *blob = (uint8_t *)words;
  size_t n = dense_blob(blob, 200, 30), frames = 0;
  uint8_t p[LF_MAX_PAYLOAD];
  lf_cbor_writer w;
  lf_cbor_writer_init(&w, p, sizeof p);
  lf_cbor_put_map(&w, 3);
  lf_cbor_put_key_uint(&w, "slot", 4);
  lf_cbor_put_key_uint(&w, "size", n);
  lf_cbor_put_key_uint(&w, "crc", lf_crc32(0, blob, n));
  put_frame(0x02, 1, p, w.len, false), frames++;
  for (size_t off = 0; off < n; off += 1000) {
    lf_cbor_writer_init(&w, p, sizeof p);
    lf_cbor_put_map(&w, 3);
    lf_cbor_put_key_uint(&w, "slot", 4);
    lf_cbor_put_key_uint(&w, "off", off);
    lf_cbor_put_text(&w, "data");
    lf_cbor_put_bytes(&w, blob + off, n - off < 1000 ? n - off : 1000);
    put_frame(0x03, (uint16_t)(2 + off), p, w.len, false), frames++;
  }
  static const char *const keys[] = { "slot", "size", "crc", "off", "data", "slots", "len", "n", "x" };
  for (int t = 0; t < 20000; t++) {
    size_t len = rnd() % 64;
    if (t % 2 == 0) {
      /* Plausible requests with random values: these reach deep into the handlers. */
      lf_cbor_writer_init(&w, p, sizeof p);
      size_t pairs = rnd() % 4;
      lf_cbor_put_map(&w, pairs);
      for (size_t k = 0; k < pairs; k++) {
        lf_cbor_put_text(&w, keys[rnd() % 9]);
        uint32_t kind = rnd() % 4;
        if (kind == 0) {
          lf_cbor_put_uint(&w, rnd() % 3 == 0 ? rnd() : rnd() % 40);
        } else if (kind == 1) {
          lf_cbor_put_bytes(&w, blob, rnd() % 8 == 0 ? rnd() % 1100 : rnd() % 64);
        } else if (kind == 2) {
          size_t items = rnd() % 5;
          lf_cbor_put_array(&w, items);
          for (size_t i = 0; i < items; i++) lf_cbor_put_uint(&w, rnd() % 18);
        } else {
          lf_cbor_put_text(&w, "t");
        }
      }
      len = w.overflow ? 0 : w.len;
    } else {
      for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(rnd() % 3 == 0 ? 0xA0 + rnd() % 8 : rnd() % 0x80);
    }
    uint8_t type = (uint8_t)(1 + rnd() % 7);  /* never reset: it drops what follows in its read */
    if (rnd() % 10 == 0) type = (uint8_t)rnd();
    if (type == 0x08) type = 0x09;
    put_frame(type, (uint16_t)t, p, len, rnd() % 5 == 0), frames++;
    if (rnd() % 50 == 0) {
      for (uint32_t k = rnd() % 40; k > 0; k--) script[script_len++] = (uint8_t)rnd();
      script[script_len++] = 0;
      script[script_len++] = 0;  /* also an empty frame, which is not answered */
      frames++;
    }
  }
  size_t big = 3000;
  memset(script + script_len, 0x11, big);
  script_len += big;
  script[script_len++] = 0, frames++;
  /* The garbage may hold zeros of its own: count the non-empty runs the board will see. */
  size_t expected = 0, run = 0;
  for (size_t i = 0; i < script_len; i++) {
    if (script[i] != 0) run++;
    else if (run > 0) expected++, run = 0;
  }
  lf_firmware_run();
  size_t boots, errors, answers = count_answers(0, &boots, &errors);
  CHECK(boots == 1, "one boot announcement, got %zu", boots);
  CHECK(answers == expected && expected >= frames, "%zu answers for %zu frames", answers, expected);
  CHECK(errors > 0 && errors < answers, "a mix of answers and refusals (%zu of %zu refused)", errors, answers);
  printf("firmware: %zu frames, %zu answers, %zu refusals\n", frames, answers, errors);
}

int main(void) {
  test_crc_cobs();
  test_cbor();
  test_layer();
  test_firmware();
  printf("%s (%d failures)\n", failures == 0 ? "ok" : "FAILED", failures);
  return failures == 0 ? 0 : 1;
}
