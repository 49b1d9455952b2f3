/* Giving memory back after a burst. A desktop program lives for days; a
 * burst of a million tasks or callbacks maps hundreds of megabytes of
 * arenas and handle chunks that the quiet loop after it does not need.
 *
 * The policy (docs/design.md, "Giving it back after a burst"):
 *
 *   armed     after a dispatch in which the loop or its thread's heap
 *             mapped more, if it now holds more than its warm reserve
 *             (loop-trim-private.h): a GSource of its own at
 *             G_PRIORITY_LOW, so it runs only when nothing else is ready
 *   quiet     checked every second: a whole second in which the loop
 *             never yielded to GLib with work left (no budget ran out)
 *             and mapped nothing new
 *   trim      the ready ring and timer heap shrink to the reserve; handle
 *             chunks past the first are unmapped, or drained where a
 *             handle is still live (handle-private.h); then the thread's
 *             block heap gives back its empty arenas, keeping 8 MiB of
 *             free blocks, in steps of about 0.2 ms, half a millisecond
 *             of them per dispatch
 *   after     back within the reserve: the source goes; memory still
 *             pinned by live objects: checked again after 2, 4 … 64 s,
 *             or after a second again once a new burst maps more
 *
 * The loop pays nothing per callback: a few loads after each dispatch
 * while within its reserve, one wake-up a second while armed. */
#include "config.h"

#include "clock-private.h"
#include "loop-trim-private.h"

#define CHECK_INTERVAL_MS     1000
#define MAX_BACKOFF           64             /* checks slow down to every 64 s */
#define STEPS_BUDGET_NS       (500 * 1000)   /* heap trim steps per dispatch */

static guint check_interval_ms = CHECK_INTERVAL_MS;   /* tests set it */

typedef struct
{
  GSource      source;
  GtkloopLoop *loop;          /* (unowned) the loop owns its trim source */
  guint64      n_yields;      /* the loop's, at the last check */
  gsize        mapped;        /* what it mapped then */
  guint        interval_ms;
  gboolean     trimming;      /* the heap's trim is under way */
} TrimSource;

void
gtkloop_loop_get_memory (GtkloopLoop       *loop,
                         GtkloopLoopMemory *memory)
{
  GtkloopSlabStats slab;

  gtkloop_slab_get_stats (&slab);
  memory->handles = gtkloop_handle_table_get_mapped (&loop->handles);
  memory->ready = loop->ready.ring != NULL ? gtkloop_ready_queue_get_bytes (&loop->ready) : 0;
  memory->timers = (gsize) loop->timers.capacity * sizeof (GtkloopTimerEntry);
  memory->slab = slab.mapped_bytes;
}

static gsize
loop_mapped (GtkloopLoop *loop)
{
  GtkloopLoopMemory m;

  gtkloop_loop_get_memory (loop, &m);
  return m.handles + m.ready + m.timers + m.slab;
}

static void
check_in (TrimSource *t,
          guint       ms)
{
  g_source_set_ready_time (&t->source, g_get_monotonic_time () + (gint64) ms * 1000);
}

static void
disarm (GtkloopLoop *loop)
{
  TrimSource *t = (TrimSource *) loop->trim_source;

  if (t == NULL)
    return;
  /* A trim left half-way would keep the heap's free blocks out of reach. */
  if (t->trimming)
    gtkloop_slab_trim ();
  loop->trim_source = NULL;
  g_source_destroy (&t->source);
  g_source_unref (&t->source);
}

/* The loop's own tables: at once (a copy of at most the reserve, and a
 * pass over the handle chunks). */
static void
trim_loop_tables (GtkloopLoop *loop)
{
  if (loop->ready.mask >= GTKLOOP_READY_RESERVE && loop->ready.length <= GTKLOOP_READY_RESERVE / 2)
    gtkloop_ready_queue_shrink (&loop->ready, GTKLOOP_READY_RESERVE);
  if (loop->timers.capacity > GTKLOOP_TIMER_RESERVE && loop->timers.length <= GTKLOOP_TIMER_RESERVE / 2)
    gtkloop_timer_heap_shrink (&loop->timers, GTKLOOP_TIMER_RESERVE);
  gtkloop_handle_table_trim (&loop->handles);
}

/* Steps of the heap's trim for up to STEPS_BUDGET_NS; TRUE while more
 * remain. */
static gboolean
trim_heap_steps (void)
{
  gint64 deadline = gtkloop_clock_now_ns () + STEPS_BUDGET_NS;

  while (gtkloop_slab_trim_step ())
    if (gtkloop_clock_now_ns () >= deadline)
      return TRUE;
  return FALSE;
}

static void
tick (TrimSource *t)
{
  GtkloopLoop *loop = t->loop;
  gboolean quiet;

  if (gtkloop_loop_made_before_fork (loop))
    {
      g_source_set_ready_time (&t->source, -1);   /* the parent's loop: not ours to trim */
      return;
    }
  /* Inside one of the loop's callbacks (a nested iteration), or on a
   * thread that does not own it: later. */
  if (loop->dispatching > 0 || !gtkloop_loop_is_owner (loop))
    {
      check_in (t, t->interval_ms);
      return;
    }

  if (t->trimming)
    {
      if (trim_heap_steps ())
        {
          g_source_set_ready_time (&t->source, 0);
          return;
        }
      t->trimming = FALSE;
      t->n_yields = loop->n_yields;
      t->mapped = loop_mapped (loop);
      loop->memory_mark = gtkloop_loop_memory_mark (loop);   /* smaller is not a burst */
      if (!gtkloop_loop_over_reserve (loop))
        {
          disarm (loop);
          return;
        }
      /* Live objects pin what is left: look again, less and less often. */
      t->interval_ms = MIN (t->interval_ms * 2, check_interval_ms * MAX_BACKOFF);
      check_in (t, t->interval_ms);
      return;
    }

  quiet = loop->n_yields == t->n_yields && loop_mapped (loop) <= t->mapped;
  t->n_yields = loop->n_yields;
  t->mapped = loop_mapped (loop);
  if (!quiet)
    {
      t->interval_ms = check_interval_ms;
      check_in (t, t->interval_ms);
      return;
    }
  trim_loop_tables (loop);
  t->trimming = TRUE;
  g_source_set_ready_time (&t->source, 0);   /* the heap's steps, one per dispatch */
}

static gboolean
trim_source_dispatch (GSource    *source,
                      GSourceFunc callback,
                      gpointer    user_data)
{
  tick ((TrimSource *) source);
  return G_SOURCE_CONTINUE;   /* disarm () destroys it */
}

static GSourceFuncs trim_source_funcs = {
  .dispatch = trim_source_dispatch,
};

static void
arm (GtkloopLoop *loop)
{
  GSource *source = g_source_new (&trim_source_funcs, sizeof (TrimSource));
  TrimSource *t = (TrimSource *) source;

  t->loop = loop;
  t->n_yields = loop->n_yields;
  t->mapped = loop_mapped (loop);
  t->interval_ms = check_interval_ms;
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_name (source, "gtkloop memory trim");
  check_in (t, t->interval_ms);
  g_source_attach (source, loop->context);
  loop->trim_source = source;
}

void
gtkloop_loop_trim_note (GtkloopLoop *loop)
{
  TrimSource *t = (TrimSource *) loop->trim_source;

  loop->memory_mark = gtkloop_loop_memory_mark (loop);
  if (loop->source == NULL || !gtkloop_loop_over_reserve (loop))
    return;
  if (t == NULL)
    arm (loop);
  else if (!t->trimming && t->interval_ms > check_interval_ms)
    {
      /* A new burst: the checks that had slowed down (memory pinned after
       * the last one) come every second again. */
      t->interval_ms = check_interval_ms;
      check_in (t, t->interval_ms);
    }
}

void
gtkloop_loop_trim_at_close (GtkloopLoop *loop)
{
  disarm (loop);
  /* Everything the loop ran is over: as quiet as a loop gets. */
  if (gtkloop_slab_over_reserve ())
    gtkloop_slab_trim ();
}

GtkloopTrimState
gtkloop_loop_get_trim_state (GtkloopLoop *loop)
{
  TrimSource *t = (TrimSource *) loop->trim_source;

  if (t == NULL)
    return GTKLOOP_TRIM_OFF;
  return t->trimming ? GTKLOOP_TRIM_TRIMMING : GTKLOOP_TRIM_WAITING;
}

GtkloopTrimState
gtkloop_loop_trim_tick (GtkloopLoop *loop)
{
  if (loop->trim_source != NULL)
    tick ((TrimSource *) loop->trim_source);
  return gtkloop_loop_get_trim_state (loop);
}

void
gtkloop_loop_trim_set_check_interval (guint ms)
{
  check_interval_ms = ms;
}
