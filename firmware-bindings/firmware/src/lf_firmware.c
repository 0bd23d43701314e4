/*
 * The firmware's main loop: bytes from the board's serial link are cut into frames at 0x00,
 * each frame is answered exactly once, and every (re)boot starts from cleared state with a
 * fresh MAC/s measurement and a boot announcement.
 */
#include "lf_firmware.h"

#include <string.h>

#include "lf_board.h"
#include "lf_cbor.h"
#include "lf_commands.h"
#include "lf_device.h"
#include "lf_kernels.h"
#include "lf_proto.h"

/*
 * Declared as 32-bit words rather than bytes: blobs are written into it byte-wise (always
 * allowed) and their int32 sections are then read in place, which C's aliasing rules permit
 * only on an object whose declared type is a 32-bit integer.
 */
static _Alignas(8) uint32_t arena_words[LF_ARENA_BYTES / 4u];
static int8_t io_input[LF_MAX_IO_BYTES];
static int8_t io_output[LF_MAX_IO_BYTES];
static int8_t io_scratch[LF_MAX_IO_BYTES];
static lf_device dev;

/* Receive side: one encoded frame at most; a longer run is dropped up to its 0x00. */
static uint8_t rx[LF_MAX_ENCODED];
static size_t rx_len;
static bool rx_dropping;
static uint8_t rx_body[LF_MAX_ENCODED];

/* Outlive a host board's in-process reset (a real restart clears them, see new_boot_value). */
static uint32_t boot_count;
static uint32_t last_boot;

/*
 * The MAC/s benchmark: a dense layer and a 3x3 conv layer like the ones the planner places, each
 * timed on the cycle counter; the board reports the slower rate, so a budget the planner fills
 * with conv layers is one the board can keep (on the host build the conv kernel runs about a
 * third as fast as the dense one). Weights live in the scratch buffer (RAM, like arena layers)
 * rather than a table in flash, which would also time flash wait states no real layer pays.
 */
#define CAL_UNITS 64u
#define CAL_INPUTS (LF_MAX_IO_BYTES / CAL_UNITS < 256u ? LF_MAX_IO_BYTES / CAL_UNITS : 256u)
#define CAL_RUNS 4u
/* conv: 12x12x8 input, 16 filters of 3x3, 'same': 12*12*16*9*8 = 165 888 MACs per run. */
#define CAL_CONV_HW 12u
#define CAL_CONV_C 8u
#define CAL_CONV_F 16u
_Static_assert(CAL_INPUTS >= 1u, "LF_MAX_IO_BYTES too small for the MAC/s benchmark");
_Static_assert(CAL_CONV_HW * CAL_CONV_HW * CAL_CONV_F <= LF_MAX_IO_BYTES, "LF_MAX_IO_BYTES too small for the conv benchmark");
_Static_assert(CAL_CONV_F <= CAL_UNITS, "the conv benchmark shares the dense one's zero constants");
_Static_assert(CAL_UNITS * 12u % 16u == 0 && CAL_CONV_F * 12u % 16u == 0, "prepare's persistent space is whole 16-byte blocks");
/* Zero bias, multiplier and shift: requantisation still runs its full arithmetic on them. */
static const int32_t cal_zeros[CAL_UNITS];

static void cal_fill(void) {
  for (uint32_t i = 0; i < LF_MAX_IO_BYTES; i++) io_scratch[i] = (int8_t)((int)((i * 37u) % 256u) - 128);
  for (uint32_t i = 0; i < LF_MAX_IO_BYTES; i++) io_input[i] = (int8_t)((int)((i * 11u) % 256u) - 128);
}

/* MACs per second of one kernel call (`run`, true on success) over CAL_RUNS timed calls. */
static uint64_t cal_rate(bool (*run)(void), uint64_t macs_per_run) {
  uint64_t cycles = 0;
  /* Call 0 warms caches and is not timed. */
  for (uint32_t r = 0; r <= CAL_RUNS; r++) {
    uint32_t t0 = lf_board_cycles();
    if (!run()) return 0;
    if (r > 0) cycles += (uint32_t)(lf_board_cycles() - t0);
  }
  if (cycles == 0) return 0;
  /* Under 2^18 MACs times 4 runs times a 32-bit rate: no overflow in 64 bits. */
  return (uint64_t)CAL_RUNS * macs_per_run * lf_board_cycle_hz() / cycles;
}

/* Prepared once per boot, like a loaded layer: the timed calls are the kernels' eval alone. */
static lf_channel_plan cal_persist[CAL_UNITS + CAL_CONV_F];
static lf_dense_plan cal_dense_plan;
static lf_conv2d_plan cal_conv_plan;

static bool cal_prepare(void) {
  const lf_dense_params dp = { CAL_INPUTS, CAL_UNITS, 0, 0, -128, 127 };
  const lf_channel_params dch = { cal_zeros, CAL_UNITS, cal_zeros, CAL_UNITS, cal_zeros, CAL_UNITS };
  if (lf_dense_prepare(&dp, io_scratch, CAL_INPUTS * CAL_UNITS, &dch, cal_persist, CAL_UNITS * sizeof cal_persist[0], &cal_dense_plan) != LF_OK) return false;
  const lf_conv2d_params cp = { CAL_CONV_HW, CAL_CONV_HW, CAL_CONV_C, 3, 1, CAL_CONV_F, LF_PADDING_SAME, 0, 0, 0, 0, -128, 127 };
  const lf_channel_params cch = { cal_zeros, CAL_CONV_F, cal_zeros, CAL_CONV_F, cal_zeros, CAL_CONV_F };
  return lf_conv2d_prepare(&cp, io_scratch, CAL_CONV_F * 9u * CAL_CONV_C, &cch, cal_persist + CAL_UNITS,
                           CAL_CONV_F * sizeof cal_persist[0], &cal_conv_plan) == LF_OK;
}

