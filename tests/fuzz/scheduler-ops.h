#pragma once

/* The scheduler fuzzer's interpreter: input bytes become a sequence of
 * gtkloop calls (tasks, callbacks, timers, threads, combinators,
 * synchronisation, executor jobs, close) on a fresh loop, with the
 * scheduling invariants checked as they run. A broken invariant aborts,
 * so libFuzzer (fuzz-scheduler.c) reports it and the corpus replay
 * (replay.c) fails. docs/fuzzing.md lists the operations and invariants. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FUZZ_OP_SPAWN,
  FUZZ_OP_AWAIT,
  FUZZ_OP_SLEEP,
  FUZZ_OP_CANCEL,
  FUZZ_OP_UNCANCEL,
  FUZZ_OP_CALL_SOON,
  FUZZ_OP_CALL_LATER,
  FUZZ_OP_CALL_AT,
  FUZZ_OP_HANDLE_CANCEL,
  FUZZ_OP_THREADSAFE,
  FUZZ_OP_GATHER,
  FUZZ_OP_WAIT,
  FUZZ_OP_WAIT_FOR,
  FUZZ_OP_SHIELD,
  FUZZ_OP_TIMEOUT,
  FUZZ_OP_TASK_GROUP,
  FUZZ_OP_QUEUE,
  FUZZ_OP_LOCK,
  FUZZ_OP_EVENT,
  FUZZ_OP_SEMAPHORE,
  FUZZ_OP_CONDITION,
  FUZZ_OP_BARRIER,
  FUZZ_OP_EXECUTOR,
  FUZZ_OP_ITERATE,
  FUZZ_OP_CLOSE,
  FUZZ_OP_RETURN,
  FUZZ_N_OPS
} FuzzOpKind;

const char *fuzz_op_name (FuzzOpKind kind);

/* Runs one input on a fresh loop and context, from setup to close and the
 * leak check; adds the operations it executed to counts (may be NULL).
 * Returns only if every invariant held. */
void fuzz_scheduler_run (const guint8 *data,
                         gsize         size,
                         guint64       counts[FUZZ_N_OPS]);

G_END_DECLS
