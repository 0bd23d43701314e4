/*
 * The frame fuzzer: the firmware core on the in-memory board, fed valid requests, plausible
 * requests with random values, random payloads, corrupted frames, line noise and oversize runs.
 * Every non-empty frame must get exactly one well-formed answer; under ASan and UBSan (how the
 * Makefile builds its users) any out-of-bounds access or undefined behaviour aborts the run.
 */
#ifndef FRAME_FUZZ_H
#define FRAME_FUZZ_H

#include <stddef.h>

/* Random frames per session: the script and what is sent for them fit the in-memory board. */
#define FRAME_FUZZ_SESSION 20000u

typedef struct {
  size_t frames;    /* every non-empty frame sent: the fuzzed ones, the layer upload, noise */
  size_t answers;
  size_t refusals;  /* answers that were error answers */
} frame_fuzz_tally;

/*
 * Sends `frames` random frames, in sessions of at most FRAME_FUZZ_SESSION (each a fresh boot that
 * first uploads a valid layer, so that requests naming it reach the layer code); failed checks go
 * to test_failures. `progress`, when not NULL, is called after each session with the random
 * frames sent so far.
 */
void frame_fuzz(size_t frames, frame_fuzz_tally *tally, void (*progress)(size_t done));

#endif /* FRAME_FUZZ_H */
