/* Tasks: start order, sleep (0) interleaving, awaiting futures and tasks
 * three deep, results and errors (twin: twins/task_basics.py), plus the
 * rules of suspension points, names, current task, all_tasks, task-local
 * values, the exception handler and many tasks at once. */
#include "config.h"

#include "test-util.h"
#include "future-private.h"

/* ---------------------------------------------------------------------- */
/* The twin: task_basics                                                   */

static void
child (GtkloopTask *task,
       gpointer     data)
{
  const char *name = data;

  test_print (test_current, "%s start", name);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "%s end", name);
  gtkloop_task_return (task, g_strdup (name), g_free);
}

static void
spinner (GtkloopTask *task,
         gpointer     data)
{
  for (int i = 0; i < 3; i++)
    {
      test_print (test_current, "%s %d", (const char *) data, i);
      gtkloop_sleep (0, NULL);
    }
}

static gpointer
int_result (GtkloopFuture *f)
{
  return gtkloop_future_get_result (f, NULL);
}

static void
level3 (GtkloopTask *task,
        gpointer     data)
{
  GtkloopFuture *fut = data;
  int value;

  test_print (test_current, "level3 awaits the future");
  if (!gtkloop_await (fut, NULL))
    return;
  value = GPOINTER_TO_INT (int_result (fut));
  test_print (test_current, "level3 got %d", value);
  gtkloop_task_return (task, GINT_TO_POINTER (value + 1), NULL);
}

static void
level2 (GtkloopTask *task,
        gpointer     data)
{
  g_autoptr(GtkloopTask) inner = gtkloop_loop_create_task (test_current->loop, level3, data, NULL);
  int value;

  if (!gtkloop_await (GTKLOOP_FUTURE (inner), NULL))
    return;
  value = GPOINTER_TO_INT (int_result (GTKLOOP_FUTURE (inner)));
  test_print (test_current, "level2 got %d", value);
  gtkloop_task_return (task, GINT_TO_POINTER (value + 1), NULL);
}

static void
level1 (GtkloopTask *task,
        gpointer     data)
{
  g_autoptr(GtkloopTask) inner = gtkloop_loop_create_task (test_current->loop, level2, data, NULL);
  int value;

  if (!gtkloop_await (GTKLOOP_FUTURE (inner), NULL))
    return;
  value = GPOINTER_TO_INT (int_result (GTKLOOP_FUTURE (inner)));
  test_print (test_current, "level1 got %d", value);
  gtkloop_task_return (task, GINT_TO_POINTER (value + 1), NULL);
}

static void
failing (GtkloopTask *task,
         gpointer     data)
{
  gtkloop_sleep (0, NULL);
  gtkloop_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom"));
}

static void
set_forty (gpointer data)
{
  gtkloop_future_set_result (data, GINT_TO_POINTER (40), NULL);
}

static void
basics_main (GtkloopTask *task,
             gpointer     data)
{
  static const char *names[] = { "t0", "t1", "t2" };
  static const char *spinners[] = { "a", "b", "c" };
  GtkloopTask *tasks[3];
  g_autoptr(GtkloopFuture) fut = NULL;
  g_autoptr(GtkloopTask) chain = NULL;
  g_autoptr(GtkloopTask) bad = NULL;
  g_autoptr(GError) error = NULL;

  test_print (test_current, "main start");
  for (int i = 0; i < 3; i++)
    tasks[i] = gtkloop_loop_create_task (test_current->loop, child, (gpointer) names[i], NULL);
  test_print (test_current, "tasks created");
  gtkloop_sleep (0, NULL);
  test_print (test_current, "main after yield");
  for (int i = 0; i < 3; i++)
    {
      gtkloop_await (GTKLOOP_FUTURE (tasks[i]), NULL);
      test_print (test_current, "result %s", (const char *) int_result (GTKLOOP_FUTURE (tasks[i])));
      gtkloop_task_unref (tasks[i]);
    }

  for (int i = 0; i < 3; i++)
    tasks[i] = gtkloop_loop_create_task (test_current->loop, spinner, (gpointer) spinners[i], NULL);
  for (int i = 0; i < 3; i++)
    {
      gtkloop_await (GTKLOOP_FUTURE (tasks[i]), NULL);
      gtkloop_task_unref (tasks[i]);
    }

  fut = gtkloop_future_new (test_current->loop);
  gtkloop_loop_call_later (test_current->loop, 0.01, set_forty, fut, NULL);
  chain = gtkloop_loop_create_task (test_current->loop, level1, fut, NULL);
  gtkloop_await (GTKLOOP_FUTURE (chain), NULL);
  test_print (test_current, "level1 returned %d", GPOINTER_TO_INT (int_result (GTKLOOP_FUTURE (chain))));

  bad = gtkloop_loop_create_task (test_current->loop, failing, NULL, NULL);
  if (!gtkloop_await (GTKLOOP_FUTURE (bad), &error))
    test_print (test_current, "awaiting failing: error %s", error->message);
  test_print (test_current, "failing done %s cancelled %s",
              gtkloop_future_is_done (GTKLOOP_FUTURE (bad)) ? "True" : "False",
              gtkloop_future_is_cancelled (GTKLOOP_FUTURE (bad)) ? "True" : "False");
  test_print (test_current, "main end");
}

