/* RLIMIT_NOFILE exhausted: with no fd left, the first fd watch of a loop
 * (its epoll fd), a connection, a server, a subprocess with pipes, a
 * signal handler's wake-up pipe, gtkloop_run's context and a loop thread's
 * each fail with a clear GError, nothing leaks, no critical; once fds are
 * free again, the same calls work on the same loop. What needs no fd of
 * its own keeps working meanwhile: a loop on an existing context, loop
 * threads already started, executors (their workers and jobs). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test-util.h"

#define HEADROOM 64

typedef struct
{
  GArray       *fds;
  struct rlimit before;
} Exhaustion;

/* Lowers the soft limit a little above what is open, then takes every
 * fd left but `leave`. */
static void
exhaust_leaving (Exhaustion *e,
                 guint       leave)
{
  struct rlimit lim;
  int fd;

  assert_int_equal (getrlimit (RLIMIT_NOFILE, &lim), 0);
  e->before = lim;
  lim.rlim_cur = test_count_open_fds () + HEADROOM;
  assert_int_equal (setrlimit (RLIMIT_NOFILE, &lim), 0);
  e->fds = g_array_new (FALSE, FALSE, sizeof (int));
  while ((fd = eventfd (0, EFD_CLOEXEC)) >= 0)
    g_array_append_val (e->fds, fd);
  assert_int_equal (errno, EMFILE);
  assert_true (e->fds->len >= leave);
  for (; leave > 0; leave--)
    {
      close (g_array_index (e->fds, int, e->fds->len - 1));
      g_array_set_size (e->fds, e->fds->len - 1);
    }
}

static void
exhaust (Exhaustion *e)
{
  exhaust_leaving (e, 0);
}

static void
release (Exhaustion *e)
{
  for (guint i = 0; i < e->fds->len; i++)
    close (g_array_index (e->fds, int, i));
  g_array_unref (e->fds);
  assert_int_equal (setrlimit (RLIMIT_NOFILE, &e->before), 0);
}

static void
noop_cb (gpointer data)
{
}

/* GLib lets a subprocess go from the context once the child is reaped,
 * closing its pipes then: iterate until that happened, or the next
 * exhaustion would see an fd come free behind its back. */
static void
wait_for_open_fds (GtkloopLoop *loop,
                   guint        want)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (test_count_open_fds () > want)
    {
      if (g_get_monotonic_time () > deadline)
        fail_msg ("%u fds open, %u expected", test_count_open_fds (), want);
      g_main_context_iteration (gtkloop_loop_get_context (loop), FALSE);
      g_usleep (1000);
    }
}

static void
silent_handler (GtkloopStreamReader *reader,
                GtkloopStreamWriter *writer,
                gpointer             data)
{
}

static void
exhausted_task (GtkloopTask *task,
                gpointer     data)
{
  guint *settled = data;   /* how many fds should be open once all is let go */
  const char *argv[] = { "true", NULL };
  Exhaustion e;
  guint fds_before;
  int spare;
  g_autoptr(GError) error = NULL;
  GtkloopStreamReader *reader = NULL;
  GtkloopStreamWriter *writer = NULL;
  GtkloopStreamServer *server;
  GtkloopSubprocess *proc;
  DestroyCounter dc = { 0 };

  spare = eventfd (0, EFD_CLOEXEC);
  assert_true (spare >= 0);
  fds_before = test_count_open_fds ();
  exhaust (&e);

  /* The loop's first watch needs its epoll fd. */
  assert_false (gtkloop_loop_add_reader (test_current->loop, spare, noop_cb, &dc,
                                         test_destroy_count, &error));
  assert_non_null (error);
  assert_int_equal (dc.count, 1);   /* the refused watch's notify ran once */
  g_clear_error (&error);

  server = gtkloop_start_server (silent_handler, NULL, NULL, "127.0.0.1", 0, &error);
  assert_null (server);
  assert_non_null (error);
  g_clear_error (&error);

  assert_false (gtkloop_open_unix_connection ("/nonexistent/gtkloop.sock", &reader, &writer, &error));
  assert_non_null (error);
  assert_null (reader);
  assert_null (writer);
  g_clear_error (&error);

  proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  assert_null (proc);
  assert_non_null (error);
  g_clear_error (&error);

  release (&e);
  /* Nothing was left open by the failures. */
  assert_int_equal (test_count_open_fds (), fds_before);

  /* The same calls work now, on the same loop. */
  assert_true (gtkloop_loop_add_reader (test_current->loop, spare, noop_cb, NULL, NULL, &error));
  assert_true (gtkloop_loop_remove_reader (test_current->loop, spare));
  /* What stays: the loop's epoll fd, made by that watch. */
  *settled = test_count_open_fds () - 1;
  server = gtkloop_start_server (silent_handler, NULL, NULL, "127.0.0.1", 0, &error);
  assert_non_null (server);
  gtkloop_stream_server_close (server);
  gtkloop_stream_server_unref (server);
  proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  assert_non_null (proc);
  assert_true (gtkloop_subprocess_wait (proc, NULL, &error));
  gtkloop_subprocess_unref (proc);
  close (spare);
}

