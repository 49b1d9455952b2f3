/* Child processes: pipes as streams and communicate (twin:
 * twins/subprocess_pipes.py), 10 MiB each way through communicate without
 * a deadlock, return codes of exits and signals, a child that does not
 * read its input, cancelling a wait (the child is terminated, or left
 * running when asked), cancelling communicate (the output read so far
 * stays), many children at once, a loop closed with a child running, and
 * bad input. Every test checks that no fd is left open and that each
 * child was reaped (no zombie). The whole program runs twice: with the
 * exit seen through a pidfd, and with GTKLOOP_NO_PIDFD=1 through the
 * timer that looks at GSubprocess. Both are in suite threaded, so CI
 * runs them under ThreadSanitizer (GLib's worker reaps the children). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

#define TEN_MIB (10 * 1024 * 1024)

/* GLib's child watch (on its worker thread) has a pidfd of its own for
 * each child, closed there a moment after the exit: give the worker up
 * to 2 s to settle. */
static guint
count_fds_settled (guint expected)
{
  guint fds = test_count_open_fds ();

  for (int i = 0; i < 2000 && fds != expected; i++)
    {
      g_usleep (1000);
      fds = test_count_open_fds ();
    }
  return fds;
}

static int
setup (void **state)
{
  guint fds = test_count_open_fds ();
  TestFixture *fx;

  test_fixture_setup (state);
  fx = *state;
  g_object_set_data (G_OBJECT (fx->loop), "fds-before", GUINT_TO_POINTER (fds));
  return 0;
}

static int
teardown (void **state)
{
  TestFixture *fx = *state;
  guint fds = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (fx->loop), "fds-before"));

  test_fixture_teardown (state);
  assert_int_equal (count_fds_settled (fds), fds);
  return 0;
}

/* Reaped: no process with this pid is left, zombie or not. */
static void
assert_reaped (GPid pid)
{
  if (pid == 0)
    return;   /* reaped before GSubprocess gave its pid */
  assert_int_equal (kill (pid, 0), -1);
  assert_int_equal (errno, ESRCH);
}

static GtkloopSubprocess *
spawn (GSubprocessFlags flags,
       const char      *first,
       ...) G_GNUC_NULL_TERMINATED;

static GtkloopSubprocess *
spawn (GSubprocessFlags flags,
       const char      *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GtkloopSubprocess *proc;
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  proc = gtkloop_create_subprocess_exec ((const char * const *) argv->pdata, flags, &error);
  assert_null (error);
  assert_non_null (proc);
  return proc;
}

static int
wait_for (GtkloopSubprocess *proc)
{
  g_autoptr(GError) error = NULL;
  int returncode = G_MININT;

  assert_true (gtkloop_subprocess_wait (proc, &returncode, &error));
  assert_null (error);
  assert_reaped (gtkloop_subprocess_get_pid (proc));
  return returncode;
}

/* The twin ---------------------------------------------------------------- */