static void
test_basics_match_asyncio (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, basics_main, NULL, NULL);
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), &error));
  assert_null (error);
  test_assert_matches_twin ("task_basics", fx->out->str);
}

/* ---------------------------------------------------------------------- */
/* Rules of suspension points                                              */

static void
test_suspension_outside_task (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (((TestFixture *) *state)->loop);

  assert_false (gtkloop_sleep (0, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);
  assert_false (gtkloop_await (f, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
}

typedef struct
{
  GMainContext *context;
  GError       *nested_error;
  gboolean      nested_ran;
} NestedData;

static gboolean
sleep_in_nested_iteration (gpointer data)
{
  NestedData *nd = data;

  nd->nested_ran = TRUE;
  gtkloop_sleep (0, &nd->nested_error);
  return G_SOURCE_REMOVE;
}

static void
nests_a_main_loop (GtkloopTask *task,
                   gpointer     data)
{
  NestedData *nd = data;
  GSource *idle = g_idle_source_new ();

  /* A callback run by a nested iteration must not suspend this task. */
  g_source_set_callback (idle, sleep_in_nested_iteration, nd, NULL);
  g_source_attach (idle, nd->context);
  g_source_unref (idle);
  while (!nd->nested_ran)
    g_main_context_iteration (nd->context, TRUE);
}

static void
test_suspension_in_nested_iteration_is_refused (void **state)
{
  TestFixture *fx = *state;
  NestedData nd = { .context = gtkloop_loop_get_context (fx->loop) };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, nests_a_main_loop, &nd, NULL);

  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  assert_true (nd.nested_ran);
  assert_true (g_error_matches (nd.nested_error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT));
  g_clear_error (&nd.nested_error);
}

static void
awaits_itself (GtkloopTask *task,
               gpointer     data)
{
  GError **error = data;

  gtkloop_await (GTKLOOP_FUTURE (task), error);
}

static void
test_await_itself_is_an_error (void **state)
{
  TestFixture *fx = *state;
  GError *error = NULL;
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, awaits_itself, &error, NULL);

  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
}

static void
awaits_done_future (GtkloopTask *task,
                    gpointer     data)
{
  GtkloopFuture *f = data;
  guint64 before = f->loop->n_dispatches;

  /* A done future gives its result without a yield, as in asyncio. */
  if (gtkloop_await (f, NULL) && f->loop->n_dispatches == before)
    gtkloop_task_return (task, GINT_TO_POINTER (1), NULL);
}

static void
test_await_done_future_does_not_yield (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopTask) task = NULL;

  gtkloop_future_set_result (f, NULL, NULL);
  task = gtkloop_loop_create_task (fx->loop, awaits_done_future, f, NULL);
  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (GTKLOOP_FUTURE (task), NULL)), 1);
}

/* ---------------------------------------------------------------------- */
/* Identity: names, current task, all_tasks, locals                        */

typedef struct
{
  GtkloopTask *seen_current;
  char        *seen_name;
  gpointer     seen_local;
  gpointer     child_local;
  gpointer     parent_local_after_child;
} IdentityData;

static void
identity_child (GtkloopTask *task,
                gpointer     data)
{
  IdentityData *id = data;

  id->child_local = gtkloop_task_get_local (task, "request-id");
  /* A child's change is its own. */
  gtkloop_task_set_local (task, "request-id", g_strdup ("child"), g_free);
}

static void
identity_main (GtkloopTask *task,
               gpointer     data)
{
  IdentityData *id = data;
  g_autoptr(GtkloopTask) kid = NULL;

  id->seen_current = gtkloop_task_get_current ();
  id->seen_name = g_strdup (gtkloop_task_get_name (task));
  gtkloop_task_set_local (task, "request-id", g_strdup ("parent"), g_free);
  id->seen_local = gtkloop_task_get_local (task, "request-id");
  kid = gtkloop_loop_create_task (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)), identity_child, id, NULL);
  gtkloop_await (GTKLOOP_FUTURE (kid), NULL);
  id->parent_local_after_child = gtkloop_task_get_local (task, "request-id");
}

