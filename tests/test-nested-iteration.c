/* Closing the loop from inside a nested g_main_context_iteration ().
 *
 * asyncio's rule is that close () on a running loop raises ("Cannot close
 * a running event loop"); gtkloop refuses it with a critical and leaves
 * the loop working. What is "running" when callbacks iterate the context
 * themselves:
 *
 *   - a loop callback (call_soon, timer, fd watch, task body) is inside
 *     the loop's dispatch: GLib does not dispatch the loop's source again
 *     while it is in dispatch, so only other sources run in the nested
 *     iteration; any of them closing the loop is refused;
 *   - a GLib source (a GTK handler) iterating the context lets the loop
 *     dispatch inside: a loop callback there closing the loop is refused;
 *     another GLib source closing it is refused while a runner runs the
 *     loop, and closes it when GTK alone drives the context;
 *   - close () iterates the context itself (executor jobs coming home)
 *     and runs pending tasks to their end: a close from inside that,
 *     whoever makes it, returns at once and the outer close completes;
 *     running the loop from there is refused (GTKLOOP_ERROR_CLOSED).
 *
 * Every case: no crash, no callback after close, every destroy notify
 * once, counters back to zero (the fixture's teardown).
 */
#include "config.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include "test-util.h"

/* What drives the loop while the outer callback runs. */
typedef enum
{
  DRIVER_RUN_FOREVER,   /* gtkloop_loop_run_forever () */
  DRIVER_GLIB,          /* g_main_context_iteration () alone, as GTK does */
} Driver;

/* Where the outer callback, the one that iterates the context, runs. */
typedef enum
{
  OUTER_CALL_SOON,
  OUTER_TIMER,
  OUTER_FD_WATCH,
  OUTER_TASK,
  N_OUTER_KINDS,
} OuterKind;

static const char *const outer_names[] = { "call_soon", "timer", "fd watch", "task body" };

typedef struct
{
  GtkloopLoop *loop;
  Driver       driver;
  OuterKind    kind;
  gboolean     may_block;          /* the nested iteration's argument */
  gboolean     stop_first;         /* the inner source stops the loop before closing */
  int          efd;
  gboolean     outer_done;
  gboolean     inner_ran;
  gboolean     closed_inside;      /* gtkloop_loop_is_closed () right after the inner close */
  gboolean     later_ran_nested;   /* a loop callback ran inside the nested iteration */
  gboolean     later_ran;
} Nested;

static gboolean
close_from_source (gpointer data)
{
  Nested *n = data;

  n->inner_ran = TRUE;
  if (n->stop_first)
    gtkloop_loop_stop (n->loop);
  gtkloop_loop_close (n->loop);
  n->closed_inside = gtkloop_loop_is_closed (n->loop);
  return G_SOURCE_REMOVE;
}

static void
later_cb (gpointer data)
{
  Nested *n = data;

  n->later_ran = TRUE;
}

/* The outer callback's body: queue a loop callback, then iterate the
 * context with a GLib source ready that closes the loop. */
static void
nest (Nested *n)
{
  GMainContext *context = gtkloop_loop_get_context (n->loop);
  GSource *idle = g_idle_source_new ();

  gtkloop_loop_call_soon (n->loop, later_cb, n, NULL);
  g_source_set_callback (idle, close_from_source, n, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);

  /* The idle is ready, so a blocking iteration returns at once too. */
  g_main_context_iteration (context, n->may_block);
  n->later_ran_nested = n->later_ran;

  if (n->driver == DRIVER_RUN_FOREVER && !n->stop_first)
    gtkloop_loop_stop (n->loop);
  n->outer_done = TRUE;
}

static void
outer_cb (gpointer data)
{
  nest (data);
}

static void
outer_fd_cb (gpointer data)
{
  Nested *n = data;

  gtkloop_loop_remove_reader (n->loop, n->efd);
  nest (n);
}

static void
outer_task (GtkloopTask *task,
            gpointer     data)
{
  nest (data);
}