static void
pipes_twin_task (GtkloopTask *task,
                 gpointer     data)
{
  g_autoptr(GtkloopSubprocess) cat = NULL;
  g_autoptr(GtkloopSubprocess) sh = NULL;
  g_autoptr(GtkloopSubprocess) sleeper = NULL;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GBytes) rest = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("42\n", 3);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;
  GtkloopStreamWriter *in;
  int returncode;

  cat = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, "cat", NULL);
  assert_null (gtkloop_subprocess_get_stderr (cat));
  assert_true (G_IS_SUBPROCESS (gtkloop_subprocess_get_gsubprocess (cat)));
  assert_false (gtkloop_subprocess_get_returncode (cat, &returncode));
  test_print (test_current, "cat: started, returncode None");
  in = gtkloop_subprocess_get_stdin (cat);
  assert_true (gtkloop_stream_writer_write (in, "hello\n", 6, NULL));
  assert_true (gtkloop_stream_writer_drain (in, NULL));
  line = gtkloop_stream_reader_readline (gtkloop_subprocess_get_stdout (cat), NULL);
  text = test_py_bytes (line);
  test_print (test_current, "cat: line %s", text);
  g_clear_pointer (&text, g_free);
  assert_true (gtkloop_stream_writer_write (in, "bye", 3, NULL));
  gtkloop_stream_writer_close (in);
  rest = gtkloop_stream_reader_read (gtkloop_subprocess_get_stdout (cat), -1, NULL);
  text = test_py_bytes (rest);
  test_print (test_current, "cat: rest %s", text);
  test_print (test_current, "cat: wait %d", wait_for (cat));

  sh = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
              G_SUBPROCESS_FLAGS_STDERR_PIPE,
              "sh", "-c", "read x; echo out $x; echo err >&2; exit 3", NULL);
  if (!gtkloop_subprocess_communicate (sh, input, &out, &err, &error))
    fail_msg ("communicate: %s", error->message);
  out_text = test_py_bytes (out);
  err_text = test_py_bytes (err);
  assert_true (gtkloop_subprocess_get_returncode (sh, &returncode));
  test_print (test_current, "sh: communicate %s %s returncode %d", out_text, err_text, returncode);
  assert_reaped (gtkloop_subprocess_get_pid (sh));

  sleeper = spawn (G_SUBPROCESS_FLAGS_NONE, "sleep", "10", NULL);
  assert_true (gtkloop_subprocess_terminate (sleeper, NULL));
  test_print (test_current, "sleep: wait %d", wait_for (sleeper));
  assert_false (gtkloop_subprocess_send_signal (sleeper, SIGKILL, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_true (gtkloop_subprocess_get_returncode (sleeper, &returncode));
  test_print (test_current, "sleep: a signal after the exit: ProcessLookupError, returncode %d",
              returncode);
}

static void
test_pipes_twin (void **state)
{
  TestFixture *fx = *state;

  test_run_task (pipes_twin_task, NULL);
  test_assert_matches_twin ("subprocess_pipes", fx->out->str);
}

/* 10 MiB each way --------------------------------------------------------- */

/* cat echoes 10 MiB while it is still being fed, and a second writer
 * fills stderr: done in turn instead of side by side, either pipe filling
 * up would block the child, and the wait would never end. */
static void
big_communicate_task (GtkloopTask *task,
                      gpointer     data)
{
  g_autoptr(GtkloopSubprocess) proc = NULL;
  g_autofree guint8 *bytes = g_malloc (TEN_MIB);
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  int returncode;

  for (gsize i = 0; i < TEN_MIB; i++)
    bytes[i] = (guint8) (i * 31 + (i >> 12));
  input = g_bytes_new_take (g_steal_pointer (&bytes), TEN_MIB);
  proc = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                "sh", "-c", "head -c 10485760 /dev/zero >&2 & cat; wait", NULL);
  assert_true (gtkloop_subprocess_communicate (proc, input, &out, &err, &error));
  assert_null (error);
  assert_true (g_bytes_equal (out, input));
  assert_int_equal (g_bytes_get_size (err), TEN_MIB);
  assert_true (gtkloop_subprocess_get_returncode (proc, &returncode));
  assert_int_equal (returncode, 0);
  assert_reaped (gtkloop_subprocess_get_pid (proc));
}

static void
test_big_communicate (void **state)
{
  test_run_task (big_communicate_task, NULL);
}

/* Return codes -------------------------------------------------------------- */

static void
return_codes_task (GtkloopTask *task,
                   gpointer     data)
{
  g_autoptr(GtkloopSubprocess) exit3 = spawn (G_SUBPROCESS_FLAGS_NONE, "sh", "-c", "exit 3", NULL);
  g_autoptr(GtkloopSubprocess) ok = spawn (G_SUBPROCESS_FLAGS_NONE, "true", NULL);
  g_autoptr(GtkloopSubprocess) killed = spawn (G_SUBPROCESS_FLAGS_NONE, "sleep", "10", NULL);
  g_autoptr(GtkloopSubprocess) self_signal = spawn (G_SUBPROCESS_FLAGS_NONE,
                                                    "sh", "-c", "kill -USR1 $$", NULL);
  int returncode = 0;

  assert_int_equal (wait_for (exit3), 3);
  assert_int_equal (wait_for (ok), 0);
  assert_true (gtkloop_subprocess_kill (killed, NULL));
  assert_int_equal (wait_for (killed), -SIGKILL);
  assert_int_equal (wait_for (self_signal), -SIGUSR1);
  /* Waiting again returns the same at once. */
  assert_true (gtkloop_subprocess_wait (exit3, &returncode, NULL));
  assert_int_equal (returncode, 3);
}

static void
test_return_codes (void **state)
{
  test_run_task (return_codes_task, NULL);
}

