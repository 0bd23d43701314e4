#include "mem_board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_board.h"
#include "test_rng.h"

uint8_t mem_script[MEM_BOARD_BYTES];
size_t mem_script_len;
uint8_t mem_sent[MEM_BOARD_BYTES];
size_t mem_sent_len;
static size_t script_at;
static uint32_t fake_cycles;

void mem_board_rewind(void) {
  mem_script_len = script_at = mem_sent_len = 0;
}

void lf_board_init(void) {}

size_t lf_board_read(uint8_t *buf, size_t cap) {
  if (script_at == mem_script_len) return 0;
  size_t n = 1 + rnd() % cap;
  if (n > mem_script_len - script_at) n = mem_script_len - script_at;
  memcpy(buf, mem_script + script_at, n);
  script_at += n;
  return n;
}

bool lf_board_reset_pressed(void) { return false; }

bool lf_board_write(const uint8_t *buf, size_t len) {
  if (len > sizeof mem_sent - mem_sent_len) abort();
  memcpy(mem_sent + mem_sent_len, buf, len);
  mem_sent_len += len;
  return true;
}

uint32_t lf_board_cycles(void) { return fake_cycles += 997u; }
uint32_t lf_board_cycle_hz(void) { return 1000000u; }
const char *lf_board_name(void) { return "test"; }
void lf_board_id(char *out, size_t cap) { snprintf(out, cap, "test-board"); }
void lf_board_reset(void) {}