static void
test_identity (void **state)
{
  TestFixture *fx = *state;
  IdentityData id = { 0 };
  GtkloopTaskOptions options = { .name = "worker-1" };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task_full (fx->loop, identity_main, &id, NULL, &options);
  g_autoptr(GtkloopTask) unnamed = gtkloop_loop_create_task (fx->loop, child, "x", NULL);
  g_autoptr(GPtrArray) all = gtkloop_loop_all_tasks (fx->loop);

  assert_null (gtkloop_task_get_current ());
  assert_int_equal (all->len, 2);
  assert_ptr_equal (all->pdata[0], task);
  assert_ptr_equal (all->pdata[1], unnamed);
  assert_true (g_str_has_prefix (gtkloop_task_get_name (unnamed), "Task-"));

  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (unnamed), NULL));
  assert_ptr_equal (id.seen_current, task);
  assert_string_equal (id.seen_name, "worker-1");
  assert_string_equal (id.seen_local, "parent");
  assert_string_equal (id.child_local, "parent");
  assert_string_equal (id.parent_local_after_child, "parent");
  g_free (id.seen_name);

  g_ptr_array_unref (all);
  all = gtkloop_loop_all_tasks (fx->loop);
  assert_int_equal (all->len, 0);
  assert_true (gtkloop_future_is_task (GTKLOOP_FUTURE (task)));

  /* The boxed type bindings see: a copy is a reference to the same task,
   * and the task's future is the task. */
  assert_ptr_equal (gtkloop_task_get_future (task), GTKLOOP_FUTURE (task));
  {
    GtkloopTask *copy = g_boxed_copy (GTKLOOP_TYPE_TASK, task);

    assert_ptr_equal (copy, task);
    g_boxed_free (GTKLOOP_TYPE_TASK, copy);
  }
}

/* ---------------------------------------------------------------------- */
/* Fire and forget, destroy notifies, errors nobody retrieved              */

static void
returns_quietly (GtkloopTask *task,
                 gpointer     data)
{
  gtkloop_sleep (0, NULL);
}

static void
record_context (GtkloopLoop               *loop,
                const GtkloopErrorContext *context,
                gpointer                   user_data)
{
  GPtrArray *messages = user_data;

  g_ptr_array_add (messages, g_strdup_printf ("%s%s%s", context->message,
                                              context->error ? ": " : "",
                                              context->error ? context->error->message : ""));
}

static void
test_fire_and_forget_and_unretrieved_error (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter destroyed = { 0 };
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  GtkloopTask *task;

  gtkloop_loop_set_exception_handler (fx->loop, record_context, messages, NULL);

  /* The loop keeps a task alive until it is done. */
  task = gtkloop_loop_create_task (fx->loop, returns_quietly, &destroyed, test_destroy_count);
  gtkloop_task_unref (task);
  task = gtkloop_loop_create_task (fx->loop, failing, NULL, NULL);
  gtkloop_task_unref (task);
  assert_int_equal (destroyed.count, 0);

  gtkloop_loop_call_later (fx->loop, 0.05, (GtkloopCallback) gtkloop_loop_stop, fx->loop, NULL);
  gtkloop_loop_run_forever (fx->loop);
  assert_int_equal (destroyed.count, 1);
  assert_int_equal (messages->len, 1);
  assert_string_equal (messages->pdata[0], "Task exception was never retrieved: boom");
  gtkloop_loop_set_exception_handler (fx->loop, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Many tasks                                                              */

static void
add_index (GtkloopTask *task,
           gpointer     data)
{
  gtkloop_sleep (0, NULL);
  gtkloop_task_return (task, data, NULL);
}

static void
test_hundred_thousand_tasks (void **state)
{
  TestFixture *fx = *state;
#if GTKLOOP_HAVE_TSAN
  /* ThreadSanitizer counts every live fiber as a thread and dies past 8,128. */
  enum { N = 5000 };
#else
  enum { N = 100000 };
#endif
  GtkloopTask **tasks = g_new (GtkloopTask *, N);
  guint64 sum = 0;

  for (guint i = 0; i < N; i++)
    tasks[i] = gtkloop_loop_create_task (fx->loop, add_index, GUINT_TO_POINTER (i), NULL);
  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (tasks[N - 1]), NULL));
  for (guint i = 0; i < N; i++)
    {
      assert_true (gtkloop_future_is_done (GTKLOOP_FUTURE (tasks[i])));
      sum += GPOINTER_TO_UINT (gtkloop_future_get_result (GTKLOOP_FUTURE (tasks[i]), NULL));
      gtkloop_task_unref (tasks[i]);
    }
  assert_int_equal (sum, (guint64) N * (N - 1) / 2);
  g_free (tasks);
}