/* A child that does not read its input ---------------------------------- */

static void
unread_input_task (GtkloopTask *task,
                   gpointer     data)
{
  g_autoptr(GtkloopSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE, "true", NULL);
  g_autoptr(GBytes) input = g_bytes_new_take (g_malloc0 (TEN_MIB), TEN_MIB);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  int returncode = -1;

  /* The pipe breaks under the write (EPIPE, no SIGPIPE to kill us):
   * asyncio ignores that in communicate. */
  assert_true (gtkloop_subprocess_communicate (proc, input, &out, NULL, &error));
  assert_null (error);
  assert_null (out);
  assert_true (gtkloop_subprocess_get_returncode (proc, &returncode));
  assert_int_equal (returncode, 0);
}

static void
test_unread_input (void **state)
{
  test_run_task (unread_input_task, NULL);
}

/* Writing to the stdin of a child that has gone fails with the error. */
static void
broken_stdin_task (GtkloopTask *task,
                   gpointer     data)
{
  g_autoptr(GtkloopSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE, "true", NULL);
  GtkloopStreamWriter *in = gtkloop_subprocess_get_stdin (proc);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  assert_int_equal (wait_for (proc), 0);
  for (int i = 0; i < 100 && ok; i++)
    ok = gtkloop_stream_writer_write (in, "x", 1, &error) &&
         gtkloop_sleep (0, &error);
  assert_false (ok);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE));
}

static void
test_broken_stdin (void **state)
{
  test_run_task (broken_stdin_task, NULL);
}

/* Cancelling ---------------------------------------------------------------- */

typedef struct
{
  GtkloopSubprocess *proc;
  gboolean           terminate;
  gboolean           communicate;
  GError            *error;
} CancelCase;

static void
waiting_task (GtkloopTask *task,
              gpointer     data)
{
  CancelCase *c = data;

  gtkloop_subprocess_set_terminate_on_cancel (c->proc, c->terminate);
  assert_int_equal (gtkloop_subprocess_get_terminate_on_cancel (c->proc), c->terminate);
  if (c->communicate)
    gtkloop_subprocess_communicate (c->proc, NULL, NULL, NULL, &c->error);
  else
    gtkloop_subprocess_wait (c->proc, NULL, &c->error);
}

