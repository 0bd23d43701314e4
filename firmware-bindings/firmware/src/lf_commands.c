/*
 * One handler per command, behind a table. A handler either writes its whole answer and
 * returns true, or fills a refusal and returns false having changed nothing (the only state
 * changes on a refusal are the ones the doc asks for: a blob failing its CRC or its parse
 * empties its slot).
 */
#include "lf_commands.h"

#include <string.h>

#include "lf_board.h"
#include "lf_cbor.h"
#include "lf_crc32.h"
#include "lf_firmware.h"

#define MAX_ARGS 3

typedef bool (*handler)(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r);

/* Static: the largest answer (read's 1024 data bytes) would be a lot of MCU stack. */
static uint8_t answer[LF_MAX_PAYLOAD];
/* The layer refusal's text must outlive the handler: the dispatcher sends it afterwards. */
static char layer_msg[96];

static bool refuse(lf_refusal *r, lf_err kind, const char *field, const char *msg) {
  r->kind = kind;
  r->field = field;
  r->msg = msg;
  return false;
}

static bool arg_u32(const lf_cbor_field *f, uint32_t *v, lf_refusal *r) {
  if (f->kind != LF_CBOR_UINT || f->uint > UINT32_MAX) return refuse(r, LF_E_ARGS, f->key, "missing, or not an unsigned integer below 2^32");
  *v = (uint32_t)f->uint;
  return true;
}

static bool arg_data(const lf_cbor_field *f, lf_refusal *r) {
  if (f->kind != LF_CBOR_BYTES) return refuse(r, LF_E_ARGS, f->key, "missing, or not a byte string");
  if (f->len > LF_MAX_DATA) return refuse(r, LF_E_ARGS, f->key, "more than maxChunk (1024) bytes");
  return true;
}

static bool arg_slot(lf_device *d, const lf_cbor_field *f, lf_slot **s, lf_refusal *r) {
  uint32_t i;
  if (!arg_u32(f, &i, r)) return false;
  if (i >= LF_SLOTS) return refuse(r, LF_E_ARGS, f->key, "slot out of range (16 slots)");
  *s = &d->slots[i];
  return true;
}

/* The space stays the slot's (offset, capacity) so that sending the blob again reuses it. */
static void empty_slot(lf_slot *s) {
  s->size = s->crc = s->received = 0;
  s->open = s->complete = false;
  memset(&s->layer, 0, sizeof s->layer);
}

static void put_done(lf_cbor_writer *w, const lf_slot *s, uint32_t crc) {
  lf_cbor_put_map(w, 3);
  lf_cbor_put_key_uint(w, "next", s->size);
  lf_cbor_put_text(w, "done");
  lf_cbor_put_true(w);
  lf_cbor_put_key_uint(w, "crc", crc);
}

static void put_next(lf_cbor_writer *w, uint32_t next) {
  lf_cbor_put_map(w, 1);
  lf_cbor_put_key_uint(w, "next", next);
}

static bool h_info(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  (void)args;
  (void)r;
  size_t loaded = 0;
  for (size_t i = 0; i < LF_SLOTS; i++) loaded += d->slots[i].complete;
  lf_cbor_put_map(w, 14);
  lf_cbor_put_key_text(w, "board", lf_board_name());
  lf_cbor_put_key_text(w, "id", d->id);
  lf_cbor_put_key_text(w, "fw", LF_FIRMWARE_VERSION);
  lf_cbor_put_key_uint(w, "proto", LF_PROTO_VERSION);
  lf_cbor_put_key_uint(w, "arena", LF_ARENA_BYTES);
  lf_cbor_put_key_uint(w, "free", LF_ARENA_BYTES - d->arena_used);
  lf_cbor_put_key_uint(w, "maxFrame", LF_MAX_BODY);
  lf_cbor_put_key_uint(w, "maxChunk", LF_MAX_DATA);
  lf_cbor_put_key_uint(w, "maxIo", LF_MAX_IO_BYTES);
  lf_cbor_put_key_uint(w, "slots", LF_SLOTS);
  lf_cbor_put_key_uint(w, "hz", lf_board_cycle_hz());
  lf_cbor_put_key_uint(w, "macs", d->macs_per_s);
  lf_cbor_put_key_uint(w, "boot", d->boot);
  lf_cbor_put_text(w, "loaded");
  lf_cbor_put_array(w, loaded);
  for (size_t i = 0; i < LF_SLOTS; i++)
    if (d->slots[i].complete) lf_cbor_put_uint(w, i);
  return true;
}

