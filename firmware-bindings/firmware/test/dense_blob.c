#include "dense_blob.h"

#include <string.h>

#include "test_rng.h"

size_t dense_blob(uint8_t *b, uint32_t inputs, uint32_t units) {
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
