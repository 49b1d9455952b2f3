/* Memory goes back after a burst (src/loop-trim.c): once a burst of
 * callbacks or tasks is over and the loop has been quiet for a check
 * interval, handle chunks, the ready ring and the block heap's arenas go
 * back to their reserve; a live handle only drains its chunk; ids of the
 * slots given back never match again; closing a loop, and gtkloop_run
 * returning, trim at once. The checks are driven here one by one
 * (gtkloop_loop_trim_tick) with the trim source's own interval set to an
 * hour, so nothing depends on time, except the last test, which lets the
 * source run by itself. Sizes come from the library's own accounting. */
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "test-util.h"

#include "loop-trim-private.h"

enum { N_CALLBACKS = 300000, N_TASKS = 30000 };

#define ARENA_BYTES  ((gsize) 2 * 1024 * 1024)
#define SLAB_AFTER   ((GTKLOOP_SLAB_RESERVE_ARENAS + 2) * ARENA_BYTES)

static GtkloopLoopMemory
memory (GtkloopLoop *loop)
{
  GtkloopLoopMemory m;

  gtkloop_loop_get_memory (loop, &m);
  return m;
}

static int
setup (void **state)
{
  gtkloop_loop_trim_set_check_interval (3600 * 1000);
  test_fixture_setup (state);
  /* A dispatch yields every 64 callbacks: a burst is never quiet. */
  gtkloop_loop_set_dispatch_budget (((TestFixture *) *state)->loop, 1e-9);
  return 0;
}

static void
count_cb (gpointer counter)
{
  (*(guint *) counter)++;
}

static void
run_callbacks (GtkloopLoop *loop,
               guint        n,
               guint       *counter)
{
  guint target = *counter + n;
  gboolean done = FALSE;

  for (guint i = 0; i < n; i++)
    gtkloop_loop_call_soon (loop, count_cb, counter, NULL);
  while (*counter < target)
    g_main_context_iteration (gtkloop_loop_get_context (loop), FALSE);
  done = *counter == target;
  assert_true (done);
}

/* Ticks until the trim is over; the first check after a burst finds the
 * loop was not quiet. */
static void
trim_after_burst (GtkloopLoop *loop)
{
  GtkloopLoopMemory before = memory (loop);
  GtkloopLoopMemory m;
  guint ticks = 0;

  assert_int_equal (gtkloop_loop_get_trim_state (loop), GTKLOOP_TRIM_WAITING);
  assert_int_equal (gtkloop_loop_trim_tick (loop), GTKLOOP_TRIM_WAITING);
  m = memory (loop);
  assert_int_equal (m.handles, before.handles);
  assert_int_equal (m.slab, before.slab);

  while (gtkloop_loop_trim_tick (loop) == GTKLOOP_TRIM_TRIMMING)
    ticks++;
  (void) ticks;
}

static void
test_callback_burst_goes_back (void **state)
{
  TestFixture *fx = *state;
  GtkloopLoopMemory m;
  guint counter = 0;

  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_OFF);
  run_callbacks (fx->loop, N_CALLBACKS, &counter);
  m = memory (fx->loop);
  assert_true (m.handles >= 3 * GTKLOOP_HANDLE_CHUNK_BYTES);
  assert_true (m.ready > GTKLOOP_READY_RESERVE * sizeof (gpointer));

  trim_after_burst (fx->loop);
  m = memory (fx->loop);
  assert_int_equal (m.handles, GTKLOOP_HANDLE_CHUNK_BYTES);
  assert_int_equal (m.ready, GTKLOOP_READY_RESERVE * sizeof (gpointer));
  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_OFF);

  /* The next burst maps again, and runs every callback. */
  run_callbacks (fx->loop, N_CALLBACKS, &counter);
  assert_int_equal (counter, 2 * N_CALLBACKS);
  trim_after_burst (fx->loop);
  assert_int_equal (memory (fx->loop).handles, GTKLOOP_HANDLE_CHUNK_BYTES);
}

static void
sleep_once_task (GtkloopTask *task,
                 gpointer     counter)
{
  gtkloop_sleep (0, NULL);
  (*(guint *) counter)++;
}

static void
run_tasks (GtkloopLoop *loop,
           guint       *counter)
{
  for (guint i = 0; i < N_TASKS; i++)
    gtkloop_task_unref (gtkloop_loop_create_task (loop, sleep_once_task, counter, NULL));
  while (*counter < N_TASKS)
    g_main_context_iteration (gtkloop_loop_get_context (loop), FALSE);
}

static void
test_task_burst_goes_back (void **state)
{
  TestFixture *fx = *state;
  guint counter = 0;

  run_tasks (fx->loop, &counter);
  assert_true (memory (fx->loop).slab >= 8 * ARENA_BYTES);
  trim_after_burst (fx->loop);
  assert_true (memory (fx->loop).slab <= SLAB_AFTER);
  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_OFF);
}