static bool h_load(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  lf_slot *s;
  uint32_t size, crc;
  if (!arg_slot(d, &args[0], &s, r) || !arg_u32(&args[1], &size, r) || !arg_u32(&args[2], &crc, r)) return false;
  if (size == 0) return refuse(r, LF_E_ARGS, "size", "a layer blob is never empty");
  if (s->complete && s->size == size && s->crc == crc) {
    /* Recomputed, not remembered: the answer proves what the arena holds now. */
    uint32_t held = lf_crc32(0, d->arena + s->offset, s->size);
    if (held == crc) {
      put_done(w, s, held);
      return true;
    }
  }
  if (s->open && s->size == size && s->crc == crc) {
    put_next(w, s->received);
    return true;
  }
  if (size > s->capacity) {
    /* Bump allocation: the slot's old space is only reclaimed by reset. */
    uint32_t free = LF_ARENA_BYTES - d->arena_used;
    if (size > free || ((size + 3u) & ~3u) > free) {
      r->has_free = true;
      r->free = free;
      return refuse(r, LF_E_ARENA, NULL, "not enough free arena for this blob");
    }
    s->offset = d->arena_used;
    s->capacity = (size + 3u) & ~3u;
    d->arena_used += s->capacity;
  }
  empty_slot(s);
  s->size = size;
  s->crc = crc;
  s->open = true;
  put_next(w, 0);
  return true;
}

static bool h_chunk(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  lf_slot *s;
  uint32_t off;
  if (!arg_slot(d, &args[0], &s, r) || !arg_u32(&args[1], &off, r) || !arg_data(&args[2], r)) return false;
  if (!s->open) return refuse(r, LF_E_ARGS, "slot", "no transfer open in this slot: send load first");
  if (off != s->received) {
    r->has_next = true;
    r->next = s->received;
    return refuse(r, LF_E_OFFSET, NULL, "chunk is not at the expected offset");
  }
  if (args[2].len > s->size - s->received) return refuse(r, LF_E_ARGS, "data", "chunk runs past the blob's size");
  if (args[2].len != 0) memcpy(d->arena + s->offset + s->received, args[2].ptr, args[2].len);
  s->received += (uint32_t)args[2].len;
  if (s->received < s->size) {
    put_next(w, s->received);
    return true;
  }
  const uint8_t *blob = d->arena + s->offset;
  uint32_t crc = lf_crc32(0, blob, s->size);
  if (crc != s->crc) {
    empty_slot(s);
    /* Not LF_E_CRC: that one says "your frame arrived damaged, send it again", this one does not. */
    return refuse(r, LF_E_BLOB_CRC, NULL, "CRC-32 of the stored blob does not match load's crc; slot emptied");
  }
  lf_layer_error le;
  if (!lf_layer_parse(blob, s->size, &s->layer, NULL, &le)) {
    empty_slot(s);
    lf_layer_error_text(&le, layer_msg, sizeof layer_msg);
    return refuse(r, LF_E_LAYER, le.field, layer_msg);
  }
  /* The kernels' prepare step, once per layer: its state gets arena space of its own. */
  size_t need = lf_layer_persist_bytes(&s->layer);
  if (need > s->persist_capacity) {
    uint32_t free = LF_ARENA_BYTES - d->arena_used;
    if (need > free || ((need + 3u) & ~(size_t)3u) > free) {
      empty_slot(s);
      r->has_free = true;
      r->free = free;
      return refuse(r, LF_E_ARENA, NULL, "not enough free arena for the prepared layer; slot emptied");
    }
    s->persist_offset = d->arena_used;
    s->persist_capacity = (uint32_t)((need + 3u) & ~(size_t)3u);
    d->arena_used += s->persist_capacity;
  }
  lf_status st = lf_layer_prepare(&s->layer, d->arena + s->persist_offset, s->persist_capacity);
  if (st != LF_OK) {
    empty_slot(s);
    return refuse(r, LF_E_LAYER, lf_status_field(st), "the kernel's prepare refused the layer; slot emptied");
  }
  s->open = false;
  s->complete = true;
  put_done(w, s, crc);
  return true;
}