static void
run_outer (Nested *n)
{
  GtkloopFuture *task = NULL;
  g_autoptr(GError) error = NULL;

  switch (n->kind)
    {
    case OUTER_CALL_SOON:
      gtkloop_loop_call_soon (n->loop, outer_cb, n, NULL);
      break;
    case OUTER_TIMER:
      gtkloop_loop_call_later (n->loop, 0.001, outer_cb, n, NULL);
      break;
    case OUTER_FD_WATCH:
      n->efd = eventfd (1, EFD_CLOEXEC | EFD_NONBLOCK);
      assert_true (n->efd >= 0);
      assert_true (gtkloop_loop_add_reader (n->loop, n->efd, outer_fd_cb, n, NULL, &error));
      break;
    case OUTER_TASK:
      task = test_spawn (outer_task, n);
      break;
    case N_OUTER_KINDS:
      g_assert_not_reached ();
    }

  if (n->driver == DRIVER_RUN_FOREVER)
    test_run_forever (n->loop, 10);
  else
    test_iterate_until (n->loop, &n->outer_done, 10);

  if (task != NULL)
    {
      /* The body has returned, so the task is done. */
      assert_true (gtkloop_future_is_done (task));
      assert_null (gtkloop_future_get_error (task));
      gtkloop_future_unref (task);
    }
  if (n->kind == OUTER_FD_WATCH)
    close (n->efd);
}

/* Each kind of loop callback, under each driver, with and without a stop
 * before the close: the close is refused, the loop goes on. */
static void
test_loop_callback_nested_close_refused (void **state)
{
  TestFixture *fx = *state;

  for (OuterKind kind = 0; kind < N_OUTER_KINDS; kind++)
    for (Driver driver = DRIVER_RUN_FOREVER; driver <= DRIVER_GLIB; driver++)
      for (int stop_first = 0; stop_first <= (driver == DRIVER_RUN_FOREVER); stop_first++)
        {
          Nested n = {
            .loop = fx->loop, .driver = driver, .kind = kind,
            .may_block = (kind + driver) % 2, .stop_first = stop_first, .efd = -1,
          };
          guint criticals;

          print_message ("%s, %s%s\n", outer_names[kind],
                         driver == DRIVER_RUN_FOREVER ? "run_forever" : "GLib-driven",
                         stop_first ? ", stop then close" : "");
          test_criticals_begin ();
          run_outer (&n);
          criticals = test_criticals_end ();

          assert_true (n.inner_ran);
          assert_int_equal (criticals, 1);
          assert_non_null (strstr (test_criticals_last (), "cannot close a running event loop"));
          assert_false (n.closed_inside);
          assert_false (gtkloop_loop_is_closed (fx->loop));
          /* GLib does not dispatch a source inside its own dispatch. */
          assert_false (n.later_ran_nested);
          assert_false (gtkloop_loop_is_running (fx->loop));

          /* The loop goes on: what was queued runs now. */
          test_iterate_until (fx->loop, &n.later_ran, 5);
        }
}

/* A GLib source (a GTK handler) iterating the context ------------------- */

typedef struct
{
  GtkloopLoop   *loop;
  gboolean       outer_done;
  gboolean       loop_cb_ran;
  gboolean       loop_cb_closed;   /* is_closed after the loop callback's close */
  gboolean       inner_ran;
  gboolean       inner_closed;     /* is_closed after the GLib source's close */
  gboolean       stop_after;       /* the outer handler stops the loop */
  DestroyCounter dropped;          /* a timer far off, pending when the loop closes */
} Handler;

static void
close_from_loop_cb (gpointer data)
{
  Handler *h = data;

  h->loop_cb_ran = TRUE;
  gtkloop_loop_close (h->loop);
  h->loop_cb_closed = gtkloop_loop_is_closed (h->loop);
}

static gboolean
close_from_inner_source (gpointer data)
{
  Handler *h = data;

  h->inner_ran = TRUE;
  gtkloop_loop_close (h->loop);
  h->inner_closed = gtkloop_loop_is_closed (h->loop);
  return G_SOURCE_REMOVE;
}

/* The outer GLib source: the loop callback and the inner source are both
 * ready; its nested iterations dispatch them (the loop's source at
 * G_PRIORITY_DEFAULT first, then the idle). */
