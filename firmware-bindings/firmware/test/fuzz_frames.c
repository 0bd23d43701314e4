/*
 * The frame fuzzer on demand: `fuzz-frames N [SEED]` sends N random frames (test/frame_fuzz.c)
 * from SEED (a time-based one when absent, printed so that the run can be repeated). Built with
 * ASan and UBSan like test-core; `make check` keeps CI's 20 000 frames, this takes any number.
 *
 * Progress goes to stderr; the last line of stdout is the result, which `npm run fuzz` parses:
 *   fuzz-frames: N frames, seed S: F failures (A answers, R refusals, T frames with the uploads and noise)
 * Exit 0 when every check held.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frame_fuzz.h"
#include "test_check.h"
#include "test_rng.h"

static size_t total_frames;

static void show_progress(size_t done) {
  fprintf(stderr, "fuzz-frames: %zu/%zu frames\n", done, total_frames);
}

/* A whole decimal number of at most `max`, or false. */
static bool parse_count(const char *text, unsigned long long max, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > max) return false;
  *out = v;
  return true;
}

int main(int argc, char **argv) {
  unsigned long long frames, seed;
  if (argc < 2 || argc > 3 || !parse_count(argv[1], SIZE_MAX, &frames)) {
    fprintf(stderr, "usage: fuzz-frames FRAMES [SEED]   (FRAMES a whole number, SEED 0..4294967295)\n");
    return 2;
  }
  if (argc == 3) {
    if (!parse_count(argv[2], UINT32_MAX, &seed)) {
      fprintf(stderr, "fuzz-frames: the seed must be a whole number from 0 to 4294967295, not %s\n", argv[2]);
      return 2;
    }
  } else {
    seed = (uint32_t)time(NULL) ^ (uint32_t)clock();
  }
  total_frames = (size_t)frames;
  test_rng_seed((uint32_t)seed);
  frame_fuzz_tally tally;
  frame_fuzz(total_frames, &tally, show_progress);
  printf("fuzz-frames: %zu frames, seed %llu: %d failures (%zu answers, %zu refusals, %zu frames with the uploads and noise)\n",
         total_frames, seed, test_failures, tally.answers, tally.refusals, tally.frames);
  return test_failures == 0 ? 0 : 1;
}
