#pragma once

/* Giving memory back once a burst is over (loop-trim.c): the policy that
 * decides when, and what it keeps. */

#include "loop-private.h"
#include "slab-private.h"

G_BEGIN_DECLS

/* The warm reserve a loop keeps. The handle table's first chunk (131,072
 * handles, 6 MiB) is never given back; the block heap keeps
 * GTKLOOP_SLAB_RESERVE_ARENAS empty arenas. */
#define GTKLOOP_READY_RESERVE 65536     /* ready ring entries: 512 KiB */
#define GTKLOOP_TIMER_RESERVE 65536     /* timer heap entries: 1 MiB */

static inline gboolean
gtkloop_loop_over_reserve (GtkloopLoop *loop)
{
  return loop->handles.n_chunks > 1 ||
         loop->ready.mask >= GTKLOOP_READY_RESERVE ||
         loop->timers.capacity > GTKLOOP_TIMER_RESERVE ||
         gtkloop_slab_over_reserve ();
}

/* Changes whenever the loop or its thread's heap maps more (a few loads
 * after every dispatch; sizes that only a trim makes smaller, counts that
 * only grow). */
static inline guint
gtkloop_loop_memory_mark (GtkloopLoop *loop)
{
  return loop->handles.n_mapped + loop->ready.mask + loop->timers.capacity + gtkloop_slab_n_mapped;
}

/* The mark moved: arms the trim source if the loop holds more than its
 * reserve, or brings its next check forward. */
void gtkloop_loop_trim_note     (GtkloopLoop *loop);
/* Closing: no more trim source, and the closing thread's heap trimmed
 * at once. */
void gtkloop_loop_trim_at_close (GtkloopLoop *loop);

/* What the loop maps, and the calling thread's block heap, for tests. */
typedef struct
{
  gsize handles;
  gsize ready;
  gsize timers;
  gsize slab;
} GtkloopLoopMemory;

void gtkloop_loop_get_memory (GtkloopLoop       *loop,
                              GtkloopLoopMemory *memory);

typedef enum
{
  GTKLOOP_TRIM_OFF,         /* no trim source: the loop is within its reserve */
  GTKLOOP_TRIM_WAITING,     /* the next check is due after an interval */
  GTKLOOP_TRIM_TRIMMING,    /* giving back, a step per dispatch */
} GtkloopTrimState;

GtkloopTrimState gtkloop_loop_get_trim_state (GtkloopLoop *loop);
/* For tests: what the trim source does when its time has come, without
 * waiting for it. */
GtkloopTrimState gtkloop_loop_trim_tick      (GtkloopLoop *loop);
/* For tests: the check interval of trim sources armed from now on
 * (1,000 ms). */
void             gtkloop_loop_trim_set_check_interval (guint ms);

G_END_DECLS