static void
cancel_wait_task (GtkloopTask *task,
                  gpointer     data)
{
  CancelCase c = { .terminate = GPOINTER_TO_INT (data) };
  g_autoptr(GtkloopSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "sleep", "10", NULL);
  g_autoptr(GtkloopTask) waiting = NULL;
  int returncode = 0;

  c.proc = proc;
  waiting = gtkloop_loop_create_task (test_current->loop, waiting_task, &c, NULL);
  assert_true (gtkloop_sleep (0.05, NULL));
  gtkloop_task_cancel (waiting, NULL);
  assert_false (gtkloop_await (GTKLOOP_FUTURE (waiting), NULL));
  assert_true (g_error_matches (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&c.error);
  if (!c.terminate)
    {
      /* Left running: only the wait ended. */
      assert_true (gtkloop_sleep (0.05, NULL));
      assert_false (gtkloop_subprocess_get_returncode (proc, &returncode));
      assert_int_equal (kill (gtkloop_subprocess_get_pid (proc), 0), 0);
      assert_true (gtkloop_subprocess_terminate (proc, NULL));
    }
  assert_int_equal (wait_for (proc), -SIGTERM);
}

static void
test_cancel_wait_terminates (void **state)
{
  test_run_task (cancel_wait_task, GINT_TO_POINTER (TRUE));
}

static void
test_cancel_wait_leaves_running (void **state)
{
  test_run_task (cancel_wait_task, GINT_TO_POINTER (FALSE));
}

/* communicate cancelled once the child has printed a line: the child is
 * terminated, and the line is still in its stdout reader. */
static void
cancel_communicate_task (GtkloopTask *task,
                         gpointer     data)
{
  CancelCase c = { .terminate = TRUE, .communicate = TRUE };
  g_autoptr(GtkloopSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                             "sh", "-c", "echo partial; echo oops >&2; exec sleep 10",
                                             NULL);
  GtkloopStreamReader *out = gtkloop_subprocess_get_stdout (proc);
  GtkloopStreamReader *err = gtkloop_subprocess_get_stderr (proc);
  g_autoptr(GtkloopTask) waiting = NULL;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GBytes) err_line = NULL;
  g_autoptr(GBytes) rest = NULL;

  c.proc = proc;
  waiting = gtkloop_loop_create_task (test_current->loop, waiting_task, &c, NULL);
  for (int i = 0; i < 200 && gtkloop_stream_reader_get_buffer_size (out) < 8; i++)
    assert_true (gtkloop_sleep (0.01, NULL));
  assert_true (gtkloop_sleep (0.05, NULL));
  gtkloop_task_cancel (waiting, NULL);
  assert_false (gtkloop_await (GTKLOOP_FUTURE (waiting), NULL));
  assert_true (g_error_matches (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&c.error);
  assert_int_equal (wait_for (proc), -SIGTERM);
  line = gtkloop_stream_reader_readline (out, NULL);
  assert_true (g_bytes_get_size (line) == 8 && memcmp (g_bytes_get_data (line, NULL), "partial\n", 8) == 0);
  err_line = gtkloop_stream_reader_readline (err, NULL);
  assert_true (g_bytes_get_size (err_line) == 5 && memcmp (g_bytes_get_data (err_line, NULL), "oops\n", 5) == 0);
  rest = gtkloop_stream_reader_read (out, -1, NULL);
  assert_int_equal (g_bytes_get_size (rest), 0);
}

static void
test_cancel_communicate (void **state)
{
  test_run_task (cancel_communicate_task, NULL);
}

/* Many at once ----------------------------------------------------------------- */

#define N_CHILDREN 64

static void
many_task (GtkloopTask *task,
           gpointer     data)
{
  GtkloopSubprocess *procs[N_CHILDREN];

  for (int i = 0; i < N_CHILDREN; i++)
    {
      g_autofree char *script = g_strdup_printf ("echo %d; exit %d", i, i % 7);

      procs[i] = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "sh", "-c", script, NULL);
    }
  /* In reverse: each exit was seen whatever the order of the waits. */
  for (int i = N_CHILDREN - 1; i >= 0; i--)
    {
      g_autoptr(GBytes) out = NULL;
      g_autofree char *expected = g_strdup_printf ("%d\n", i);
      int returncode = -1;

      assert_true (gtkloop_subprocess_communicate (procs[i], NULL, &out, NULL, NULL));
      assert_int_equal (g_bytes_get_size (out), strlen (expected));
      assert_memory_equal (g_bytes_get_data (out, NULL), expected, strlen (expected));
      assert_true (gtkloop_subprocess_get_returncode (procs[i], &returncode));
      assert_int_equal (returncode, i % 7);
      assert_reaped (gtkloop_subprocess_get_pid (procs[i]));
      gtkloop_subprocess_unref (procs[i]);
    }
}

static void
test_many_children (void **state)
{
  test_run_task (many_task, NULL);
}

/* Closing the loop with a child running ------------------------------------ */

static void
start_sleeper_task (GtkloopTask *task,
                    gpointer     data)
{
  GtkloopSubprocess **out = data;

  *out = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "sleep", "10", NULL);
}

static void
test_loop_close_with_child (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopSubprocess) proc = NULL;
  GSubprocess *child;
  GPid pid;

  test_run_task (start_sleeper_task, &proc);
  pid = gtkloop_subprocess_get_pid (proc);
  child = g_object_ref (gtkloop_subprocess_get_gsubprocess (proc));
  gtkloop_loop_close (fx->loop);
  /* The pipe is closed with the loop; the child runs on, and GLib still
   * reaps it once it exits. */
  assert_true (gtkloop_stream_reader_at_eof (gtkloop_subprocess_get_stdout (proc)));
  g_clear_pointer (&proc, gtkloop_subprocess_unref);
  assert_int_equal (kill (pid, 0), 0);
  g_subprocess_force_exit (child);
  /* Not g_subprocess_wait: its worker finishing a GTask on a context of
   * ours goes through GLib's mutexes, unseen by ThreadSanitizer. The
   * identifier goes once GSubprocess has the status (up to 10 s). */
  for (int i = 0; i < 10000 && g_subprocess_get_identifier (child) != NULL; i++)
    g_usleep (1000);
  assert_null (g_subprocess_get_identifier (child));
  assert_true (g_subprocess_get_if_signaled (child));
  g_object_unref (child);
  assert_reaped (pid);
}

/* Bad input ------------------------------------------------------------------ */

