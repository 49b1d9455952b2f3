/* One million tasks suspended at once (BENCH.md W7's 1M run): each awaits
 * a future of its own that never completes; then all are cancelled and
 * every one must end by observing the cancellation. A per-task mapping
 * would hit vm.max_map_count (65,530) long before this. Suite: slow. */
#include "config.h"

#include "test-util.h"

enum { N = 1000000 };

typedef struct
{
  guint started;
  guint saw_cancel;
} Counts;

static void
waits_forever (GtkloopTask *task,
               gpointer     data)
{
  Counts *counts = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));

  counts->started++;
  if (!gtkloop_await (never, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    counts->saw_cancel++;
}

static void
test_million_suspended_tasks (void **state)
{
  TestFixture *fx = *state;
  Counts counts = { 0 };
  GtkloopTask **tasks = g_new (GtkloopTask *, N);
  g_autoptr(GtkloopFuture) all = NULL;
  guint cancelled = 0;

  for (guint i = 0; i < N; i++)
    {
      tasks[i] = gtkloop_loop_create_task (fx->loop, waits_forever, &counts, NULL);
      assert_false (gtkloop_future_is_done (GTKLOOP_FUTURE (tasks[i])));
    }
  while (counts.started < N)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);

  for (guint i = 0; i < N; i++)
    gtkloop_task_cancel (tasks[i], NULL);
  all = gtkloop_gather ((GtkloopFuture *const *) tasks, N, TRUE);
  assert_true (gtkloop_loop_run_until_complete (fx->loop, all, NULL));

  for (guint i = 0; i < N; i++)
    {
      cancelled += gtkloop_future_is_cancelled (GTKLOOP_FUTURE (tasks[i]));
      gtkloop_task_unref (tasks[i]);
    }
  g_free (tasks);
  assert_int_equal (counts.saw_cancel, N);
  assert_int_equal (cancelled, N);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_million_suspended_tasks, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("task-million", tests, NULL, NULL);
}