static guint
resident_pages (gpointer mem,
                gsize    size)
{
  gsize page = sysconf (_SC_PAGESIZE);
  guchar *vec = g_malloc (size / page);
  guint n = 0;

  assert_int_equal (mincore (mem, size, vec), 0);
  for (gsize i = 0; i < size / page; i++)
    n += vec[i] & 1;
  g_free (vec);
  return n;
}

/* A timer scheduled right after a burst takes the last slot freed, in the
 * burst's highest chunk: the trim drains that chunk (all but the timer's
 * pages go back) instead of keeping it; once the timer is gone, the chunk
 * goes too, and its old ids never match again, however often its slots
 * are used anew. */
static void
test_live_handle_drains_its_chunk (void **state)
{
  TestFixture *fx = *state;
  GtkloopHandleTable *table = &fx->loop->handles;
  guint counter = 0;
  guint64 timer;
  guint32 chunk;

  run_callbacks (fx->loop, N_CALLBACKS, &counter);
  timer = gtkloop_loop_call_later (fx->loop, 3600, test_fail_if_run_cb, NULL, NULL);
  chunk = (guint32) timer >> GTKLOOP_HANDLE_CHUNK_BITS;
  assert_true (chunk >= 1);

  trim_after_burst (fx->loop);
  assert_int_equal (memory (fx->loop).handles, 2 * GTKLOOP_HANDLE_CHUNK_BYTES);
  assert_non_null (table->chunks[chunk]);
  assert_true (resident_pages (table->chunks[chunk], GTKLOOP_HANDLE_CHUNK_BYTES) <= 2);
  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_WAITING);

  /* Still the timer's id; then nothing is live in the chunk. */
  assert_true (gtkloop_loop_cancel (fx->loop, timer));
  while (gtkloop_loop_trim_tick (fx->loop) != GTKLOOP_TRIM_OFF)
    ;
  assert_int_equal (memory (fx->loop).handles, GTKLOOP_HANDLE_CHUNK_BYTES);
  assert_false (gtkloop_loop_cancel (fx->loop, timer));

  /* Two bursts: the slot of the timer is used twice in the chunk mapped
   * anew where it was; the old id cancels neither use. */
  run_callbacks (fx->loop, N_CALLBACKS, &counter);
  assert_non_null (table->chunks[chunk]);
  for (guint i = 0; i < N_CALLBACKS; i++)
    gtkloop_loop_call_soon (fx->loop, count_cb, &counter, NULL);
  assert_false (gtkloop_loop_cancel (fx->loop, timer));
  while (counter < 3 * N_CALLBACKS)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
  assert_int_equal (counter, 3 * N_CALLBACKS);
}

/* Closing a loop trims its thread's heap at once. */
static void
test_close_trims (void **state)
{
  TestFixture *fx = *state;
  guint counter = 0;

  run_tasks (fx->loop, &counter);
  assert_true (memory (fx->loop).slab >= 8 * ARENA_BYTES);
  gtkloop_loop_close (fx->loop);
  assert_true (memory (fx->loop).slab <= SLAB_AFTER);
  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_OFF);
}

/* gtkloop_run: once it has returned, the burst its main task made is back
 * to the reserve. */
static guint run_counter;

static void
burst_main (GtkloopTask *task,
            gpointer     data)
{
  GtkloopLoopMemory *peak = data;

  for (guint i = 0; i < N_TASKS; i++)
    gtkloop_task_unref (gtkloop_spawn (sleep_once_task, &run_counter, NULL));
  while (run_counter < N_TASKS)
    gtkloop_sleep (0, NULL);
  gtkloop_loop_get_memory (gtkloop_loop_get_running (), peak);
}

static void
test_run_returns_memory (void **state)
{
  GtkloopSlabStats stats;
  GtkloopLoopMemory peak;

  run_counter = 0;
  assert_true (gtkloop_run (burst_main, &peak, NULL));
  assert_true (peak.slab >= 8 * ARENA_BYTES);
  gtkloop_slab_get_stats (&stats);
  assert_true (stats.mapped_bytes <= SLAB_AFTER);
}

/* The trim source on its own: checks every 10 ms here, and the burst goes
 * back without a tick from the test. */
static void
test_source_trims_by_itself (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint counter = 0;

  gtkloop_loop_trim_set_check_interval (10);
  run_callbacks (fx->loop, N_CALLBACKS, &counter);
  while (gtkloop_loop_get_trim_state (fx->loop) != GTKLOOP_TRIM_OFF &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  gtkloop_loop_trim_set_check_interval (3600 * 1000);
  assert_int_equal (gtkloop_loop_get_trim_state (fx->loop), GTKLOOP_TRIM_OFF);
  assert_int_equal (memory (fx->loop).handles, GTKLOOP_HANDLE_CHUNK_BYTES);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_callback_burst_goes_back, setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_task_burst_goes_back, setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_live_handle_drains_its_chunk, setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_trims, setup, test_fixture_teardown),
    cmocka_unit_test (test_run_returns_memory),
    cmocka_unit_test_setup_teardown (test_source_trims_by_itself, setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
