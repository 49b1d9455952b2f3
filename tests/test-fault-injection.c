/* Failures the system can cause are errors, not aborts (docs/failures.md).
 *
 * For each family of system calls (tests/fault-shim.h), one scenario that
 * uses everything that makes such calls — call_soon bursts that grow the
 * tables, timers, tasks on shared and guarded stacks, executor jobs, a
 * loop thread, an fd watch, a TCP server and connection, a signal through
 * the wake-up pipe, a subprocess with a pipe — runs with the N-th call of
 * the family failed, for N = 1, 2, 3, ... until a run makes fewer than N
 * calls. Every run must end normally: each step either works or fails the
 * documented way (a GError of GTKLOOP_ERROR_RESOURCES or GIO's, a refusal
 * value with a warning) and only when the failure was injected; every
 * destroy notify ran exactly once; the debug counters are back to zero and
 * no fd is left open; and the loop goes on (a failed step is tried again
 * and works, and the last step checks the loop still runs callbacks and
 * tasks).
 *
 * Each run is a child process, forked before anything was initialised,
 * so that every run starts cold: the per-thread stacks, the slab arenas
 * and the first handle chunk are mapped anew in each, and so are failed
 * in turn. The child cannot use cmocka's assertions (they would jump back
 * into its copy of the runner), so it checks with CHECK, which reports and
 * exits non-zero; the parent's cmocka test reads the exit status. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault-shim.h"
#include "test-util.h"

/* A child's exit status: the run saw its failure, or made fewer calls. */
#define RUN_INJECTED     0
#define RUN_NOT_INJECTED 10
/* No scenario makes this many calls of one family: a guard. */
#define MAX_N            400

/* Enough pending callbacks for a second handle chunk (131,072 slots) and
 * for a ready ring past 2 MiB, the size from which tables are mapped. */
#define BURST            (300 * 1000)
#define N_TASKS          8
#define N_JOBS           4
#define WATCHDOG_S       60

static FaultFamily current_family;
static guint current_n;

#define CHECK(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      check_failed (__FILE__, __LINE__, #cond); \
  } G_STMT_END

G_NORETURN static void
check_failed (const char *file,
              int         line,
              const char *what)
{
  fprintf (stderr, "%s:%d: %s failed (%s, call %u failed; %u calls seen)\n",
           file, line, what, fault_family_name (current_family), current_n, fault_calls ());
  fflush (stderr);
  _exit (2);
}

/* A failure is only fine when it was injected, and then only the
 * documented one. */
static void
check_refusal (const GError *error)
{
  CHECK (fault_injected ());
  CHECK (error != NULL);
  CHECK (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES) ||
         error->domain == G_IO_ERROR);
}

/* What one callback, task, job or watch did: ran (or was handed a
 * connection), and its destroy notify ran. */
typedef struct
{
  guint8 ran;
  guint8 notified;
} Record;

static void
record_ran (gpointer data)
{
  ((Record *) data)->ran++;
}

static void
record_notified (gpointer data)
{
  ((Record *) data)->notified++;
}

static gboolean
watchdog_cb (gpointer data)
{
  check_failed (__FILE__, __LINE__, "the scenario finished in time (watchdog)");
}