static void
test_exhausted_then_free (void **state)
{
  TestFixture *fx = *state;
  guint settled;

  /* GIO calls back in the thread-default context: the loop's. */
  g_main_context_push_thread_default (gtkloop_loop_get_context (fx->loop));
  test_run_task (exhausted_task, &settled);
  wait_for_open_fds (fx->loop, settled);
  g_main_context_pop_thread_default (gtkloop_loop_get_context (fx->loop));
}

/* A loop and its context --------------------------------------------------- */

static void
never_main (GtkloopTask *task,
            gpointer     data)
{
  gboolean *ran = data;

  *ran = TRUE;
}

static gpointer
post_from_thread (gpointer data)
{
  gtkloop_loop_call_soon_threadsafe (data, test_noop_cb, NULL, NULL);
  return NULL;
}

/* A loop on an existing context takes no fd (its epoll fd comes with its
 * first watch): made, fed from this thread and another, closed, all with
 * no fd left. gtkloop_run needs a context of its own: refused, its main
 * never run, until fds are free. */
static void
test_loop_creation (void **state)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  GtkloopDebugCounters before;
  GtkloopLoop *loop;
  Exhaustion e;
  guint fds_before;
  gboolean ran = FALSE, posted;
  DestroyCounter dc = { 0 };
  GThread *thread;

  gtkloop_debug_counters_snapshot (&before);
  fds_before = test_count_open_fds ();
  exhaust (&e);

  loop = gtkloop_loop_new (context);
  assert_non_null (loop);
  gtkloop_loop_call_soon (loop, test_set_flag_cb, &ran, NULL);
  test_iterate_until (loop, &ran, 5);
  /* Threads need no fd; the post wakes the context through its own. */
  thread = g_thread_new ("poster", post_from_thread, loop);
  g_thread_join (thread);
  posted = FALSE;
  gtkloop_loop_call_soon (loop, test_set_flag_cb, &posted, NULL);
  test_iterate_until (loop, &posted, 5);
  gtkloop_loop_call_later (loop, 3600, test_fail_if_run_cb, &dc, test_destroy_count);
  gtkloop_loop_close (loop);
  assert_int_equal (dc.count, 1);
  g_object_unref (loop);

  ran = FALSE;
  assert_false (gtkloop_run (never_main, &ran, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  assert_non_null (strstr (error->message, "gtkloop_run"));
  assert_false (ran);
  g_clear_error (&error);

  release (&e);
  assert_int_equal (test_count_open_fds (), fds_before);
  test_assert_no_leaks (&before);

  gtkloop_run (never_main, &ran, &error);
  g_assert_no_error (error);
  assert_true (ran);
  assert_int_equal (test_count_open_fds (), fds_before);
  test_assert_no_leaks (&before);
}

/* Loop threads ---------------------------------------------------------------- */

/* A new loop thread needs a context: refused with no fd left, no thread
 * started. One started before goes on taking work meanwhile. */
static void
test_loop_thread (void **state)
{
  g_autoptr(GError) error = NULL;
  GtkloopDebugCounters before;
  GtkloopLoopThread *running, *refused, *later;
  GtkloopThreadFuture *f;
  Exhaustion e;
  guint fds_before;

  gtkloop_debug_counters_snapshot (&before);
  running = gtkloop_loop_thread_start ("exhaust-old", &error);
  assert_non_null (running);
  fds_before = test_count_open_fds ();
  exhaust (&e);

  refused = gtkloop_loop_thread_start ("exhaust-new", &error);
  assert_null (refused);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  assert_non_null (strstr (error->message, "gtkloop_loop_thread_start"));
  g_clear_error (&error);

  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (running), test_noop_task, NULL, NULL);
  gtkloop_thread_future_wait (f, 5, &error);
  g_assert_no_error (error);
  gtkloop_thread_future_unref (f);

  release (&e);
  assert_int_equal (test_count_open_fds (), fds_before);

  later = gtkloop_loop_thread_start ("exhaust-later", &error);
  assert_non_null (later);
  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (later), test_noop_task, NULL, NULL);
  gtkloop_thread_future_wait (f, 5, &error);
  g_assert_no_error (error);
  gtkloop_thread_future_unref (f);

  gtkloop_loop_thread_stop (later);     /* drops the reference too */
  gtkloop_loop_thread_stop (running);
  test_assert_no_leaks (&before);
}

/* Executors ------------------------------------------------------------------- */

static gpointer
square_job (gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  guint n = GPOINTER_TO_UINT (data);

  return GUINT_TO_POINTER (n * n);
}

#define N_JOBS 16

/* Executors take no fd: a new one, its workers started by the jobs, and
 * the loop's default executor run their jobs and bring the results home
 * with no fd left. */
