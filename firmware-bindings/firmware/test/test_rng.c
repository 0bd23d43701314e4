#include "test_rng.h"

static uint32_t rng_state = 12345;

void test_rng_seed(uint32_t seed) {
  /* xorshift32 never leaves 0, and neighbouring seeds would start out alike: mix the seed first. */
  uint32_t x = seed + 0x9E3779B9u;
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  rng_state = x != 0 ? x : 12345;
}

uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}
