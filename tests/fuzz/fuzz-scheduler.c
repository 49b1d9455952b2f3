/* libFuzzer entry point for the scheduler fuzzer: each input is one run of
 * the interpreter in scheduler-ops.c (docs/fuzzing.md). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "scheduler-ops.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_scheduler_run (data, size, NULL);
  return 0;
}