static bool h_input(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  uint32_t off;
  if (!arg_u32(&args[0], &off, r) || !arg_data(&args[1], r)) return false;
  if (off != 0 && off != d->input_len) {
    r->has_next = true;
    r->next = d->input_len;
    return refuse(r, LF_E_OFFSET, NULL, "input must start at 0 or continue at next");
  }
  if (args[1].len > LF_MAX_IO_BYTES - off) return refuse(r, LF_E_ARGS, "data", "input runs past maxIo");
  if (args[1].len != 0) memcpy(d->input + off, args[1].ptr, args[1].len);
  d->input_len = off + (uint32_t)args[1].len;
  put_next(w, d->input_len);
  return true;
}

static bool refuse_slot(lf_refusal *r, lf_err kind, const char *field, uint64_t slot, const char *msg) {
  r->has_slot = true;
  r->slot = slot > UINT32_MAX ? UINT32_MAX : (uint32_t)slot;
  return refuse(r, kind, field, msg);
}

static bool h_run(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  uint64_t order[LF_CBOR_MAX_ARRAY];
  uint32_t len, crc;
  if (args[0].kind != LF_CBOR_ARRAY || args[0].uint == 0) return refuse(r, LF_E_ARGS, "slots", "missing, or not a non-empty array of slots");
  size_t n = lf_cbor_array_uints(&args[0], order, LF_CBOR_MAX_ARRAY);
  if (!arg_u32(&args[1], &len, r) || !arg_u32(&args[2], &crc, r)) return false;
  if (len > d->input_len) return refuse(r, LF_E_ARGS, "len", "more than the input written");
  /* Validated before anything runs, so a refused run leaves the previous output readable. */
  size_t chained = len;
  for (size_t i = 0; i < n; i++) {
    if (order[i] >= LF_SLOTS || !d->slots[order[i]].complete) return refuse_slot(r, LF_E_ARGS, "slots", order[i], "slot holds no complete layer");
    const lf_layer *l = &d->slots[order[i]].layer;
    if (l->input_len != chained) return refuse_slot(r, LF_E_RUN, lf_status_field(LF_ERR_INPUT), order[i], "layer input does not match the tensor it is given");
    if (l->output_len > LF_MAX_IO_BYTES) return refuse_slot(r, LF_E_RUN, lf_status_field(LF_ERR_OUTPUT), order[i], "layer output larger than maxIo");
    chained = l->output_len;
  }
  if (lf_crc32(0, (const uint8_t *)d->input, len) != crc) return refuse(r, LF_E_INPUT, NULL, "CRC-32 of the input does not match");

  /* Ping-pong between output and scratch, arranged so that the last layer writes output. */
  const int8_t *src = d->input;
  size_t src_len = len;
  uint64_t cycles = 0, macs = 0;
  for (size_t i = 0; i < n; i++) {
    int8_t *dst = (n - 1 - i) % 2 == 0 ? d->output : d->scratch;
    const lf_layer *l = &d->slots[order[i]].layer;
    size_t out_len = 0;
    uint32_t t0 = lf_board_cycles();
    /* No target-specific path on a board: its kernels need no scratch. */
    lf_status st = lf_layer_run(l, src, src_len, dst, LF_MAX_IO_BYTES, &out_len, NULL, 0);
    cycles += (uint32_t)(lf_board_cycles() - t0);  /* modulo 2^32: right across one wrap */
    if (st != LF_OK) {
      d->output_len = 0;
      return refuse_slot(r, LF_E_RUN, lf_status_field(st), order[i], "the kernel refused the layer");
    }
    macs += lf_layer_macs(l);
    src = dst;
    src_len = out_len;
  }
  d->output_len = (uint32_t)src_len;
  d->stats.runs++;
  d->stats.macs += macs;
  d->stats.cycles += cycles;
  lf_cbor_put_map(w, 4);
  lf_cbor_put_key_uint(w, "len", d->output_len);
  lf_cbor_put_key_uint(w, "crc", lf_crc32(0, (const uint8_t *)d->output, d->output_len));
  lf_cbor_put_key_uint(w, "cycles", cycles);
  lf_cbor_put_key_uint(w, "macs", macs);
  return true;
}