/* Iterates @loop's context until *done is TRUE. */
static void
iterate_until (GtkloopLoop    *loop,
               const gboolean *done)
{
  GMainContext *context = gtkloop_loop_get_context (loop);
  GSource *watchdog = g_timeout_source_new_seconds (WATCHDOG_S);

  g_source_set_callback (watchdog, watchdog_cb, NULL, NULL);
  g_source_attach (watchdog, context);
  while (!*done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
}

/* Runs @task to its end. */
static void
await_from_outside (GtkloopLoop *loop,
                    GtkloopTask *task)
{
  CHECK (gtkloop_loop_run_until_complete (loop, gtkloop_task_get_future (task), NULL));
}

/* A task for a step's body: created again if the first creation was
 * refused (a stack could not be had), which must work then. */
static GtkloopTask *
create_task_retrying (GtkloopLoop    *loop,
                      GtkloopTaskFunc func,
                      gpointer        data)
{
  GtkloopTask *task = gtkloop_loop_create_task (loop, func, data, NULL);
  GtkloopFuture *f = gtkloop_task_get_future (task);

  if (gtkloop_future_is_done (f))
    {
      check_refusal (gtkloop_future_get_error (f));
      gtkloop_task_unref (task);
      task = gtkloop_loop_create_task (loop, func, data, NULL);
      CHECK (!gtkloop_future_is_done (gtkloop_task_get_future (task)));
    }
  return task;
}

/* call_soon bursts and timers ------------------------------------------- */

typedef struct
{
  Record  *records;
  guint    n_accepted;
  guint    n_ran;
  gboolean all_ran;
} Burst;

static Burst *current_burst;

static void
burst_cb (gpointer data)
{
  record_ran (data);
  if (++current_burst->n_ran == current_burst->n_accepted)
    current_burst->all_ran = TRUE;
}

static void
schedule (GtkloopLoop *loop,
          Burst       *burst,
          guint        i)
{
  Record *r = &burst->records[i];
  guint64 id;

  switch (i % 100)
    {
    case 1:
      id = gtkloop_loop_call_later (loop, 0.0, burst_cb, r, record_notified);
      break;
    case 2:
      id = gtkloop_loop_call_at (loop, gtkloop_loop_time (loop), burst_cb, r, record_notified);
      break;
    default:
      id = gtkloop_loop_call_soon (loop, burst_cb, r, record_notified);
      break;
    }
  if (id != 0)
    {
      burst->n_accepted++;
      return;
    }
  /* Refused: a table could not grow. The notify has run, the callback
   * never will. */
  CHECK (fault_injected ());
  CHECK (r->notified == 1);
}

static void
step_call_soon_burst (GtkloopLoop *loop)
{
  Burst burst = { .records = g_new0 (Record, BURST) };

  current_burst = &burst;
  for (guint i = 0; i < BURST; i++)
    schedule (loop, &burst, i);
  CHECK (burst.n_accepted >= BURST - 1);
  iterate_until (loop, &burst.all_ran);
  for (guint i = 0; i < BURST; i++)
    {
      CHECK (burst.records[i].notified == 1);
      CHECK (burst.records[i].ran <= 1);
    }
  CHECK (burst.n_ran == burst.n_accepted);
  current_burst = NULL;
  g_free (burst.records);
}

/* Tasks on shared and guarded stacks ----------------------------------- */

static void
sleeping_task (GtkloopTask *task,
               gpointer     data)
{
  CHECK (gtkloop_sleep (0, NULL));
  record_ran (data);
}

static void
step_tasks (GtkloopLoop *loop)
{
  Record records[2 * N_TASKS] = { { 0 } };
  GtkloopTask *tasks[2 * N_TASKS];
  guint n_failed = 0;

  for (guint i = 0; i < 2 * N_TASKS; i++)
    {
      GtkloopTaskOptions options = { 0 };

      /* Guarded stacks of a size the per-thread cache does not keep, so
       * each is a mapping of its own. */
      options.stack_mode = i % 2 ? GTKLOOP_STACK_GUARDED : GTKLOOP_STACK_SHARED;
      options.stack_size = i % 2 ? 512 * 1024 : 0;
      tasks[i] = gtkloop_loop_create_task_full (loop, sleeping_task, &records[i],
                                                record_notified, &options);
      if (gtkloop_future_is_done (gtkloop_task_get_future (tasks[i])))
        {
          /* API.md: a task already failed, its notify run. */
          check_refusal (gtkloop_future_get_error (gtkloop_task_get_future (tasks[i])));
          CHECK (records[i].notified == 1);
          n_failed++;
        }
    }
  CHECK (n_failed <= 1);
  for (guint i = 0; i < 2 * N_TASKS; i++)
    {
      GtkloopFuture *f = gtkloop_task_get_future (tasks[i]);

      if (!gtkloop_future_is_done (f))
        await_from_outside (loop, tasks[i]);
      CHECK (records[i].notified == 1);
      CHECK (records[i].ran == (gtkloop_future_get_error (f) == NULL));
      gtkloop_task_unref (tasks[i]);
    }
}

/* Executor jobs ---------------------------------------------------------- */

static gpointer
job_func (gpointer      data,
          GCancellable *cancellable,
          GError      **error)
{
  record_ran (data);
  return GINT_TO_POINTER (1);
}

static void
executor_task (GtkloopTask *task,
               gpointer     data)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (2);
  Record records[N_JOBS] = { { 0 } };
  GtkloopFuture *jobs[N_JOBS];
  GtkloopLoop *loop = gtkloop_loop_get_running ();

  CHECK (ex != NULL);
  for (guint i = 0; i < N_JOBS; i++)
    jobs[i] = gtkloop_loop_run_in_executor (loop, ex, job_func, &records[i], record_notified, NULL);
  for (guint i = 0; i < N_JOBS; i++)
    {
      g_autoptr(GError) error = NULL;

      if (gtkloop_await (jobs[i], &error))
        CHECK (gtkloop_future_get_result (jobs[i], NULL) == GINT_TO_POINTER (1));
      else
        {
          /* No worker could be started, and none was running. */
          check_refusal (error);
          CHECK (records[i].ran == 0);
        }
      gtkloop_future_unref (jobs[i]);
    }
  gtkloop_thread_executor_shutdown (ex, TRUE, FALSE);
  for (guint i = 0; i < N_JOBS; i++)
    CHECK (records[i].notified == 1);
}

