/* RLIMIT_NOFILE exhausted: with no fd left, the first fd watch of a loop
 * (its epoll fd), a connection, a server and a subprocess with pipes
 * each fail with a clear GError, nothing leaks, no critical; once fds are
 * free again, the same calls work on the same loop. */
#include "config.h"

#include <errno.h>
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
 * fd left. */
static void
exhaust (Exhaustion *e)
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

  /* GIO calls back in the thread-default context: the loop's. */
  g_main_context_push_thread_default (gtkloop_loop_get_context (fx->loop));
  test_run_task (exhausted_task, NULL);
  g_main_context_pop_thread_default (gtkloop_loop_get_context (fx->loop));
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
  };

  return cmocka_run_group_tests (tests, warm_up, NULL);
}