static void
executor_task (GtkloopTask *task,
               gpointer     data)
{
  g_autoptr(GtkloopThreadExecutor) ex = NULL;
  GtkloopFuture *jobs[2 * N_JOBS];
  g_autoptr(GError) error = NULL;
  Exhaustion e;
  guint fds_before;

  fds_before = test_count_open_fds ();
  exhaust (&e);

  ex = gtkloop_thread_executor_new (4);
  assert_non_null (ex);
  for (guint i = 0; i < N_JOBS; i++)
    {
      jobs[i] = gtkloop_loop_run_in_executor (test_current->loop, ex, square_job,
                                              GUINT_TO_POINTER (i), NULL, NULL);
      jobs[N_JOBS + i] = gtkloop_to_thread (square_job, GUINT_TO_POINTER (i), NULL, NULL);
    }
  for (guint i = 0; i < 2 * N_JOBS; i++)
    {
      guint n = i % N_JOBS;

      assert_int_equal (GPOINTER_TO_UINT (gtkloop_await_result (jobs[i], &error)), n * n);
      g_assert_no_error (error);
      gtkloop_future_unref (jobs[i]);
    }
  assert_true (gtkloop_thread_executor_get_n_workers (ex) >= 1);
  gtkloop_thread_executor_shutdown (ex, TRUE, FALSE);

  release (&e);
  assert_int_equal (test_count_open_fds (), fds_before);
}

static void
test_executor (void **state)
{
  test_run_task (executor_task, NULL);
}

/* A signal handler's wake-up pipe ------------------------------------------------ */

static void
signal_cb (gpointer data)
{
  (*(int *) data)++;
}

static gboolean
sigalrm_is_default (void)
{
  struct sigaction now;

  assert_int_equal (sigaction (SIGALRM, NULL, &now), 0);
  return !(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_DFL;
}

/* SIGALRM comes through a pipe of the loop's own among its fd watches:
 * two fds, and a third for the loop's epoll fd on its first watch. With
 * 0, 1 or 2 left the handler is refused (its notify run once, the signal
 * left as it was, any fd taken given back); with fds free it works. */
static void
test_signal_pipe (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GError) error = NULL;
  guint fds_before = test_count_open_fds ();
  int delivered = 0;

  assert_true (sigalrm_is_default ());
  for (guint leave = 0; leave <= 2; leave++)
    {
      DestroyCounter dc = { 0 };
      Exhaustion e;

      exhaust_leaving (&e, leave);
      assert_false (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, noop_cb, &dc,
                                                     test_destroy_count, &error));
      assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
      print_message ("%u fd%s left: %s\n", leave, leave == 1 ? "" : "s", error->message);
      g_clear_error (&error);
      assert_int_equal (dc.count, 1);
      assert_true (sigalrm_is_default ());
      release (&e);
      assert_int_equal (test_count_open_fds (), fds_before);
    }

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, signal_cb, &delivered,
                                                NULL, &error));
  raise (SIGALRM);
  while (delivered == 0)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), TRUE);
  assert_int_equal (delivered, 1);
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));
  assert_true (sigalrm_is_default ());
}

/* With the loop's epoll fd already there, one fd left is still one short
 * of a pipe. */
static void
test_signal_pipe_with_watches (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GError) error = NULL;
  DestroyCounter dc = { 0 };
  Exhaustion e;
  int efd = eventfd (0, EFD_CLOEXEC);
  guint fds_before;

  assert_true (efd >= 0);
  assert_true (gtkloop_loop_add_reader (fx->loop, efd, noop_cb, NULL, NULL, &error));
  fds_before = test_count_open_fds ();

  exhaust_leaving (&e, 1);
  assert_false (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, noop_cb, &dc,
                                                 test_destroy_count, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES));
  assert_non_null (strstr (error->message, "wake-up pipe"));
  assert_int_equal (dc.count, 1);
  release (&e);
  assert_int_equal (test_count_open_fds (), fds_before);

  assert_true (gtkloop_loop_remove_reader (fx->loop, efd));
  close (efd);
  assert_true (sigalrm_is_default ());
}

/* GLib's worker thread and GIO's first connection open fds they keep for
 * good, and GLib aborts when it cannot make its own wake-up fds: start
 * them before any fd runs out. */
static void
warm_up_task (GtkloopTask *task,
              gpointer     data)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GtkloopSubprocess) proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_NONE, NULL);
  GtkloopStreamReader *reader = NULL;
  GtkloopStreamWriter *writer = NULL;

  g_assert_nonnull (proc);
  g_assert_true (gtkloop_subprocess_wait (proc, NULL, NULL));
  g_assert_false (gtkloop_open_unix_connection ("/nonexistent/gtkloop.sock", &reader, &writer, NULL));
}

static int
warm_up (void **state)
{
  return gtkloop_run (warm_up_task, NULL, NULL) ? 0 : -1;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_exhausted_then_free, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test (test_loop_creation),
    cmocka_unit_test (test_loop_thread),
    cmocka_unit_test_setup_teardown (test_executor, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_signal_pipe, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_signal_pipe_with_watches, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, warm_up, NULL);
}