/* ---------------------------------------------------------------------- */
/* Stack modes                                                             */

static void
uses_a_stack_buffer (GtkloopTask *task,
                     gpointer     data)
{
  char buffer[64 * 1024];

  /* GUARDED keeps the stack in place while suspended. */
  memset (buffer, 0x5a, sizeof buffer);
  *(char **) data = buffer;
  gtkloop_sleep (0, NULL);
  if (*(char **) data == buffer && buffer[sizeof buffer - 1] == 0x5a)
    gtkloop_task_return (task, GINT_TO_POINTER (1), NULL);
}

static void
test_guarded_stack_mode (void **state)
{
  TestFixture *fx = *state;
  char *where = NULL;
  GtkloopTaskOptions options = { .stack_mode = GTKLOOP_STACK_GUARDED, .stack_size = 512 * 1024 };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task_full (fx->loop, uses_a_stack_buffer, &where, NULL, &options);

  assert_int_equal (gtkloop_task_get_stack_mode (task), GTKLOOP_STACK_GUARDED);
  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (GTKLOOP_FUTURE (task), NULL)), 1);
}

static void
test_no_stack_fails_the_task (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter destroyed = { 0 };
  GtkloopTaskOptions options = { .stack_mode = GTKLOOP_STACK_GUARDED, .stack_size = (gsize) 1 << 50 };
  g_autoptr(GtkloopTask) task = NULL;
  g_autoptr(GError) error = NULL;

  test_warnings_begin ();
  task = gtkloop_loop_create_task_full (fx->loop, returns_quietly, &destroyed,
                                        test_destroy_count, &options);
  assert_int_equal (test_warnings_end (), 1);
  assert_non_null (strstr (test_warnings_last (), "stack"));
  assert_true (gtkloop_future_is_done (GTKLOOP_FUTURE (task)));
  assert_null (gtkloop_future_get_result (GTKLOOP_FUTURE (task), &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  assert_int_equal (destroyed.count, 1);
}

/* ---------------------------------------------------------------------- */
/* gtkloop_run                                                             */

typedef struct
{
  GtkloopLoop *loop_inside;
  gboolean     default_is_running;
  gboolean     leftover_saw_cancel;
  gboolean     leftover_cleaned_up;
} RunData;

static void
leftover (GtkloopTask *task,
          gpointer     data)
{
  RunData *rd = data;
  g_autoptr(GError) error = NULL;

  if (!gtkloop_sleep (60, &error))
    rd->leftover_saw_cancel = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Cleanup may still suspend while gtkloop_run finishes leftovers. */
  gtkloop_task_uncancel (task);
  rd->leftover_cleaned_up = gtkloop_sleep (0, &error);
}

static void
run_main (GtkloopTask *task,
          gpointer     data)
{
  RunData *rd = data;
  GtkloopTask *left;

  rd->loop_inside = gtkloop_loop_get_default ();
  rd->default_is_running = gtkloop_loop_get_running () == rd->loop_inside;
  left = gtkloop_spawn (leftover, rd, NULL);
  gtkloop_task_unref (left);
  gtkloop_sleep (0.001, NULL);
  gtkloop_task_return (task, g_strdup ("done"), g_free);
}

static void
test_gtkloop_run (void **state)
{
  RunData rd = { 0 };
  GtkloopDebugCounters before;
  g_autoptr(GError) error = NULL;

  gtkloop_debug_counters_snapshot (&before);
  assert_true (gtkloop_run (run_main, &rd, &error));
  assert_null (error);
  assert_true (rd.default_is_running);
  assert_true (rd.leftover_saw_cancel);
  assert_true (rd.leftover_cleaned_up);
  /* The loop made by gtkloop_run is gone with everything it held. */
  assert_true (gtkloop_debug_counters_equal (&before));
}

static void
run_fails (GtkloopTask *task,
           gpointer     data)
{
  gtkloop_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing"));
}

static void
test_gtkloop_run_error (void **state)
{
  g_autoptr(GError) error = NULL;

  assert_false (gtkloop_run (run_fails, NULL, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_basics_match_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_suspension_outside_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_suspension_in_nested_iteration_is_refused, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_await_itself_is_an_error, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_await_done_future_does_not_yield, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_identity, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_fire_and_forget_and_unretrieved_error, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_hundred_thousand_tasks, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_guarded_stack_mode, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_no_stack_fails_the_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test (test_gtkloop_run),
    cmocka_unit_test (test_gtkloop_run_error),
  };

  return cmocka_run_group_tests_name ("task", tests, NULL, NULL);
}