/* A loop thread ---------------------------------------------------------- */

static void
thread_task (GtkloopTask *task,
             gpointer     data)
{
  /* On the thread's own loop, with the thread's own stacks. */
  CHECK (gtkloop_sleep (0, NULL));
  record_ran (data);
}

static void
step_loop_thread (void)
{
  g_autoptr(GError) error = NULL;
  GtkloopLoopThread *t = gtkloop_loop_thread_start ("fault", &error);
  GtkloopThreadFuture *f;
  Record record = { 0 };

  if (t == NULL)
    {
      check_refusal (error);
      g_clear_error (&error);
      t = gtkloop_loop_thread_start ("fault", &error);
      CHECK (t != NULL);
    }
  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (t), thread_task, &record,
                                   record_notified);
  if (gtkloop_thread_future_wait (f, WATCHDOG_S, &error) == NULL && error != NULL)
    {
      /* The thread's task could not get a stack there. */
      check_refusal (error);
      CHECK (record.ran == 0);
    }
  else
    CHECK (record.ran == 1);
  gtkloop_thread_future_unref (f);
  gtkloop_loop_thread_stop (t);   /* and drops our reference */
  CHECK (record.notified == 1);
}

/* An fd watch ------------------------------------------------------------ */

/* A watch's or a signal handler's callback and its destroy notify. */
typedef struct
{
  gboolean done;
  guint    notified;
} Flag;

static void
flag_set (gpointer data)
{
  ((Flag *) data)->done = TRUE;
}

static void
flag_notified (gpointer data)
{
  ((Flag *) data)->notified++;
}

static void
step_fd_watch (GtkloopLoop *loop)
{
  g_autoptr(GError) error = NULL;
  int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  guint64 one = 1;
  Flag flag = { 0 };

  CHECK (efd >= 0);
  if (!gtkloop_loop_add_reader (loop, efd, flag_set, &flag, flag_notified, &error))
    {
      /* The loop's first watch needs its epoll fd. */
      check_refusal (error);
      CHECK (flag.notified == 1);
      flag.notified = 0;
      g_clear_error (&error);
      CHECK (gtkloop_loop_add_reader (loop, efd, flag_set, &flag, flag_notified, &error));
    }
  CHECK (write (efd, &one, sizeof one) == sizeof one);
  iterate_until (loop, &flag.done);
  CHECK (gtkloop_loop_remove_reader (loop, efd));
  CHECK (flag.notified == 1);
  close (efd);
}

