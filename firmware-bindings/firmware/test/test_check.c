#include "test_check.h"

int test_failures;
