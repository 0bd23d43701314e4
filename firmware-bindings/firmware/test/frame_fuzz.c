#include "frame_fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "dense_blob.h"
#include "lf_cbor.h"
#include "lf_cobs.h"
#include "lf_crc32.h"
#include "lf_firmware.h"
#include "lf_proto.h"
#include "mem_board.h"
#include "test_check.h"
#include "test_rng.h"

/* A request framed the way the host does it; `corrupt` flips one bit after the CRC was computed. */
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
  size_t e = lf_cobs_encode(body, n + 8, mem_script + mem_script_len, sizeof mem_script - mem_script_len - 1);
  if (e == 0) abort();
  mem_script_len += e;
  mem_script[mem_script_len++] = 0;
}

/* Answers in mem_sent: all must be well-formed; returns how many, by type. */
static size_t count_answers(size_t *boots, size_t *errors) {
  size_t count = 0, start = 0;
  static uint8_t body[LF_MAX_ENCODED];
  *boots = *errors = 0;
  for (size_t i = 0; i < mem_sent_len; i++) {
    if (mem_sent[i] != 0) continue;
    /* Every frame is sent as 0x00 frame 0x00: the empty run before it is not an answer. */
    if (i == start) {
      start = i + 1;
      continue;
    }
    lf_frame f;
    lf_err e = lf_proto_decode(mem_sent + start, i - start, body, sizeof body, &f, NULL);
    CHECK(e == LF_E_OK, "answer %zu does not decode (%s)", count, lf_err_name(e));
    CHECK(f.payload_len > 0 && (f.payload[0] >> 5) == 5, "answer payload is not a map");
    if (f.type == LF_TYPE_BOOT) (*boots)++;
    else count++;
    if (f.type == LF_TYPE_ERROR) (*errors)++;
    start = i + 1;
  }
  return count;
}

/* The layer each session uploads; random requests also carry pieces of it. */
static uint32_t blob_words[8192];

/* Uploads a valid 200x30 dense layer into slot 4, in 1000-byte chunks; returns the frames sent. */
static size_t upload_layer(void) {
  uint8_t *blob = (uint8_t *)blob_words;
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
  return frames;
}

/* One random frame, now and then followed by line noise; returns the frames it added. */
static size_t put_random_frame(uint16_t seq) {
  const uint8_t *blob = (const uint8_t *)blob_words;
  static const char *const keys[] = { "slot", "size", "crc", "off", "data", "slots", "len", "n", "x" };
  uint8_t p[LF_MAX_PAYLOAD];
  lf_cbor_writer w;
  size_t len = rnd() % 64, frames = 0;
  if (seq % 2 == 0) {
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
  put_frame(type, seq, p, len, rnd() % 5 == 0), frames++;
  if (rnd() % 50 == 0) {
    for (uint32_t k = rnd() % 40; k > 0; k--) mem_script[mem_script_len++] = (uint8_t)rnd();
    mem_script[mem_script_len++] = 0;
    mem_script[mem_script_len++] = 0;  /* also an empty frame, which is not answered */
    frames++;
  }
  return frames;
}

/* A session of valid requests, then noise: every non-empty frame gets exactly one answer. */
static void session(size_t random_frames, frame_fuzz_tally *tally) {
  mem_board_rewind();
  size_t frames = upload_layer();
  for (size_t t = 0; t < random_frames; t++) frames += put_random_frame((uint16_t)t);
  size_t big = 3000;
  memset(mem_script + mem_script_len, 0x11, big);
  mem_script_len += big;
  mem_script[mem_script_len++] = 0, frames++;
  /* The noise may hold zeros of its own: count the non-empty runs the board will see. */
  size_t expected = 0, run = 0;
  for (size_t i = 0; i < mem_script_len; i++) {
    if (mem_script[i] != 0) run++;
    else if (run > 0) expected++, run = 0;
  }
  lf_firmware_run();
  size_t boots, errors, answers = count_answers(&boots, &errors);
  CHECK(boots == 1, "one boot announcement, got %zu", boots);
  CHECK(answers == expected && expected >= frames, "%zu answers for %zu frames", answers, expected);
  CHECK(errors > 0 && errors < answers, "a mix of answers and refusals (%zu of %zu refused)", errors, answers);
  tally->frames += frames;
  tally->answers += answers;
  tally->refusals += errors;
}

void frame_fuzz(size_t frames, frame_fuzz_tally *tally, void (*progress)(size_t done)) {
  memset(tally, 0, sizeof *tally);
  for (size_t done = 0; done < frames;) {
    size_t n = frames - done < FRAME_FUZZ_SESSION ? frames - done : FRAME_FUZZ_SESSION;
    session(n, tally);
    done += n;
    if (progress != NULL) progress(done);
  }
}