static gboolean
outer_handler (gpointer data)
{
  Handler *h = data;
  GMainContext *context = gtkloop_loop_get_context (h->loop);
  GSource *idle = g_idle_source_new ();

  gtkloop_loop_call_later (h->loop, 3600, test_fail_if_run_cb, &h->dropped, test_destroy_count);
  gtkloop_loop_call_soon (h->loop, close_from_loop_cb, h, NULL);
  g_source_set_callback (idle, close_from_inner_source, h, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);

  for (int i = 0; i < 100 && !h->inner_ran; i++)
    g_main_context_iteration (context, FALSE);
  if (h->stop_after)
    gtkloop_loop_stop (h->loop);
  h->outer_done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
attach_outer_handler (Handler *h)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, outer_handler, h, NULL);
  g_source_attach (source, gtkloop_loop_get_context (h->loop));
  g_source_unref (source);
}

/* Under a runner: both closes are refused (the loop callback's because
 * the loop dispatches it, the GLib source's because the loop runs). */
static void
test_handler_nested_close_while_running (void **state)
{
  TestFixture *fx = *state;
  Handler h = { .loop = fx->loop, .stop_after = TRUE };
  guint criticals;

  attach_outer_handler (&h);
  test_criticals_begin ();
  test_run_forever (fx->loop, 10);
  criticals = test_criticals_end ();

  assert_true (h.outer_done);
  assert_true (h.loop_cb_ran);
  assert_true (h.inner_ran);
  assert_int_equal (criticals, 2);
  assert_non_null (strstr (test_criticals_last (), "cannot close a running event loop"));
  assert_false (h.loop_cb_closed);
  assert_false (h.inner_closed);
  assert_false (gtkloop_loop_is_closed (fx->loop));

  assert_int_equal (h.dropped.count, 0);
  /* Closed once the run is over: the pending timer is dropped. */
  gtkloop_loop_close (fx->loop);
  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (h.dropped.count, 1);
}

/* GTK alone drives the context: the loop callback's close is refused, the
 * GLib source's close closes the loop; the outer handler goes on, and
 * nothing the loop held runs afterwards. */
static void
test_handler_nested_close_glib_driven (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  Handler h = { .loop = fx->loop };
  DestroyCounter queued = { 0 };
  guint criticals;

  /* Queued before, run by the loop before anything closes it. */
  gtkloop_loop_call_soon (fx->loop, test_destroy_count, &queued, NULL);
  attach_outer_handler (&h);
  test_criticals_begin ();
  test_iterate_until (fx->loop, &h.outer_done, 10);
  criticals = test_criticals_end ();

  assert_true (h.loop_cb_ran);
  assert_true (h.inner_ran);
  assert_int_equal (criticals, 1);
  assert_non_null (strstr (test_criticals_last (), "cannot close a running event loop"));
  assert_false (h.loop_cb_closed);
  assert_true (h.inner_closed);
  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (queued.count, 1);
  /* The timer the closed loop held: dropped, never run. */
  assert_int_equal (h.dropped.count, 1);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (context, FALSE);
  assert_int_equal (h.dropped.count, 1);
}

/* A close from inside close's own iterations ----------------------------- */

typedef struct
{
  GtkloopLoop   *loop;
  gint           release;          /* (atomic) lets the executor job return */
  gboolean       inner_ran;
  gboolean       inner_closed;     /* is_closed right after the inner close */
  gboolean       run_refused;
  DestroyCounter job_data;
} CloseInClose;

static gpointer
job_until_released (gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  CloseInClose *c = data;

  while (!g_atomic_int_get (&c->release))
    g_usleep (1000);
  return NULL;
}

static void
job_data_free (gpointer data)
{
  CloseInClose *c = data;

  c->job_data.count++;
}

/* A GLib source dispatched while close () waits for the executor job: it
 * lets the job return, closes the loop and tries to run it. (An inner
 * close that did the work would free the executor state the outer close
 * is still waiting on.) */
