/* A valid dense layer blob (the format in docs/serial-protocol.md) with random weights, as the host would send it. */
#ifndef DENSE_BLOB_H
#define DENSE_BLOB_H

#include <stddef.h>
#include <stdint.h>

/* Writes the blob into b (60 + 3 * (4 + 4 * units) + 4 + inputs * units bytes); returns its length. */
size_t dense_blob(uint8_t *b, uint32_t inputs, uint32_t units);

#endif /* DENSE_BLOB_H */
