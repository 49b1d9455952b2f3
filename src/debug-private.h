#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* Debug counters: how many of each object are alive, so tests can assert at
 * teardown that everything they made was freed. Compiled in for debug
 * builds (meson option debug-counters); free otherwise. */
typedef enum {
  GTKLOOP_COUNTER_LOOPS,
  GTKLOOP_COUNTER_FUTURES,
  GTKLOOP_COUNTER_HANDLES,
  GTKLOOP_COUNTER_TASKS,
  GTKLOOP_COUNTER_FIBERS,
  GTKLOOP_COUNTER_SYNC,       /* locks, events, queues, task groups, … */
  GTKLOOP_N_COUNTERS
} GtkloopCounter;

typedef struct
{
  long values[GTKLOOP_N_COUNTERS];
} GtkloopDebugCounters;

extern atomic_long gtkloop_debug_counters[GTKLOOP_N_COUNTERS];

static inline void
gtkloop_debug_counter_add (GtkloopCounter counter,
                           long           delta)
{
#if GTKLOOP_DEBUG_COUNTERS
  atomic_fetch_add_explicit (&gtkloop_debug_counters[counter], delta, memory_order_relaxed);
#else
  (void) counter;
  (void) delta;
#endif
}

gboolean gtkloop_debug_counters_enabled  (void);
void     gtkloop_debug_counters_snapshot (GtkloopDebugCounters       *out);
gboolean gtkloop_debug_counters_equal    (const GtkloopDebugCounters *before);
char    *gtkloop_debug_counters_describe (const GtkloopDebugCounters *before);

/* A printable name for a callback: its symbol where the dynamic linker
 * knows one, else the object file and offset. */
char    *gtkloop_debug_describe_callback (gpointer fn);

G_END_DECLS
