/* The part of <string.h> the core uses, for the freestanding WebAssembly build (defined in
   wasm/lf_wasm.c); clang ships stddef.h and stdint.h but no string.h without a libc. */
#ifndef LF_WASM_STRING_H
#define LF_WASM_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif
