/* Fibers: ordering of resume and suspend, stacks surviving the copies of
 * SHARED mode, deep recursion in both modes, FPU state, failure paths.
 *
 * cmocka reports a failed assertion by longjmp, which must never happen on
 * a fiber's stack: fibers only record what they saw, and the test asserts
 * after gtkloop_fiber_resume () has returned. */
#include "config.h"

#include <fenv.h>
#include <unistd.h>

#include "test-util.h"

#include "fiber-private.h"
#include "stack-private.h"

typedef struct
{
  GtkloopDebugCounters before;
} Fixture;

static int
setup (void **state)
{
  Fixture *fx = g_new0 (Fixture, 1);

  gtkloop_debug_counters_snapshot (&fx->before);
  *state = fx;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *fx = *state;

  test_assert_no_leaks (&fx->before);
  g_free (fx);
  return 0;
}

static GtkloopFiber *
fiber_new_or_fail (GtkloopFiberFunc      func,
                   gpointer              data,
                   GtkloopFiberStackMode mode,
                   gsize                 size)
{
  g_autoptr(GError) error = NULL;
  GtkloopFiber *fiber = gtkloop_fiber_new (func, data, mode, size, &error);

  if (fiber == NULL)
    fail_msg ("gtkloop_fiber_new: %s", error->message);
  return fiber;
}

static guint64
copies_out (void)
{
  GtkloopRunStackStats stats;

  gtkloop_run_stack_get_stats (&stats);
  return stats.copies_out;
}

/* Ordering ------------------------------------------------------------------ */

typedef struct
{
  GString      *log;
  GtkloopFiber *self_seen;
  gboolean      started_seen;
} OrderData;

static void
order_func (gpointer data)
{
  OrderData *d = data;

  d->self_seen = gtkloop_fiber_get_current ();
  d->started_seen = d->self_seen != NULL && gtkloop_fiber_is_started (d->self_seen);
  g_string_append (d->log, "a");
  gtkloop_fiber_suspend ();
  g_string_append (d->log, "c");
  gtkloop_fiber_suspend ();
  g_string_append (d->log, "e");
}

static void
test_resume_suspend_order (void **state)
{
  OrderData d = { g_string_new (NULL), NULL, FALSE };
  GtkloopFiber *fiber;

  for (int mode = 0; mode < 2; mode++)
    {
      g_string_truncate (d.log, 0);
      fiber = fiber_new_or_fail (order_func, &d, mode, 0);
      assert_false (gtkloop_fiber_is_started (fiber));
      assert_null (gtkloop_fiber_get_current ());
      assert_string_equal (d.log->str, "");   /* nothing runs before the first resume */

      gtkloop_fiber_resume (fiber);
      g_string_append (d.log, "b");
      assert_ptr_equal (d.self_seen, fiber);
      assert_true (d.started_seen);
      assert_null (gtkloop_fiber_get_current ());
      assert_false (gtkloop_fiber_is_finished (fiber));
      gtkloop_fiber_resume (fiber);
      g_string_append (d.log, "d");
      gtkloop_fiber_resume (fiber);
      assert_true (gtkloop_fiber_is_finished (fiber));
      assert_string_equal (d.log->str, "abcde");
      assert_int_equal (gtkloop_fiber_get_stack_mode (fiber), mode);
      gtkloop_fiber_free (fiber);
    }
  g_string_free (d.log, TRUE);
}

/* The greenlet example: two functions switching to each other. A fiber
 * only suspends to whoever resumed it, so "switch to X" is: name X as the
 * next to run, and suspend to the little scheduler below. */

typedef struct
{
  GString      *out;
  GtkloopFiber *func1;
  GtkloopFiber *func2;
  GtkloopFiber *next;
} Greenlet;

static void
greenlet_switch (Greenlet     *g,
                 GtkloopFiber *to)
{
  g->next = to;
  gtkloop_fiber_suspend ();
}

static void
greenlet_func1 (gpointer data)
{
  Greenlet *g = data;

  g_string_append (g->out, "1\n");
  greenlet_switch (g, g->func2);
  g_string_append (g->out, "2\n");
  greenlet_switch (g, g->func2);
}

static void
greenlet_func2 (gpointer data)
{
  Greenlet *g = data;

  g_string_append (g->out, "3\n");
  greenlet_switch (g, g->func1);
  g_string_append (g->out, "4\n");
}

static void
test_greenlet_switch (void **state)
{
  Greenlet g = { g_string_new (NULL), NULL, NULL, NULL };

  g.func1 = fiber_new_or_fail (greenlet_func1, &g, GTKLOOP_FIBER_STACK_SHARED, 0);
  g.func2 = fiber_new_or_fail (greenlet_func2, &g, GTKLOOP_FIBER_STACK_SHARED, 0);
  g.next = g.func1;
  while (g.next != NULL)
    {
      GtkloopFiber *run = g.next;

      g.next = NULL;
      gtkloop_fiber_resume (run);
    }
  test_assert_matches_twin ("greenlet_switch", g.out->str);

  /* As in greenlet, func1 is left inside its last switch; let it end. */
  assert_false (gtkloop_fiber_is_finished (g.func1));
  gtkloop_fiber_resume (g.func1);
  assert_true (gtkloop_fiber_is_finished (g.func1));
  assert_true (gtkloop_fiber_is_finished (g.func2));
  gtkloop_fiber_free (g.func1);
  gtkloop_fiber_free (g.func2);
  g_string_free (g.out, TRUE);
}

/* Deep recursion -------------------------------------------------------------- */

#define FRAME_BYTES 1024

typedef struct
{
  gsize    target;       /* recurse until this many bytes of stack are in use */
  guint    seed;
  gboolean suspend_at_bottom;
  guint    depth;        /* frames it took (frame sizes differ under ASan) */
  guint64  sum;
  gsize    deepest;      /* bytes between the first and the deepest frame */
  guint8  *first_frame;
  guint    bad_frames;
} RecurseData;

static guint8
frame_byte (const RecurseData *d,
            guint              depth,
            guint              i)
{
  return (guint8) (d->seed * 31 + depth * 7 + i);
}

/* Each frame fills a buffer, recurses, and checks the buffer afterwards:
 * a stack that was copied out and back wrongly shows up as bad_frames. */
static guint64
recurse (RecurseData *d,
         guint        depth)
{
  volatile guint8 buf[FRAME_BYTES];
  guint64 sum = 0;
  /* Frame addresses, not buf's: with ASan's detect_stack_use_after_return
   * buf lives off the stack. */
  gsize used = d->first_frame - (guint8 *) __builtin_frame_address (0);

  for (guint i = 0; i < FRAME_BYTES; i++)
    buf[i] = frame_byte (d, depth, i);
  if (used + 2 * FRAME_BYTES < d->target)
    {
      sum = recurse (d, depth + 1);
    }
  else
    {
      d->depth = depth;
      d->deepest = used;
      if (d->suspend_at_bottom)
        gtkloop_fiber_suspend ();
    }
  for (guint i = 0; i < FRAME_BYTES; i++)
    if (buf[i] != frame_byte (d, depth, i))
      {
        d->bad_frames++;
        break;
      }
  return sum + buf[depth % FRAME_BYTES] + 1;
}

static void
recurse_func (gpointer data)
{
  RecurseData *d = data;

  d->first_frame = __builtin_frame_address (0);
  d->sum = recurse (d, 0);
}

static void
check_recursion (const RecurseData *d)
{
  guint64 sum = 0;

  for (guint depth = 0; depth <= d->depth; depth++)
    sum += frame_byte (d, depth, depth % FRAME_BYTES) + 1;
  assert_int_equal (d->bad_frames, 0);
  assert_int_equal (d->sum, sum);
  assert_true (d->deepest + 2 * FRAME_BYTES >= d->target);
}

/* Most of a run stack, suspended at the bottom while other fibers use the
 * same run stack, so 200 KiB of frames go out to the heap and back. */
static void
test_deep_recursion_shared (void **state)
{
  RecurseData deep = { .target = 200 * 1024, .seed = 1, .suspend_at_bottom = TRUE };
  RecurseData others[GTKLOOP_N_RUN_STACKS * 2];
  GtkloopFiber *fiber;
  GtkloopFiber *other[GTKLOOP_N_RUN_STACKS * 2];
  guint64 copies_before = copies_out ();

  fiber = fiber_new_or_fail (recurse_func, &deep, GTKLOOP_FIBER_STACK_SHARED, 0);
  gtkloop_fiber_resume (fiber);
  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    {
      others[i] = (RecurseData) { .target = (20 + i) * 1024, .seed = 100 + i, .suspend_at_bottom = TRUE };
      other[i] = fiber_new_or_fail (recurse_func, &others[i], GTKLOOP_FIBER_STACK_SHARED, 0);
      gtkloop_fiber_resume (other[i]);
    }
  gtkloop_fiber_resume (fiber);
  assert_true (gtkloop_fiber_is_finished (fiber));
  check_recursion (&deep);
  assert_true (copies_out () > copies_before);

  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    {
      gtkloop_fiber_resume (other[i]);
      assert_true (gtkloop_fiber_is_finished (other[i]));
      check_recursion (&others[i]);
      gtkloop_fiber_free (other[i]);
    }
  gtkloop_fiber_free (fiber);
}

static void
test_deep_recursion_guarded (void **state)
{
  RecurseData d = { .target = 200 * 1024, .seed = 2, .suspend_at_bottom = TRUE };
  RecurseData big = { .target = 900 * 1024, .seed = 3, .suspend_at_bottom = FALSE };
  GtkloopFiber *fiber;

  fiber = fiber_new_or_fail (recurse_func, &d, GTKLOOP_FIBER_STACK_GUARDED, 0);
  assert_int_equal (gtkloop_fiber_get_stack_size (fiber), 256 * 1024);
  gtkloop_fiber_resume (fiber);
  gtkloop_fiber_resume (fiber);
  check_recursion (&d);
  gtkloop_fiber_free (fiber);

  /* The size is honoured: 900 KiB of frames on a 1 MiB stack. */
  fiber = fiber_new_or_fail (recurse_func, &big, GTKLOOP_FIBER_STACK_GUARDED, 1024 * 1024);
  assert_int_equal (gtkloop_fiber_get_stack_size (fiber), 1024 * 1024);
  gtkloop_fiber_resume (fiber);
  assert_true (gtkloop_fiber_is_finished (fiber));
  check_recursion (&big);
  gtkloop_fiber_free (fiber);
}

/* Many fibers ----------------------------------------------------------------- */

#if GTKLOOP_HAVE_TSAN
/* TSan gives each fiber a thread slot, and has 8128 of them. */
# define MANY_FIBERS  4000
#else
# define MANY_FIBERS  100000
#endif
#define MANY_WORDS    16
#define MANY_ROUNDS   3

typedef struct
{
  guint8 *ok;     /* per fiber: rounds whose local data survived */
} ManyData;

static ManyData many;

static void
many_func (gpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  volatile guint32 local[MANY_WORDS];

  for (guint i = 0; i < MANY_WORDS; i++)
    local[i] = index ^ (i << 24);
  for (guint round = 0; round < MANY_ROUNDS; round++)
    {
      gboolean intact = TRUE;

      gtkloop_fiber_suspend ();
      for (guint i = 0; i < MANY_WORDS; i++)
        intact = intact && local[i] == (index ^ (i << 24));
      many.ok[index] += intact;
    }
}

/* 100,000 fibers suspended at once in SHARED mode (W3/W7's shape), each
 * resumed in a different order every round, so nearly every resume copies
 * its frames back in after copying another fiber's out. */
static void
test_many_fibers (void **state)
{
  Fixture *fx = *state;
  GtkloopFiber **fibers = g_new (GtkloopFiber *, MANY_FIBERS);

  many.ok = g_new0 (guint8, MANY_FIBERS);
  for (guint i = 0; i < MANY_FIBERS; i++)
    {
      fibers[i] = fiber_new_or_fail (many_func, GUINT_TO_POINTER (i), GTKLOOP_FIBER_STACK_SHARED, 0);
      gtkloop_fiber_resume (fibers[i]);
    }
  if (gtkloop_debug_counters_enabled ())
    {
      GtkloopDebugCounters now;

      gtkloop_debug_counters_snapshot (&now);
      assert_int_equal (now.values[GTKLOOP_COUNTER_FIBERS] - fx->before.values[GTKLOOP_COUNTER_FIBERS],
                        MANY_FIBERS);
    }

  for (guint round = 0; round < MANY_ROUNDS; round++)
    for (guint k = 0; k < MANY_FIBERS; k++)
      {
        /* Forward, backward, then a stride coprime to N. */
        guint i = round == 0 ? k : round == 1 ? MANY_FIBERS - 1 - k : (k * 7919) % MANY_FIBERS;

        gtkloop_fiber_resume (fibers[i]);
      }

  for (guint i = 0; i < MANY_FIBERS; i++)
    {
      if (!gtkloop_fiber_is_finished (fibers[i]) || many.ok[i] != MANY_ROUNDS)
        fail_msg ("fiber %u: finished %d, intact rounds %u", i,
                  gtkloop_fiber_is_finished (fibers[i]), many.ok[i]);
      gtkloop_fiber_free (fibers[i]);
    }
  g_free (fibers);
  g_clear_pointer (&many.ok, g_free);
}

/* Interleaving -------------------------------------------------------------- */

#define N_INTERLEAVED (3 * GTKLOOP_N_RUN_STACKS + 1)

typedef struct
{
  guint    index;
  guint    steps;
  guint    bad;
  gboolean done;
} InterleaveData;

/* Suspends at several depths, so the live part copied out differs from
 * one suspension to the next. */
static void
interleave_step (InterleaveData *d,
                 guint           depth)
{
  volatile guint64 mark[32];

  for (guint i = 0; i < G_N_ELEMENTS (mark); i++)
    mark[i] = ((guint64) d->index << 32) | (depth << 8) | i;
  if (depth > 0)
    interleave_step (d, depth - 1);
  gtkloop_fiber_suspend ();
  d->steps++;
  for (guint i = 0; i < G_N_ELEMENTS (mark); i++)
    if (mark[i] != (((guint64) d->index << 32) | (depth << 8) | i))
      d->bad++;
}

static void
interleave_func (gpointer data)
{
  InterleaveData *d = data;

  interleave_step (d, d->index % 5);
  interleave_step (d, 4 - d->index % 5);
  d->done = TRUE;
}

static void
test_interleave (void **state)
{
  InterleaveData data[N_INTERLEAVED];
  GtkloopFiber *fibers[N_INTERLEAVED];
  guint64 copies_before = copies_out ();
  guint32 rng = 12345;
  guint alive = N_INTERLEAVED;

  for (guint i = 0; i < N_INTERLEAVED; i++)
    {
      data[i] = (InterleaveData) { .index = i };
      fibers[i] = fiber_new_or_fail (interleave_func, &data[i], GTKLOOP_FIBER_STACK_SHARED, 0);
    }
  while (alive > 0)
    {
      guint i;

      rng = rng * 1103515245 + 12345;
      i = (rng >> 16) % N_INTERLEAVED;
      if (gtkloop_fiber_is_finished (fibers[i]))
        continue;
      gtkloop_fiber_resume (fibers[i]);
      if (gtkloop_fiber_is_finished (fibers[i]))
        alive--;
    }
  for (guint i = 0; i < N_INTERLEAVED; i++)
    {
      assert_true (data[i].done);
      assert_int_equal (data[i].bad, 0);
      assert_int_equal (data[i].steps, 6);   /* (d + 1) + (4 - d + 1) suspensions */
      gtkloop_fiber_free (fibers[i]);
    }
  assert_true (copies_out () > copies_before);
}

/* Ping-pong partners keep their own run stacks: no copies. */

static void
ping_func (gpointer data)
{
  guint *count = data;

  for (;;)
    {
      (*count)++;
      if (*count >= 1000)
        return;
      gtkloop_fiber_suspend ();
    }
}

static void
test_ping_pong_no_copies (void **state)
{
  guint a_count = 0, b_count = 0;
  GtkloopFiber *a = fiber_new_or_fail (ping_func, &a_count, GTKLOOP_FIBER_STACK_SHARED, 0);
  GtkloopFiber *b = fiber_new_or_fail (ping_func, &b_count, GTKLOOP_FIBER_STACK_SHARED, 0);
  guint64 copies_before = copies_out ();

  while (!gtkloop_fiber_is_finished (a) || !gtkloop_fiber_is_finished (b))
    {
      gtkloop_fiber_resume (a);
      gtkloop_fiber_resume (b);
    }
  assert_int_equal (a_count, 1000);
  assert_int_equal (b_count, 1000);
  assert_int_equal (copies_out (), copies_before);
  gtkloop_fiber_free (a);
  gtkloop_fiber_free (b);
}

/* Floating point ------------------------------------------------------------ */

typedef struct
{
  int    round_before;
  int    round_after;
  double acc;
  double acc_check;
} FloatData;

static double
third (void)
{
  volatile double one = 1.0, three = 3.0;

  return one / three;
}

/* The rounding mode lives in MXCSR and the x87 control word, which the
 * ABI makes callee-saved: each side of a switch keeps its own. Doubles
 * live in registers across the suspension (caller-saved, so spilled to
 * the stack that gets copied). */
static void
float_func (gpointer data)
{
  FloatData *d = data;
  double acc = 0.0;

  fesetround (FE_DOWNWARD);
  d->round_before = fegetround ();
  for (int i = 1; i <= 10; i++)
    {
      acc += third () * i;
      gtkloop_fiber_suspend ();
      acc *= 1.0000001;
    }
  d->round_after = fegetround ();
  d->acc = acc;

  acc = 0.0;
  for (int i = 1; i <= 10; i++)
    acc = (acc + third () * i) * 1.0000001;
  d->acc_check = acc;
  fesetround (FE_TONEAREST);
}

static void
test_float_state (void **state)
{
  FloatData d1 = { 0 }, d2 = { 0 };
  GtkloopFiber *f1 = fiber_new_or_fail (float_func, &d1, GTKLOOP_FIBER_STACK_SHARED, 0);
  GtkloopFiber *f2 = fiber_new_or_fail (float_func, &d2, GTKLOOP_FIBER_STACK_GUARDED, 0);
  double near = third ();

  fesetround (FE_TONEAREST);
  while (!gtkloop_fiber_is_finished (f1) || !gtkloop_fiber_is_finished (f2))
    {
      if (!gtkloop_fiber_is_finished (f1))
        gtkloop_fiber_resume (f1);
      assert_int_equal (fegetround (), FE_TONEAREST);
      if (!gtkloop_fiber_is_finished (f2))
        gtkloop_fiber_resume (f2);
      assert_int_equal (fegetround (), FE_TONEAREST);
      assert_true (third () == near);
    }
  for (int i = 0; i < 2; i++)
    {
      FloatData *d = i == 0 ? &d1 : &d2;

      assert_int_equal (d->round_before, FE_DOWNWARD);
      assert_int_equal (d->round_after, FE_DOWNWARD);
      assert_true (d->acc == d->acc_check);
      assert_true (d->acc > 18.0 && d->acc < 18.5);
    }
  gtkloop_fiber_free (f1);
  gtkloop_fiber_free (f2);
}

/* GUARDED stacks stay where they are while suspended ------------------------- */

typedef struct
{
  volatile char *buffer;
  char           seen[16];
} PinnedData;

static void
pinned_func (gpointer data)
{
  PinnedData *d = data;
  char buffer[16] = "before";

  d->buffer = buffer;
  gtkloop_fiber_suspend ();   /* the test writes into buffer meanwhile, as GIO might */
  memcpy (d->seen, buffer, sizeof d->seen);
  d->buffer = NULL;
}

static void
test_guarded_stack_stays (void **state)
{
  PinnedData d = { 0 };
  GtkloopFiber *fiber = fiber_new_or_fail (pinned_func, &d, GTKLOOP_FIBER_STACK_GUARDED, 0);
  GtkloopFiber *others[GTKLOOP_N_RUN_STACKS + 1];

  gtkloop_fiber_resume (fiber);
  assert_non_null (d.buffer);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    others[i] = fiber_new_or_fail (order_func, NULL, GTKLOOP_FIBER_STACK_GUARDED, 0);
  memcpy ((char *) d.buffer, "written", 8);
  gtkloop_fiber_resume (fiber);
  assert_string_equal (d.seen, "written");
  gtkloop_fiber_free (fiber);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    gtkloop_fiber_free (others[i]);   /* never started */
}

/* Failures and edge cases ---------------------------------------------------- */

static void
test_new_failure (void **state)
{
  g_autoptr(GError) error = NULL;
  GtkloopFiber *fiber;

  fiber = gtkloop_fiber_new (order_func, NULL, GTKLOOP_FIBER_STACK_GUARDED, G_MAXSIZE / 2, &error);
  assert_null (fiber);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  g_clear_error (&error);

  fiber = gtkloop_fiber_new (order_func, NULL, GTKLOOP_FIBER_STACK_GUARDED, G_MAXSIZE, &error);
  assert_null (fiber);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  g_clear_error (&error);

  /* SHARED fibers cannot have more than a run stack. */
  fiber = gtkloop_fiber_new (order_func, NULL, GTKLOOP_FIBER_STACK_SHARED, 1024 * 1024, &error);
  assert_null (fiber);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
}

static void
test_free_never_started (void **state)
{
  OrderData d = { g_string_new (NULL) };

  for (int mode = 0; mode < 2; mode++)
    {
      GtkloopFiber *fiber = fiber_new_or_fail (order_func, &d, mode, 0);

      gtkloop_fiber_set_name (fiber, "never started");
      gtkloop_fiber_free (fiber);
    }
  assert_string_equal (d.log->str, "");
  g_string_free (d.log, TRUE);
}

/* Suspended fibers dropped without finishing, resident on a run stack or
 * copied out, leave nothing behind, and the run stacks stay usable. */
static void
test_discard_suspended (void **state)
{
  GtkloopFiber *fibers[2 * GTKLOOP_N_RUN_STACKS + 2];
  guint count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    {
      fibers[i] = fiber_new_or_fail (ping_func, &count,
                                     i % 4 == 0 ? GTKLOOP_FIBER_STACK_GUARDED : GTKLOOP_FIBER_STACK_SHARED, 0);
      if (i != 1)
        gtkloop_fiber_resume (fibers[i]);
    }
  assert_int_equal (count, G_N_ELEMENTS (fibers) - 1);
  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    gtkloop_fiber_discard (fibers[i]);

  /* Ping-pong still finds free run stacks. */
  test_ping_pong_no_copies (state);
}

static void
test_stack_sizes (void **state)
{
  GtkloopFiber *fiber;

  fiber = fiber_new_or_fail (order_func, NULL, GTKLOOP_FIBER_STACK_SHARED, 0);
  assert_int_equal (gtkloop_fiber_get_stack_size (fiber), GTKLOOP_STACK_DEFAULT_SIZE);
  gtkloop_fiber_free (fiber);
  fiber = fiber_new_or_fail (order_func, NULL, GTKLOOP_FIBER_STACK_SHARED, 4096);
  assert_int_equal (gtkloop_fiber_get_stack_size (fiber), GTKLOOP_STACK_DEFAULT_SIZE);
  gtkloop_fiber_free (fiber);
  fiber = fiber_new_or_fail (order_func, NULL, GTKLOOP_FIBER_STACK_GUARDED, 100000);
  assert_int_equal (gtkloop_fiber_get_stack_size (fiber) % sysconf (_SC_PAGESIZE), 0);
  assert_true (gtkloop_fiber_get_stack_size (fiber) >= 100000);
  assert_true (gtkloop_fiber_get_stack_size (fiber) < 100000 + (gsize) sysconf (_SC_PAGESIZE));
  gtkloop_fiber_free (fiber);
}

static void
nested_func (gpointer data)
{
  GtkloopFiber *other = data;

  gtkloop_fiber_resume (other);   /* refused: only from outside any fiber */
}

static void
test_misuse_is_refused (void **state)
{
  OrderData d = { g_string_new (NULL) };
  GtkloopFiber *other = fiber_new_or_fail (order_func, &d, GTKLOOP_FIBER_STACK_SHARED, 0);
  GtkloopFiber *fiber = fiber_new_or_fail (nested_func, other, GTKLOOP_FIBER_STACK_SHARED, 0);

  test_criticals_begin ();
  gtkloop_fiber_suspend ();        /* not in a fiber */
  gtkloop_fiber_resume (fiber);    /* makes one critical inside */
  gtkloop_fiber_resume (fiber);    /* finished */
  assert_int_equal (test_criticals_end (), 3);
  assert_true (gtkloop_fiber_is_finished (fiber));
  assert_false (gtkloop_fiber_is_started (other));
  gtkloop_fiber_free (fiber);
  gtkloop_fiber_free (other);
  g_string_free (d.log, TRUE);
}

/* Threads: each has its own run stacks, freed when it exits --------------------- */

static gpointer
thread_func (gpointer data)
{
  InterleaveData d[GTKLOOP_N_RUN_STACKS + 3];
  GtkloopFiber *fibers[G_N_ELEMENTS (d)];
  guint bad = 0;

  for (guint round = 0; round < 20; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (d); i++)
        {
          d[i] = (InterleaveData) { .index = i };
          fibers[i] = gtkloop_fiber_new (interleave_func, &d[i],
                                         i % 3 == 0 ? GTKLOOP_FIBER_STACK_GUARDED : GTKLOOP_FIBER_STACK_SHARED,
                                         0, NULL);
        }
      for (guint alive = G_N_ELEMENTS (d); alive > 0;)
        for (guint i = 0; i < G_N_ELEMENTS (d); i++)
          if (!gtkloop_fiber_is_finished (fibers[i]))
            {
              gtkloop_fiber_resume (fibers[i]);
              alive -= gtkloop_fiber_is_finished (fibers[i]);
            }
      for (guint i = 0; i < G_N_ELEMENTS (d); i++)
        {
          bad += d[i].bad + !d[i].done;
          gtkloop_fiber_free (fibers[i]);
        }
    }
  return GUINT_TO_POINTER (bad);
}

static void
test_threads (void **state)
{
  GThread *threads[2];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("fibers", thread_func, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    assert_int_equal (GPOINTER_TO_UINT (g_thread_join (threads[i])), 0);
}

/* A suspended fiber's frames saved twice, the second time deeper but in
 * the same block: the reused block must be ours up to its capacity (ASan
 * and Memcheck flagged the extra bytes when only the first length was
 * asked for). */
static void
test_saved_frames_grow_within_block (void **state)
{
  static guint8 fake[4096];
  GtkloopRunStack run = { 0 };
  GtkloopStackSave save = { 0 };
  GtkloopRunStackStats stats;
  guint8 *first;

  gtkloop_run_stack_get_stats (&stats);   /* this thread's stack state */
  run.stack.bottom = fake;
  run.stack.top = fake + sizeof fake;
  memset (fake, 0x3c, sizeof fake);
  gtkloop_run_stack_copy_out (&run, run.stack.top - 100, &save);
  first = save.data;
  assert_true (save.capacity >= 120);
  gtkloop_run_stack_copy_out (&run, run.stack.top - 120, &save);
  assert_ptr_equal (save.data, first);   /* reused */
  assert_int_equal (save.len, 120);
  assert_int_equal (((guint8 *) save.data)[119], 0x3c);
  gtkloop_stack_save_clear (&save);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_resume_suspend_order, setup, teardown),
    cmocka_unit_test_setup_teardown (test_greenlet_switch, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deep_recursion_shared, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deep_recursion_guarded, setup, teardown),
    cmocka_unit_test_setup_teardown (test_many_fibers, setup, teardown),
    cmocka_unit_test_setup_teardown (test_interleave, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ping_pong_no_copies, setup, teardown),
    cmocka_unit_test_setup_teardown (test_float_state, setup, teardown),
    cmocka_unit_test_setup_teardown (test_guarded_stack_stays, setup, teardown),
    cmocka_unit_test_setup_teardown (test_new_failure, setup, teardown),
    cmocka_unit_test_setup_teardown (test_free_never_started, setup, teardown),
    cmocka_unit_test_setup_teardown (test_discard_suspended, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stack_sizes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_misuse_is_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_threads, setup, teardown),
    cmocka_unit_test (test_saved_frames_grow_within_block),
  };

  alarm (120);   /* cmocka has no per-test timeout; a hang must not stall CI */
  return cmocka_run_group_tests (tests, NULL, NULL);
}