static void
bad_input_task (GtkloopTask *task,
                gpointer     data)
{
  const char *empty[] = { NULL };
  const char *blank[] = { "", NULL };
  const char *missing[] = { "gtkloop-no-such-program", NULL };
  const char *cat[] = { "cat", NULL };
  g_autoptr(GtkloopSubprocess) no_stdin = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;
  guint fds = test_count_open_fds ();

  assert_null (gtkloop_create_subprocess_exec (empty, G_SUBPROCESS_FLAGS_NONE, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  assert_null (gtkloop_create_subprocess_exec (blank, G_SUBPROCESS_FLAGS_NONE, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  assert_null (gtkloop_create_subprocess_exec (cat, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                               G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  assert_null (gtkloop_create_subprocess_exec (cat, G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                               G_SUBPROCESS_FLAGS_STDERR_MERGE, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  /* A program that is not there: GSubprocess's error, and the pipes made
   * for it are closed again. */
  assert_null (gtkloop_create_subprocess_exec (missing, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error));
  assert_true (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT));
  assert_non_null (strstr (error->message, "gtkloop_create_subprocess_exec"));
  g_clear_error (&error);
  assert_int_equal (test_count_open_fds (), fds);

  no_stdin = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, "true", NULL);
  assert_false (gtkloop_subprocess_communicate (no_stdin, input, NULL, NULL, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  assert_int_equal (wait_for (no_stdin), 0);
}

static void
test_bad_input (void **state)
{
  test_run_task (bad_input_task, NULL);
}

static void
start_true_task (GtkloopTask *task,
                 gpointer     data)
{
  GtkloopSubprocess **out = data;

  *out = spawn (G_SUBPROCESS_FLAGS_NONE, "true", NULL);
}

/* Waiting is a suspension point: outside a task it says so. The loop sees
 * the exit all the same, with nobody waiting (asyncio's child watcher). */
static void
test_outside_task (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  int returncode = -1;

  test_run_task (start_true_task, &proc);
  assert_false (gtkloop_subprocess_wait (proc, NULL, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);
  assert_false (gtkloop_subprocess_communicate (proc, NULL, NULL, NULL, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);
  for (int i = 0; i < 500 && !gtkloop_subprocess_get_returncode (proc, NULL); i++)
    test_iterate_for (fx->loop, 0.01);
  assert_true (gtkloop_subprocess_get_returncode (proc, &returncode));
  assert_int_equal (returncode, 0);
  assert_reaped (gtkloop_subprocess_get_pid (proc));
}

/* GLib's worker thread keeps an fd or two for good once started: start it
 * before any test counts fds. */
static void
warm_up_task (GtkloopTask *task,
              gpointer     data)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GtkloopSubprocess) proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_NONE, NULL);

  g_assert_nonnull (proc);
  g_assert_true (gtkloop_subprocess_wait (proc, NULL, NULL));
}

static int
warm_up (void **state)
{
  guint fds;

  if (!gtkloop_run (warm_up_task, NULL, NULL))
    return -1;
  /* Until GLib's worker has closed what it had for the child. */
  do
    {
      fds = test_count_open_fds ();
      g_usleep (20000);
    }
  while (test_count_open_fds () != fds);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_pipes_twin, setup, teardown),
    cmocka_unit_test_setup_teardown (test_big_communicate, setup, teardown),
    cmocka_unit_test_setup_teardown (test_return_codes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unread_input, setup, teardown),
    cmocka_unit_test_setup_teardown (test_broken_stdin, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_wait_terminates, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_wait_leaves_running, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_communicate, setup, teardown),
    cmocka_unit_test_setup_teardown (test_many_children, setup, teardown),
    cmocka_unit_test_setup_teardown (test_loop_close_with_child, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_input, setup, teardown),
    cmocka_unit_test_setup_teardown (test_outside_task, setup, teardown),
  };

  if (argc > 1 && strcmp (argv[1], "--no-pidfd") == 0)
    g_setenv ("GTKLOOP_NO_PIDFD", "1", TRUE);
  /* GTKLOOP_TEST_FILTER=test_name runs one test (cmocka's pattern). */
  if (g_getenv ("GTKLOOP_TEST_FILTER") != NULL)
    cmocka_set_test_filter (g_getenv ("GTKLOOP_TEST_FILTER"));
  return cmocka_run_group_tests (tests, warm_up, NULL);
}