/* A TCP server and a connection ------------------------------------------ */

static void
echo_handler (GtkloopStreamReader *reader,
              GtkloopStreamWriter *writer,
              gpointer             data)
{
  g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);

  record_ran (data);
  if (line != NULL)
    gtkloop_stream_writer_write_bytes (writer, line, NULL);
  gtkloop_stream_writer_close (writer);
}

static GtkloopStreamServer *
start_server (Record *record)
{
  g_autoptr(GError) error = NULL;
  GtkloopStreamServer *server = gtkloop_start_server (echo_handler, record, record_notified,
                                                      "127.0.0.1", 0, &error);

  if (server == NULL)
    {
      check_refusal (error);
      CHECK (record->notified == 1);
      record->notified = 0;
      g_clear_error (&error);
      server = gtkloop_start_server (echo_handler, record, record_notified, "127.0.0.1", 0, &error);
      CHECK (server != NULL);
    }
  return server;
}

/* One exchange; FALSE if the connection could not be made or the server
 * could not serve it, which must have been injected. */
static gboolean
exchange (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GBytes) line = NULL;
  gboolean echoed;

  if (!gtkloop_open_connection ("127.0.0.1", port, &reader, &writer, &error))
    {
      check_refusal (error);
      return FALSE;
    }
  CHECK (gtkloop_stream_writer_write (writer, "ping\n", 5, &error));
  line = gtkloop_stream_reader_readline (reader, &error);
  echoed = line != NULL && g_bytes_get_size (line) == 5 &&
           memcmp (g_bytes_get_data (line, NULL), "ping\n", 5) == 0;
  if (!echoed)
    CHECK (fault_injected ());   /* the handler's task could not get a stack */
  g_clear_error (&error);
  gtkloop_stream_writer_close (writer);
  gtkloop_stream_writer_wait_closed (writer, NULL);
  return echoed;
}

static void
tcp_task (GtkloopTask *task,
          gpointer     data)
{
  Record record = { 0 };
  GtkloopStreamServer *server = start_server (&record);
  guint16 port = gtkloop_stream_server_get_port (server);

  if (!exchange (port))
    CHECK (exchange (port));
  gtkloop_stream_server_close (server);
  CHECK (gtkloop_stream_server_wait_closed (server, NULL));
  gtkloop_stream_server_unref (server);
  CHECK (record.notified == 1);
  CHECK (record.ran >= 1);
}

/* A signal through the wake-up pipe --------------------------------------- */

static void
step_signal (GtkloopLoop *loop)
{
  g_autoptr(GError) error = NULL;
  Flag flag = { 0 };

  /* SIGURG is not among the signals GLib shares out, so it takes the
   * loop's own handler and pipe; ignored by default, should it stray. */
  if (!gtkloop_loop_add_signal_handler (loop, SIGURG, flag_set, &flag, flag_notified, &error))
    {
      check_refusal (error);
      CHECK (flag.notified == 1);
      flag.notified = 0;
      g_clear_error (&error);
      CHECK (gtkloop_loop_add_signal_handler (loop, SIGURG, flag_set, &flag, flag_notified, &error));
    }
  CHECK (raise (SIGURG) == 0);
  iterate_until (loop, &flag.done);
  CHECK (gtkloop_loop_remove_signal_handler (loop, SIGURG));
  CHECK (flag.notified == 1);
}

/* A subprocess with a pipe ------------------------------------------------ */