static bool h_read(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  uint32_t off, n;
  if (!arg_u32(&args[0], &off, r) || !arg_u32(&args[1], &n, r)) return false;
  if (off > d->output_len) return refuse(r, LF_E_ARGS, "off", "beyond the last run's output");
  if (n > LF_MAX_DATA || n > d->output_len - off) return refuse(r, LF_E_ARGS, "n", "more than maxChunk, or past the end of the output");
  lf_cbor_put_map(w, 1);
  lf_cbor_put_text(w, "data");
  lf_cbor_put_bytes(w, (const uint8_t *)d->output + off, n);
  return true;
}

static bool h_stats(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  (void)args;
  (void)r;
  const lf_stats *st = &d->stats;
  lf_cbor_put_map(w, 8);
  lf_cbor_put_key_uint(w, "frames", st->frames);
  /* Every kind, zero or not, so a reader can subtract two snapshots key by key. */
  lf_cbor_put_text(w, "errors");
  lf_cbor_put_map(w, LF_E_COUNT - 1);
  for (int k = LF_E_OK + 1; k < LF_E_COUNT; k++) lf_cbor_put_key_uint(w, lf_err_name((lf_err)k), st->errors[k]);
  lf_cbor_put_key_uint(w, "runs", st->runs);
  lf_cbor_put_key_uint(w, "macs", st->macs);
  lf_cbor_put_key_uint(w, "cycles", st->cycles);
  lf_cbor_put_key_uint(w, "bytesIn", st->bytes_in);
  lf_cbor_put_key_uint(w, "bytesOut", st->bytes_out);
  lf_cbor_put_key_uint(w, "sendFailed", st->send_failed);
  return true;
}

static bool h_reset(lf_device *d, const lf_cbor_field *args, lf_cbor_writer *w, lf_refusal *r) {
  (void)args;
  (void)r;
  lf_cbor_put_map(w, 0);
  d->reset_requested = true;
  return true;
}

static const struct {
  uint8_t type;
  handler fn;
  const char *keys[MAX_ARGS];  /* in the order the handler reads args[] */
} commands[] = {
  { 0x01, h_info, { NULL, NULL, NULL } },
  { 0x02, h_load, { "slot", "size", "crc" } },
  { 0x03, h_chunk, { "slot", "off", "data" } },
  { 0x04, h_input, { "off", "data", NULL } },
  { 0x05, h_run, { "slots", "len", "crc" } },
  { 0x06, h_read, { "off", "n", NULL } },
  { 0x07, h_stats, { NULL, NULL, NULL } },
  { 0x08, h_reset, { NULL, NULL, NULL } },
};

bool lf_commands_handle(lf_device *d, const lf_frame *f) {
  lf_refusal r;
  memset(&r, 0, sizeof r);
  lf_cbor_writer w;
  lf_cbor_writer_init(&w, answer, sizeof answer);
  size_t c = 0;
  while (c < sizeof commands / sizeof commands[0] && commands[c].type != f->type) c++;
  bool ok;
  if (c == sizeof commands / sizeof commands[0]) {
    ok = refuse(&r, LF_E_COMMAND, NULL, "unknown command type");
  } else {
    lf_cbor_field args[MAX_ARGS];
    for (size_t i = 0; i < MAX_ARGS; i++) args[i].key = commands[c].keys[i];
    if (!lf_cbor_decode_map(f->payload, f->payload_len, args, MAX_ARGS))
      ok = refuse(&r, LF_E_CBOR, NULL, "payload is not a CBOR map of the protocol's subset");
    else
      ok = commands[c].fn(d, args, &w, &r);
    /* Cannot happen with maxChunk <= 1024; checked so a future field cannot send a cut answer. */
    if (ok && w.overflow) ok = refuse(&r, LF_E_ARGS, NULL, "answer does not fit in one frame");
  }
  if (!ok) {
    d->reset_requested = false;
    d->stats.errors[r.kind]++;
    lf_device_sent(d, lf_proto_send_error(f->seq, f->type, &r));
    return false;
  }
  lf_device_sent(d, lf_proto_send((uint8_t)(f->type | LF_ANSWER_BIT), f->seq, answer, w.len));
  if (!d->reset_requested) return false;
  lf_board_reset();
  return true;
}