static bool cal_dense(void) {
  lf_dense_eval(&cal_dense_plan, io_input, io_output, NULL);
  return true;
}

static bool cal_conv(void) {
  lf_conv2d_eval(&cal_conv_plan, io_input, io_output, NULL);
  return true;
}

static uint64_t measure_macs_per_s(void) {
  cal_fill();
  if (!cal_prepare()) return 0;
  uint64_t dense = cal_rate(cal_dense, (uint64_t)CAL_INPUTS * CAL_UNITS);
  uint64_t conv = cal_rate(cal_conv, (uint64_t)CAL_CONV_HW * CAL_CONV_HW * CAL_CONV_F * 9u * CAL_CONV_C);
  memset(io_input, 0, sizeof io_input);
  memset(io_output, 0, sizeof io_output);
  memset(io_scratch, 0, sizeof io_scratch);
  return dense < conv ? dense : conv;
}

static uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

/*
 * `boot` must differ after every (re)boot. The host board's cycle counter is the monotonic
 * clock in ns, so each process start and each reset reads a new value; a counter kept across
 * the host's in-process reset makes a repeat impossible there. On a microcontroller the
 * statics restart from zero and the value rests on the cycle counter at this point, which
 * differs between boots only if the counter is not cleared by the reset (or boot timing
 * varies); the board id is mixed in so two boards booting in step still differ.
 */
static uint32_t new_boot_value(void) {
  uint32_t h = 2166136261u;  /* FNV-1a of the id */
  for (size_t i = 0; i < LF_ID_MAX && dev.id[i] != '\0'; i++) h = (h ^ (uint8_t)dev.id[i]) * 16777619u;
  boot_count++;
  uint32_t v = mix32(lf_board_cycles() ^ mix32(h ^ mix32(boot_count)));
  if (v == last_boot) v++;
  last_boot = v;
  return v;
}

static void announce(void) {
  uint8_t payload[160];
  lf_cbor_writer w;
  lf_cbor_writer_init(&w, payload, sizeof payload);
  lf_cbor_put_map(&w, 3);
  lf_cbor_put_key_text(&w, "board", lf_board_name());
  lf_cbor_put_key_text(&w, "id", dev.id);
  lf_cbor_put_key_uint(&w, "boot", dev.boot);
  if (w.overflow) dev.stats.send_failed++;
  else lf_device_sent(&dev, lf_proto_send(LF_TYPE_BOOT, 0, payload, w.len));
}

/* Everything a power-on would clear, then the benchmark and the announcement. */
static void boot(void) {
  memset(arena_words, 0, sizeof arena_words);
  memset(&dev, 0, sizeof dev);
  dev.arena = (uint8_t *)arena_words;
  dev.input = io_input;
  dev.output = io_output;
  dev.scratch = io_scratch;
  lf_board_id(dev.id, sizeof dev.id);
  dev.id[LF_ID_MAX - 1u] = '\0';
  rx_len = 0;
  rx_dropping = false;
  dev.macs_per_s = measure_macs_per_s();
  dev.boot = new_boot_value();
  announce();
}

static void refuse_frame(lf_err kind, uint16_t seq, const char *msg) {
  lf_refusal r;
  memset(&r, 0, sizeof r);
  r.kind = kind;
  r.msg = msg;
  dev.stats.errors[kind]++;
  /* No req: the type of a frame that failed these checks is not trustworthy. */
  lf_device_sent(&dev, lf_proto_send_error(seq, -1, &r));
}

/* One complete frame; true when it reset the board. */
static bool on_frame(const uint8_t *encoded, size_t n) {
  dev.stats.frames++;
  lf_frame f;
  const char *msg;
  lf_err e = lf_proto_decode(encoded, n, rx_body, sizeof rx_body, &f, &msg);
  if (e != LF_E_OK) {
    refuse_frame(e, f.seq, msg);
    return false;
  }
  return lf_commands_handle(&dev, &f);
}

/* One received byte; true when it completed a frame that reset the board. */
static bool on_byte(uint8_t b) {
  if (b != 0) {
    if (rx_dropping) return false;
    if (rx_len == sizeof rx) {
      rx_dropping = true;
      rx_len = 0;
      return false;
    }
    rx[rx_len++] = b;
    return false;
  }
  if (rx_dropping) {
    /* Answered once, when the oversize run ends, like every other frame. */
    rx_dropping = false;
    dev.stats.frames++;
    refuse_frame(LF_E_TOO_LONG, LF_SEQ_UNKNOWN, "more than 1286 bytes before a 0x00; dropped");
    return false;
  }
  /* 0x00 0x00: an empty frame, sent as keep-alive or to resync; nothing to answer. */
  if (rx_len == 0) return false;
  size_t n = rx_len;
  rx_len = 0;
  return on_frame(rx, n);
}

void lf_firmware_run(void) {
  boot();
  uint8_t chunk[128];
  for (;;) {
    size_t n = lf_board_read(chunk, sizeof chunk);
    if (n == 0) {
      if (!lf_board_reset_pressed()) return;
      boot();
      continue;
    }
    if (n > sizeof chunk) n = sizeof chunk;
    dev.stats.bytes_in += n;
    for (size_t i = 0; i < n; i++) {
      if (on_byte(chunk[i])) {
        /* Bytes that arrived behind the reset are lost, as on a board that restarts. */
        boot();
        break;
      }
    }
  }
}
