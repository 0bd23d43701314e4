/*
 * The C tests' random numbers (xorshift32): fast, and seeded, so that a failing fuzz run can be
 * repeated exactly from the seed it printed.
 */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

/* Starts the sequence over from `seed` (any value, 0 included). Unseeded, it starts from 12345. */
void test_rng_seed(uint32_t seed);

uint32_t rnd(void);

#endif /* TEST_RNG_H */