static gboolean
close_while_closing (gpointer data)
{
  CloseInClose *c = data;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (c->loop);
  g_autoptr(GError) error = NULL;

  c->inner_ran = TRUE;
  g_atomic_int_set (&c->release, 1);
  gtkloop_loop_close (c->loop);
  c->inner_closed = gtkloop_loop_is_closed (c->loop);
  c->run_refused = !gtkloop_loop_run_until_complete (c->loop, f, &error) &&
                   g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED);
  return G_SOURCE_REMOVE;
}

static void
test_close_inside_close_executor_wait (void **state)
{
  TestFixture *fx = *state;
  CloseInClose c = { .loop = fx->loop };
  GtkloopFuture *job;
  GSource *idle;

  job = gtkloop_loop_run_in_executor (fx->loop, NULL, job_until_released, &c, job_data_free, NULL);
  assert_non_null (job);
  idle = g_idle_source_new ();
  g_source_set_callback (idle, close_while_closing, &c, NULL);
  g_source_attach (idle, gtkloop_loop_get_context (fx->loop));
  g_source_unref (idle);

  gtkloop_loop_close (fx->loop);

  assert_true (c.inner_ran);
  /* The inner close returned at once; the outer one did the work. */
  assert_false (c.inner_closed);
  assert_true (c.run_refused);
  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (c.job_data.count, 1);
  assert_true (gtkloop_future_is_done (job));
  gtkloop_future_unref (job);
}

/* A task still pending at close is run to its end by close: its body,
 * once its await fails, closes the loop again, directly and from a GLib
 * source in a nested iteration, and tries to run the loop. */
typedef struct
{
  GtkloopLoop   *loop;
  gboolean       body_done;
  gboolean       closed_in_body;
  gboolean       inner_ran;
  gboolean       inner_closed;
  gboolean       run_refused;
  DestroyCounter queued;           /* queued by the body while close runs it */
} TaskAtClose;

static gboolean
close_from_task_source (gpointer data)
{
  TaskAtClose *t = data;

  t->inner_ran = TRUE;
  gtkloop_loop_close (t->loop);
  t->inner_closed = gtkloop_loop_is_closed (t->loop);
  return G_SOURCE_REMOVE;
}

static void
closing_task (GtkloopTask *task,
              gpointer     data)
{
  TaskAtClose *t = data;
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (t->loop);
  g_autoptr(GtkloopFuture) other = gtkloop_future_new (t->loop);
  g_autoptr(GError) error = NULL;
  GSource *idle;

  assert_false (gtkloop_await (never, NULL));   /* cancelled by close */

  gtkloop_loop_close (t->loop);
  t->closed_in_body = gtkloop_loop_is_closed (t->loop);

  idle = g_idle_source_new ();
  g_source_set_callback (idle, close_from_task_source, t, NULL);
  g_source_attach (idle, gtkloop_loop_get_context (t->loop));
  g_source_unref (idle);
  /* The loop's source may take the first iterations (it outranks an idle). */
  for (int i = 0; i < 100 && !t->inner_ran; i++)
    g_main_context_iteration (gtkloop_loop_get_context (t->loop), FALSE);

  t->run_refused = !gtkloop_loop_run_until_complete (t->loop, other, &error) &&
                   error != NULL;
  gtkloop_loop_call_soon (t->loop, test_fail_if_run_cb, &t->queued, test_destroy_count);
  t->body_done = TRUE;
}

static void
test_close_from_task_finishing_at_close (void **state)
{
  TestFixture *fx = *state;
  TaskAtClose t = { .loop = fx->loop };
  GtkloopFuture *task = test_spawn (closing_task, &t);

  /* Let the task reach its await. */
  test_iterate_for (fx->loop, 0.001);
  assert_false (t.body_done);

  gtkloop_loop_close (fx->loop);

  assert_true (t.body_done);
  assert_false (t.closed_in_body);
  assert_true (t.inner_ran);
  assert_false (t.inner_closed);
  assert_true (t.run_refused);
  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (t.queued.count, 1);
  assert_true (gtkloop_future_is_cancelled (task));
  gtkloop_future_unref (task);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_loop_callback_nested_close_refused, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_handler_nested_close_while_running, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_handler_nested_close_glib_driven, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_inside_close_executor_wait, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_from_task_finishing_at_close, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
