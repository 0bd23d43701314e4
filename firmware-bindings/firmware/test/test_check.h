/*
 * The C tests' one assertion: a failed check prints its place and message and is counted, and the
 * run goes on, so one run reports every broken check (the sanitizers, by contrast, stop it).
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdio.h>

extern int test_failures;

#define CHECK(cond, ...) do { if (!(cond)) { test_failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); putchar('\n'); } } while (0)

#endif /* TEST_CHECK_H */