static void
subprocess_task (GtkloopTask *task,
                 gpointer     data)
{
  const char *argv[] = { "echo", "hi", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  GtkloopSubprocess *proc;

  proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (proc == NULL)
    {
      CHECK (fault_injected ());
      CHECK (error != NULL);
      g_clear_error (&error);
      proc = gtkloop_create_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      CHECK (proc != NULL);
    }
  if (gtkloop_subprocess_communicate (proc, NULL, &out, NULL, &error))
    CHECK (g_bytes_get_size (out) == 3 && memcmp (g_bytes_get_data (out, NULL), "hi\n", 3) == 0);
  else
    check_refusal (error);   /* the reading task could not get a stack */
  gtkloop_subprocess_unref (proc);
}

/* The loop goes on -------------------------------------------------------- */

static void
step_still_running (GtkloopLoop *loop)
{
  Record record = { 0 };
  Flag flag = { 0 };
  GtkloopTask *task;

  if (gtkloop_loop_call_soon (loop, flag_set, &flag, NULL) == 0)
    CHECK (gtkloop_loop_call_soon (loop, flag_set, &flag, NULL) != 0);
  iterate_until (loop, &flag.done);
  task = create_task_retrying (loop, sleeping_task, &record);
  await_from_outside (loop, task);
  gtkloop_task_unref (task);
  CHECK (record.ran == 1);
}

static void
run_step_task (GtkloopLoop    *loop,
               GtkloopTaskFunc func)
{
  GtkloopTask *task = create_task_retrying (loop, func, NULL);

  await_from_outside (loop, task);
  gtkloop_task_unref (task);
}

static void
scenario (void)
{
  GMainContext *context = g_main_context_new ();
  GtkloopLoop *loop;

  /* GIO calls back in the thread-default context: the loop's. */
  g_main_context_push_thread_default (context);
  loop = gtkloop_loop_new (context);
  step_call_soon_burst (loop);
  step_tasks (loop);
  run_step_task (loop, executor_task);
  step_loop_thread ();
  step_fd_watch (loop);
  run_step_task (loop, tcp_task);
  step_signal (loop);
  run_step_task (loop, subprocess_task);
  step_still_running (loop);
  gtkloop_loop_close (loop);
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* GLib's and GIO's own one-time set-up, which keeps fds open for good:
 * done first with GLib alone, so the fds counted around the scenario are
 * the library's, and no gtkloop state is made warm. */
static void
warm_up_glib (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new ("/nonexistent/gtkloop.sock");

  /* The global default context, which GLib makes the first time any
   * thread asks for it. */
  (void) g_main_context_default ();
  CHECK (proc != NULL);
  CHECK (g_subprocess_wait (proc, NULL, NULL));
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  CHECK (connection == NULL);
}

/* The open fds, one "fd -> target" a line, for a report. */
static char *
list_fds (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  GString *out = g_string_new (NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      g_string_append_printf (out, "  fd %s -> %s\n", name, target ? target : "?");
    }
  g_dir_close (dir);
  return g_string_free (out, FALSE);
}

static gboolean
has_pidfd (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  gboolean found = FALSE;

  while (!found && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      found = g_strcmp0 (target, "anon_inode:[pidfd]") == 0;
    }
  g_dir_close (dir);
  return found;
}

/* GLib's worker thread closes the pidfd of a child it watched a moment
 * after reaping it. */
static void
wait_for_glib_reaping (void)
{
  for (guint i = 0; i < 500 && has_pidfd (); i++)
    g_usleep (10 * 1000);
  CHECK (!has_pidfd ());
}

/* The same after the scenario: TRUE once the count is back. */
static gboolean
fds_settle (guint fds_before)
{
  for (guint i = 0; i < 500; i++)
    {
      if (test_count_open_fds () == fds_before)
        return TRUE;
      g_usleep (10 * 1000);
    }
  return FALSE;
}

static int
run_child (FaultFamily family,
           guint       n)
{
  GtkloopDebugCounters before;
  guint fds_before, n_warnings;
  g_autofree char *fds_listed = NULL;
  gboolean injected;

  current_family = family;
  current_n = n;
  warm_up_glib ();
  wait_for_glib_reaping ();
  gtkloop_debug_counters_snapshot (&before);
  fds_before = test_count_open_fds ();
  fds_listed = list_fds ();
  /* The library's warnings name what could not be had; they are expected
   * here, counted and kept off the output. Criticals stay fatal. */
  test_warnings_begin ();
  fault_arm (family, n);
  scenario ();
  fault_disarm ();
  n_warnings = test_warnings_end ();
  injected = fault_injected ();

  if (!gtkloop_debug_counters_equal (&before))
    {
      g_autofree char *what = gtkloop_debug_counters_describe (&before);

      fprintf (stderr, "leaked: %s\n", what);
      check_failed (__FILE__, __LINE__, "the counters are back to zero");
    }
  if (!fds_settle (fds_before))
    {
      g_autofree char *now = list_fds ();

      fprintf (stderr, "open before:\n%sopen after:\n%s", fds_listed, now);
      check_failed (__FILE__, __LINE__, "no fd is left open");
    }
  CHECK (injected || n_warnings == 0);
  if (injected && n_warnings > 0)
    printf ("  %s #%u: %s\n", fault_family_name (family), n, test_warnings_last ());
  return injected ? RUN_INJECTED : RUN_NOT_INJECTED;
}

/* The parent's side: N = 1, 2, ... until a run sees no failure. */
static void
run_family (FaultFamily family)
{
  guint n;

  for (n = 1; n <= MAX_N; n++)
    {
      int status;
      pid_t pid;

      fflush (stdout);
      fflush (stderr);
      pid = fork ();
      assert_true (pid >= 0);
      if (pid == 0)
        {
          int code = run_child (family, n);

          fflush (stdout);
          exit (code);   /* exit, not _exit: LeakSanitizer checks the child too */
        }
      assert_int_equal (waitpid (pid, &status, 0), pid);
      if (!WIFEXITED (status))
        fail_msg ("%s: the run failing call %u died of signal %d",
                  fault_family_name (family), n, WTERMSIG (status));
      if (WEXITSTATUS (status) == RUN_NOT_INJECTED)
        break;
      if (WEXITSTATUS (status) != RUN_INJECTED)
        fail_msg ("%s: the run failing call %u exited with %d",
                  fault_family_name (family), n, WEXITSTATUS (status));
    }
  assert_true (n <= MAX_N);
  /* The scenario makes at least one call of every family. */
  assert_true (n >= 2);
  printf ("fault-injection: %s: calls 1 to %u each failed in turn; run %u saw no failure\n",
          fault_family_name (family), n - 1, n);
}

static void
test_mmap (void **state)
{
  run_family (FAULT_MMAP);
}

static void
test_mprotect (void **state)
{
  run_family (FAULT_MPROTECT);
}

static void
test_pthread_create (void **state)
{
  run_family (FAULT_PTHREAD_CREATE);
}

static void
test_epoll_create1 (void **state)
{
  run_family (FAULT_EPOLL_CREATE1);
}

static void
test_pipe2 (void **state)
{
  run_family (FAULT_PIPE2);
}

static void
test_open_pipe (void **state)
{
  run_family (FAULT_OPEN_PIPE);
}

static void
test_socket (void **state)
{
  run_family (FAULT_SOCKET);
}

/* `test-fault-injection FAMILY N` makes one run in this process, for a
 * debugger: FAMILY as printed (mmap, socket, ...). */
static int
run_one (const char *name,
         const char *n)
{
  for (guint f = 0; f < FAULT_N_FAMILIES; f++)
    if (g_str_equal (name, fault_family_name (f)))
      return run_child (f, (guint) g_ascii_strtoull (n, NULL, 10));
  fprintf (stderr, "no family %s\n", name);
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_mmap),
    cmocka_unit_test (test_mprotect),
    cmocka_unit_test (test_pthread_create),
    cmocka_unit_test (test_epoll_create1),
    cmocka_unit_test (test_pipe2),
    cmocka_unit_test (test_open_pipe),
    cmocka_unit_test (test_socket),
  };

  if (argc == 3)
    return run_one (argv[1], argv[2]);
  return cmocka_run_group_tests (tests, NULL, NULL);
}
