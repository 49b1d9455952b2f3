/* GIO, awaited: the two-statement form, several operations in flight,
 * gtkloop_await_result, cancellation of a pending GIO operation and the
 * fresh cancellable after an uncancel (twin: twins/gio_cancel.py), misuse,
 * and each ready-made awaitable against real files in a temporary
 * directory, real streams and the local resolver. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

static char *tmp_dir;   /* made by the group setup, removed by its teardown */

/* ---------------------------------------------------------------------- */
/* Fixtures and helpers                                                    */

/* GIO calls back in the thread-default context: make it the loop's, as
 * gtkloop_run does. */
static int
setup (void **state)
{
  TestFixture *fx;

  test_fixture_setup (state);
  fx = *state;
  g_main_context_push_thread_default (gtkloop_loop_get_context (fx->loop));
  return 0;
}

static int
teardown (void **state)
{
  TestFixture *fx = *state;

  g_main_context_pop_thread_default (gtkloop_loop_get_context (fx->loop));
  return test_fixture_teardown (state);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static int
group_setup (void **state)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("gtkloop-test-gio-XXXXXX", &error);
  return tmp_dir != NULL ? 0 : -1;
}

static int
group_teardown (void **state)
{
  remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  return 0;
}

static GFile *
tmp_file (const char *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

  return g_file_new_for_path (path);
}

static GFile *
tmp_file_with (const char *name,
               const char *contents,
               gssize      length)
{
  GFile *file = tmp_file (name);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, length, &error))
    fail_msg ("%s", error->message);
  return file;
}

static char *
read_all (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

/* The names in the temporary directory, sorted, joined by spaces. */
static char *
list_tmp_dir (void)
{
  GDir *dir = g_dir_open (tmp_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
clear_tmp_dir (void)
{
  remove_tree (tmp_dir);
  g_mkdir (tmp_dir, 0700);
}

/* Runs func as a task of the fixture's loop to its end. */
static GtkloopTask *
run_task (TestFixture    *fx,
          GtkloopTaskFunc func,
          gpointer        data)
{
  GtkloopTask *task = gtkloop_loop_create_task (fx->loop, func, data, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL, 10);
  assert_true (gtkloop_future_is_done (GTKLOOP_FUTURE (task)));
  return task;
}

/* Iterates until the late GIO callbacks have run and freed what they held:
 * the debug counters are back where they were at the start of the test. */
static void
settle (TestFixture                *fx,
        const GtkloopDebugCounters *start)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!gtkloop_debug_counters_equal (start))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *what = gtkloop_debug_counters_describe (start);

          fail_msg ("GIO callbacks did not settle: %s", what);
        }
      g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
      g_usleep (1000);
    }
}

/* A pipe nobody writes to unless the test does: reads stay pending until
 * cancelled. One end of a socket pair, read through GIO's socket stream;
 * the test writes to the other end's fd. */
typedef struct
{
  GSocketConnection *connection;
  GInputStream      *in;         /* (unowned): the connection's */
  int                write_fd;
} Pipe;

static void
pipe_open (Pipe *p)
{
  g_autoptr(GSocket) socket = NULL;
  int fds[2];

  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  socket = g_socket_new_from_fd (fds[0], NULL);
  assert_non_null (socket);
  p->connection = g_socket_connection_factory_create_connection (socket);
  p->in = g_io_stream_get_input_stream (G_IO_STREAM (p->connection));
  p->write_fd = fds[1];
}

static void
pipe_close (Pipe *p)
{
  g_clear_object (&p->connection);
  close (p->write_fd);
}

/* ---------------------------------------------------------------------- */
/* The two-statement form                                                  */

typedef struct
{
  GFile        *file;
  char         *contents;
  GCancellable *passed;   /* the cancellable given to GIO */
  gboolean      ok;
} LoadJob;

static void
load_contents_task (GtkloopTask *task,
                    gpointer     data)
{
  LoadJob *job = data;
  g_autoptr(GError) error = NULL;
  gsize length;

  job->passed = g_object_ref (gtkloop_get_cancellable ());
  g_file_load_contents_async (job->file, job->passed, gtkloop_gio_ready, gtkloop_gio_begin ());
  g_autoptr(GAsyncResult) res = gtkloop_await_gio (&error);
  job->ok = res != NULL && g_file_load_contents_finish (job->file, res, &job->contents, &length,
                                                        NULL, &error);
  assert_null (error);
  assert_ptr_equal (job->passed, gtkloop_task_get_cancellable (task));
}

static void
test_two_statements (void **state)
{
  TestFixture *fx = *state;
  LoadJob *job = g_new0 (LoadJob, 1);
  g_autoptr(GtkloopTask) task = NULL;

  job->file = tmp_file_with ("two-statements", "hello", -1);
  task = run_task (fx, load_contents_task, job);
  assert_true (job->ok);
  assert_string_equal (job->contents, "hello");
  assert_false (g_cancellable_is_cancelled (job->passed));

  g_object_unref (job->passed);
  g_object_unref (job->file);
  g_free (job->contents);
  g_free (job);
  clear_tmp_dir ();
}

/* ---------------------------------------------------------------------- */
/* Several operations in flight                                            */

typedef struct
{
  GFile    *a, *b;
  char     *contents_a, *contents_b;
  gboolean  both_pending;
} TwoLoads;

static void
two_loads_task (GtkloopTask *task,
                gpointer     data)
{
  TwoLoads *job = data;
  g_autoptr(GtkloopFuture) fa = gtkloop_gio_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));
  g_autoptr(GtkloopFuture) fb = gtkloop_gio_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));
  g_autoptr(GError) error = NULL;
  GAsyncResult *res;

  g_file_load_contents_async (job->a, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_future_ref (fa));
  g_file_load_contents_async (job->b, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_future_ref (fb));
  job->both_pending = !gtkloop_future_is_done (fa) && !gtkloop_future_is_done (fb);

  /* b first: the order of the awaits need not be the order of the calls. */
  res = gtkloop_await_result (fb, &error);
  assert_non_null (res);
  assert_true (g_file_load_contents_finish (job->b, res, &job->contents_b, NULL, NULL, &error));
  res = gtkloop_await_result (fa, &error);
  assert_non_null (res);
  assert_true (g_file_load_contents_finish (job->a, res, &job->contents_a, NULL, NULL, &error));
}

static void
test_two_in_flight (void **state)
{
  TestFixture *fx = *state;
  TwoLoads *job = g_new0 (TwoLoads, 1);
  g_autoptr(GtkloopTask) task = NULL;

  job->a = tmp_file_with ("a", "first", -1);
  job->b = tmp_file_with ("b", "second", -1);
  task = run_task (fx, two_loads_task, job);
  assert_true (job->both_pending);
  assert_string_equal (job->contents_a, "first");
  assert_string_equal (job->contents_b, "second");

  g_object_unref (job->a);
  g_object_unref (job->b);
  g_free (job->contents_a);
  g_free (job->contents_b);
  g_free (job);
  clear_tmp_dir ();
}

/* ---------------------------------------------------------------------- */
/* gtkloop_await_result                                                    */

static void
resolve_later (gpointer data)
{
  gtkloop_future_set_result (data, (gpointer) "value", NULL);
}

static void
await_result_task (GtkloopTask *task,
                   gpointer     data)
{
  GtkloopLoop *loop = gtkloop_future_get_loop (GTKLOOP_FUTURE (task));
  g_autoptr(GtkloopFuture) with_value = gtkloop_future_new (loop);
  g_autoptr(GtkloopFuture) with_null = gtkloop_future_new (loop);
  g_autoptr(GtkloopFuture) failed = gtkloop_future_new (loop);
  g_autoptr(GError) error = NULL;

  /* Pending: a real suspension. */
  gtkloop_loop_call_soon (loop, resolve_later, with_value, NULL);
  assert_string_equal (gtkloop_await_result (with_value, &error), "value");
  assert_null (error);

  /* A NULL result is NULL with no error. */
  gtkloop_future_set_result (with_null, NULL, NULL);
  assert_null (gtkloop_await_result (with_null, &error));
  assert_null (error);

  gtkloop_future_set_error (failed, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
  assert_null (gtkloop_await_result (failed, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
}

static void
test_await_result (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopTask) task = run_task (fx, await_result_task, NULL);

  assert_false (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  assert_null (gtkloop_await_result (f, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
}

/* ---------------------------------------------------------------------- */
/* Cancellation mid-operation, then uncancel (twin: gio_cancel.py)          */

typedef struct
{
  TestFixture  *fx;
  Pipe          pipe;
  char         *buffer;        /* heap: GIO writes into it while the task is suspended */
  GCancellable *first;         /* given to the read that is cancelled */
  GCancellable *second;        /* given to the read after the uncancel */
} CancelJob;

static CancelJob *
cancel_job_new (TestFixture *fx)
{
  CancelJob *job = g_new0 (CancelJob, 1);

  job->fx = fx;
  job->buffer = g_malloc0 (16);
  pipe_open (&job->pipe);
  return job;
}

static void
cancel_job_free (CancelJob *job)
{
  g_clear_object (&job->first);
  g_clear_object (&job->second);
  pipe_close (&job->pipe);
  g_free (job->buffer);
  g_free (job);
}

static void
reader_task (GtkloopTask *task,
             gpointer     data)
{
  CancelJob *job = data;
  g_autoptr(GError) error = NULL;
  GAsyncResult *res;
  gssize n;

  test_print (job->fx, "reader: waiting");
  job->first = g_object_ref (gtkloop_get_cancellable ());
  g_input_stream_read_async (job->pipe.in, job->buffer, 16, G_PRIORITY_DEFAULT, job->first,
                             gtkloop_gio_ready, gtkloop_gio_begin ());
  res = gtkloop_await_gio (&error);
  assert_null (res);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  test_print (job->fx, "reader: cancelled");
  g_clear_error (&error);
  test_print (job->fx, "reader: uncancel -> %u", gtkloop_task_uncancel (task));

  /* The cancelled read gives the stream back once GIO has called back. */
  while (g_input_stream_has_pending (job->pipe.in))
    assert_true (gtkloop_sleep (0.001, NULL));

  job->second = g_object_ref (gtkloop_get_cancellable ());
  g_input_stream_read_async (job->pipe.in, job->buffer, 16, G_PRIORITY_DEFAULT, job->second,
                             gtkloop_gio_ready, gtkloop_gio_begin ());
  res = gtkloop_await_gio (&error);
  assert_non_null (res);
  n = g_input_stream_read_finish (job->pipe.in, res, &error);
  g_object_unref (res);
  test_print (job->fx, "reader: read %d bytes: %.*s", (int) n, (int) n, job->buffer);
}

static void
cancel_main (GtkloopTask *task,
             gpointer     data)
{
  CancelJob *job = data;
  g_autoptr(GtkloopTask) reader = gtkloop_loop_create_task (job->fx->loop, reader_task, job, NULL);

  gtkloop_sleep (0.05, NULL);
  test_print (job->fx, "main: cancel -> %s", gtkloop_task_cancel (reader, NULL) ? "True" : "False");
  gtkloop_sleep (0.05, NULL);
  assert_int_equal (write (job->pipe.write_fd, "hi", 2), 2);
  test_print (job->fx, "main: wrote 2 bytes");
  gtkloop_await (GTKLOOP_FUTURE (reader), NULL);
  test_print (job->fx, "main: reader cancelled %s",
              gtkloop_future_is_cancelled (GTKLOOP_FUTURE (reader)) ? "True" : "False");
}

static void
test_cancel_then_uncancel (void **state)
{
  TestFixture *fx = *state;
  CancelJob *job = cancel_job_new (fx);
  g_autoptr(GtkloopTask) task = NULL;
  GtkloopDebugCounters start;

  gtkloop_debug_counters_snapshot (&start);
  task = run_task (fx, cancel_main, job);

  /* The GIO read saw its cancellable cancelled; the next one got a new,
   * live cancellable. */
  assert_true (g_cancellable_is_cancelled (job->first));
  assert_ptr_not_equal (job->first, job->second);
  assert_false (g_cancellable_is_cancelled (job->second));
  test_assert_matches_twin ("gio_cancel", fx->out->str);

  g_clear_pointer (&task, gtkloop_task_unref);
  settle (fx, &start);
  cancel_job_free (job);
}

/* A task cancelled while its read waits ends cancelled; the late callback
 * (which GIO makes with G_IO_ERROR_CANCELLED) changes nothing and leaks
 * nothing. */
static void
cancelled_reader_task (GtkloopTask *task,
                       gpointer     data)
{
  CancelJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  job->first = g_object_ref (gtkloop_get_cancellable ());
  g_input_stream_read_async (job->pipe.in, job->buffer, 16, G_PRIORITY_DEFAULT, job->first,
                             gtkloop_gio_ready, gtkloop_gio_begin ());
  res = gtkloop_await_gio (&error);
  assert_null (res);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

static void
test_cancel_mid_operation (void **state)
{
  TestFixture *fx = *state;
  CancelJob *job = cancel_job_new (fx);
  g_autoptr(GtkloopTask) task = NULL;
  GtkloopDebugCounters start;

  gtkloop_debug_counters_snapshot (&start);
  task = gtkloop_loop_create_task (fx->loop, cancelled_reader_task, job, NULL);
  while (job->first == NULL || !g_input_stream_has_pending (job->pipe.in))
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
  assert_true (gtkloop_task_cancel (task, "stop reading"));
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL, 10);

  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  assert_true (g_cancellable_is_cancelled (job->first));
  g_clear_pointer (&task, gtkloop_task_unref);
  settle (fx, &start);
  /* The GIO read is over: GIO only ends it by cancellation here. */
  assert_false (g_input_stream_has_pending (job->pipe.in));

  cancel_job_free (job);
}

/* A task that begins an operation and returns without awaiting it leaks
 * nothing: the operation is dropped when the task ends. */
static void
begin_and_return_task (GtkloopTask *task,
                       gpointer     data)
{
  g_file_load_contents_async (data, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_gio_begin ());
}

static void
test_begin_never_awaited (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GFile) file = tmp_file_with ("never-awaited", "x", -1);
  GtkloopDebugCounters start;

  gtkloop_debug_counters_snapshot (&start);
  gtkloop_task_unref (run_task (fx, begin_and_return_task, file));
  settle (fx, &start);
  clear_tmp_dir ();
}

/* ---------------------------------------------------------------------- */
/* Misuse                                                                  */

typedef struct
{
  GFile    *file;
  gboolean  done;
} MisuseJob;

static void
misuse_task (GtkloopTask *task,
             gpointer     data)
{
  MisuseJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *contents = NULL;
  gpointer first;

  /* Await without begin. */
  assert_null (gtkloop_await_gio (&error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE));
  g_clear_error (&error);

  /* Begin twice: the second is refused; the first still works. */
  first = gtkloop_gio_begin ();
  assert_non_null (first);
  test_criticals_begin ();
  assert_null (gtkloop_gio_begin ());
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_gio_begin"));
  g_file_load_contents_async (job->file, gtkloop_get_cancellable (), gtkloop_gio_ready, first);
  res = gtkloop_await_gio (&error);
  assert_non_null (res);
  assert_true (g_file_load_contents_finish (job->file, res, &contents, NULL, NULL, &error));
  job->done = TRUE;
}

static void
test_misuse (void **state)
{
  TestFixture *fx = *state;
  MisuseJob *job = g_new0 (MisuseJob, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTask) task = NULL;

  /* Outside a task. */
  assert_null (gtkloop_get_cancellable ());
  test_criticals_begin ();
  assert_null (gtkloop_gio_begin ());
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "called outside a task"));
  assert_null (gtkloop_await_gio (&error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);
  job->file = tmp_file_with ("misuse", "m", -1);
  assert_null (gtkloop_file_load_bytes (job->file, NULL, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));

  task = run_task (fx, misuse_task, job);
  assert_true (job->done);
  g_object_unref (job->file);
  g_free (job);
  clear_tmp_dir ();
}

/* Debug mode says when GIO would call back in a context that is not the
 * loop's (here: the global default, since the loop's is popped). */
static void
begin_only_task (GtkloopTask *task,
                 gpointer     data)
{
  gpointer operation = gtkloop_gio_begin ();

  /* Never handed to GIO: complete it as GIO would, without a result. */
  gtkloop_future_cancel (operation, NULL);
  gtkloop_future_unref (operation);
}

static void
test_debug_context_warning (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);

  gtkloop_loop_set_debug (fx->loop, TRUE);
  g_main_context_pop_thread_default (context);
  test_warnings_begin ();
  gtkloop_task_unref (run_task (fx, begin_only_task, NULL));
  assert_int_equal (test_warnings_end (), 1);
  assert_non_null (strstr (test_warnings_last (), "thread-default main context"));
  g_main_context_push_thread_default (context);

  /* With the loop's context thread-default, no warning. */
  test_warnings_begin ();
  gtkloop_task_unref (run_task (fx, begin_only_task, NULL));
  assert_int_equal (test_warnings_end (), 0);
}

/* ---------------------------------------------------------------------- */
/* Ready-made awaitables                                                   */

typedef struct
{
  GFile  *file;
  GBytes *bytes;
  char   *etag;
  GError *error;
} BytesJob;

static void
load_bytes_task (GtkloopTask *task,
                 gpointer     data)
{
  BytesJob *job = data;

  job->bytes = gtkloop_file_load_bytes (job->file, &job->etag, &job->error);
}

static void
test_file_load_bytes (void **state)
{
  TestFixture *fx = *state;
  BytesJob job = { 0 };   /* the task reaches it only while the test's own stack is live */

  job.file = tmp_file_with ("load", "contents\0with a nul", 19);
  gtkloop_task_unref (run_task (fx, load_bytes_task, &job));
  assert_null (job.error);
  assert_int_equal (g_bytes_get_size (job.bytes), 19);
  assert_memory_equal (g_bytes_get_data (job.bytes, NULL), "contents\0with a nul", 19);
  assert_non_null (job.etag);
  g_clear_pointer (&job.bytes, g_bytes_unref);
  g_clear_pointer (&job.etag, g_free);
  g_object_unref (job.file);

  job.file = tmp_file ("missing");
  gtkloop_task_unref (run_task (fx, load_bytes_task, &job));
  assert_null (job.bytes);
  assert_true (g_error_matches (job.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  g_clear_error (&job.error);
  g_object_unref (job.file);
  clear_tmp_dir ();
}

typedef struct
{
  GFile    *file;
  GBytes   *contents;
  char     *new_etag;
  gboolean  ok;
  GError   *error;
  int       yields_before_cancel;   /* or, if 0: */
  double    seconds_before_cancel;
} ReplaceJob;

static void
replace_task (GtkloopTask *task,
              gpointer     data)
{
  ReplaceJob *job = data;

  job->ok = gtkloop_file_replace_contents_bytes (job->file, job->contents, NULL, FALSE,
                                                 G_FILE_CREATE_NONE, &job->new_etag, &job->error);
}

static void
test_file_replace (void **state)
{
  TestFixture *fx = *state;
  ReplaceJob job = { 0 };
  g_autofree char *contents = NULL;
  g_autofree char *names = NULL;

  job.file = tmp_file_with ("replace", "old", -1);
  job.contents = g_bytes_new_static ("new contents", 12);
  gtkloop_task_unref (run_task (fx, replace_task, &job));
  assert_true (job.ok);
  assert_null (job.error);
  assert_non_null (job.new_etag);
  contents = read_all (job.file);
  assert_string_equal (contents, "new contents");
  names = list_tmp_dir ();
  assert_string_equal (names, "replace");

  g_free (job.new_etag);
  g_bytes_unref (job.contents);
  g_object_unref (job.file);
  clear_tmp_dir ();
}

static void
cancel_writer_later (GtkloopTask *task,
                     gpointer     data)
{
  ReplaceJob *job = data;
  GtkloopTask *writer = gtkloop_loop_create_task (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)),
                                                  replace_task, job, NULL);

  for (int i = 0; i < job->yields_before_cancel; i++)
    gtkloop_sleep (0, NULL);
  if (job->yields_before_cancel == 0)
    gtkloop_sleep (job->seconds_before_cancel, NULL);
  gtkloop_task_cancel (writer, NULL);
  gtkloop_await (GTKLOOP_FUTURE (writer), NULL);
  gtkloop_task_unref (writer);
}

/* Cancelled at each point of its course: the file keeps its old contents
 * (or, cancelled after the rename, has all the new ones), and no
 * temporary file is left when the call returns. */
static void
test_file_replace_cancelled (void **state)
{
  TestFixture *fx = *state;
  gsize size = 4 * 1024 * 1024;
  g_autofree char *big = g_malloc (size);
  guint n_cancelled_old = 0;

  memset (big, 'n', size);
  /* 1 to 4 iterations (from 1: a task cancelled before its first step
   * never runs), then 0.5 ms to 0.5 s. */
  for (int attempt = 0; attempt < 15; attempt++)
    {
      ReplaceJob job = { 0 };

      if (attempt < 4)
        job.yields_before_cancel = attempt + 1;
      else
        job.seconds_before_cancel = 0.0005 * (1 << (attempt - 4));
      g_autofree char *contents = NULL;
      g_autofree char *names = NULL;

      job.file = tmp_file_with ("replace", "old", -1);
      job.contents = g_bytes_new_static (big, size);
      gtkloop_task_unref (run_task (fx, cancel_writer_later, &job));

      /* Listed as soon as the call returned: nothing left to settle. */
      names = list_tmp_dir ();
      assert_string_equal (names, "replace");
      contents = read_all (job.file);
      if (job.ok)
        assert_int_equal (strlen (contents), size);
      else
        {
          if (!g_error_matches (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            fail_msg ("attempt %d: %s", attempt, job.error ? job.error->message : "no error");
          assert_true (strcmp (contents, "old") == 0 || strlen (contents) == size);
          n_cancelled_old += strcmp (contents, "old") == 0;
        }
      g_clear_error (&job.error);
      g_free (job.new_etag);
      g_bytes_unref (job.contents);
      g_object_unref (job.file);
      clear_tmp_dir ();
    }
  /* Cancelled before it was written, at least. */
  assert_true (n_cancelled_old > 0);
}

/* A write that fails half-way (the file size limit) leaves the old
 * contents: g_file_replace_contents_bytes_async would rename the partial
 * temporary file over them. */
static void
test_file_replace_failed (void **state)
{
  TestFixture *fx = *state;
  ReplaceJob job = { 0 };
  gsize size = 1024 * 1024;
  g_autofree char *big = g_malloc (size);
  g_autofree char *contents = NULL;
  g_autofree char *names = NULL;
  struct rlimit saved, limited;
  void (*saved_handler) (int);

  memset (big, 'n', size);
  job.file = tmp_file_with ("replace", "old", -1);
  job.contents = g_bytes_new_static (big, size);

  assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
  limited = saved;
  limited.rlim_cur = 64 * 1024;
  saved_handler = signal (SIGXFSZ, SIG_IGN);   /* write () then fails with EFBIG */
  assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
  gtkloop_task_unref (run_task (fx, replace_task, &job));
  assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
  signal (SIGXFSZ, saved_handler);

  assert_false (job.ok);
  assert_non_null (job.error);
  contents = read_all (job.file);
  assert_string_equal (contents, "old");
  names = list_tmp_dir ();
  assert_string_equal (names, "replace");

  g_clear_error (&job.error);
  g_bytes_unref (job.contents);
  g_object_unref (job.file);
  clear_tmp_dir ();
}

typedef struct
{
  GFile    *source, *destination;
  gboolean  ok;
  GError   *error;
  GThread  *loop_thread;
  guint     n_calls;
  guint     n_off_thread;
  goffset   last_current, last_total;
} CopyJob;

static void
copy_progress (goffset  current,
               goffset  total,
               gpointer data)
{
  CopyJob *job = data;

  job->n_calls++;
  job->n_off_thread += g_thread_self () != job->loop_thread;
  assert_true (current >= job->last_current);
  job->last_current = current;
  job->last_total = total;
}

static void
copy_task (GtkloopTask *task,
           gpointer     data)
{
  CopyJob *job = data;

  job->ok = gtkloop_file_copy (job->source, job->destination, G_FILE_COPY_NONE,
                               copy_progress, job, &job->error);
}

static void
test_file_copy (void **state)
{
  TestFixture *fx = *state;
  CopyJob *job = g_new0 (CopyJob, 1);   /* heap: the progress callback runs while the task is suspended */
  gsize size = 3 * 1024 * 1024 + 17;
  g_autofree char *data = g_malloc (size);
  g_autofree char *copied = NULL;
  gsize copied_size = 0;
  g_autofree char *path = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 7);
  job->source = tmp_file_with ("source", data, size);
  job->destination = tmp_file ("destination");
  job->loop_thread = g_thread_self ();
  gtkloop_task_unref (run_task (fx, copy_task, job));

  assert_true (job->ok);
  assert_null (job->error);
  assert_true (job->n_calls > 0);
  assert_int_equal (job->n_off_thread, 0);
  assert_int_equal (job->last_total, size);
  assert_int_equal (job->last_current, size);
  path = g_file_get_path (job->destination);
  assert_true (g_file_get_contents (path, &copied, &copied_size, NULL));
  assert_int_equal (copied_size, size);
  assert_memory_equal (copied, data, size);

  g_object_unref (job->source);
  g_object_unref (job->destination);
  g_free (job);
  clear_tmp_dir ();
}

typedef struct
{
  GList  *addresses;
  GError *error;
} ResolveJob;

static void
resolve_task (GtkloopTask *task,
              gpointer     data)
{
  ResolveJob *job = data;

  job->addresses = gtkloop_resolver_lookup_by_name (NULL, "localhost", &job->error);
}

static void
test_resolve_localhost (void **state)
{
  TestFixture *fx = *state;
  ResolveJob job = { 0 };

  gtkloop_task_unref (run_task (fx, resolve_task, &job));
  assert_null (job.error);
  assert_non_null (job.addresses);
  for (GList *l = job.addresses; l != NULL; l = l->next)
    {
      assert_true (G_IS_INET_ADDRESS (l->data));
      assert_true (g_inet_address_get_is_loopback (l->data));
    }
  g_resolver_free_addresses (job.addresses);
}

typedef struct
{
  GInputStream *stream;
  GArray       *sizes;    /* of gsize: each chunk's size, 0 last */
  GString      *read;
  GError       *error;
} ChunksJob;

static void
chunks_task (GtkloopTask *task,
             gpointer     data)
{
  ChunksJob *job = data;
  g_autoptr(GBytes) chunk = NULL;
  gsize size;

  do
    {
      g_clear_pointer (&chunk, g_bytes_unref);
      chunk = gtkloop_input_stream_read_bytes (job->stream, 4096, &job->error);
      if (chunk == NULL)
        return;
      size = g_bytes_get_size (chunk);
      g_array_append_val (job->sizes, size);
      g_string_append_len (job->read, g_bytes_get_data (chunk, NULL), size);
    }
  while (size > 0);
}

static void
test_input_stream_read_bytes (void **state)
{
  TestFixture *fx = *state;
  ChunksJob job = { 0 };
  gsize size = 10000;
  g_autofree char *data = g_malloc (size);
  g_autoptr(GFile) file = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = 'a' + i % 26;
  file = tmp_file_with ("chunks", data, size);
  job.stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  job.sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  job.read = g_string_new (NULL);
  gtkloop_task_unref (run_task (fx, chunks_task, &job));

  assert_null (job.error);
  assert_int_equal (job.sizes->len, 4);
  assert_int_equal (g_array_index (job.sizes, gsize, 0), 4096);
  assert_int_equal (g_array_index (job.sizes, gsize, 1), 4096);
  assert_int_equal (g_array_index (job.sizes, gsize, 2), size - 8192);
  assert_int_equal (g_array_index (job.sizes, gsize, 3), 0);
  assert_int_equal (job.read->len, size);
  assert_memory_equal (job.read->str, data, size);

  g_array_unref (job.sizes);
  g_string_free (job.read, TRUE);
  g_object_unref (job.stream);
  clear_tmp_dir ();
}

/* A cancelled read_bytes returns only once GIO let go of the stream: the
 * read after the uncancel needs no waiting. */
typedef struct
{
  Pipe     pipe;
  GBytes  *second;
  gboolean pending_after_cancel;
} RetryJob;

static void
retry_task (GtkloopTask *task,
            gpointer     data)
{
  RetryJob *job = data;
  g_autoptr(GError) error = NULL;

  assert_null (gtkloop_input_stream_read_bytes (job->pipe.in, 16, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  job->pending_after_cancel = g_input_stream_has_pending (job->pipe.in);
  gtkloop_task_uncancel (task);
  g_clear_error (&error);
  assert_int_equal (write (job->pipe.write_fd, "again", 5), 5);
  job->second = gtkloop_input_stream_read_bytes (job->pipe.in, 16, &error);
  assert_null (error);
}

static void
test_input_stream_read_cancelled (void **state)
{
  TestFixture *fx = *state;
  RetryJob *job = g_new0 (RetryJob, 1);
  g_autoptr(GtkloopTask) task = NULL;

  pipe_open (&job->pipe);
  task = gtkloop_loop_create_task (fx->loop, retry_task, job, NULL);
  while (!g_input_stream_has_pending (job->pipe.in))
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
  gtkloop_task_cancel (task, NULL);
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL, 10);

  assert_false (job->pending_after_cancel);
  assert_non_null (job->second);
  assert_int_equal (g_bytes_get_size (job->second), 5);
  assert_memory_equal (g_bytes_get_data (job->second, NULL), "again", 5);
  assert_false (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));

  g_bytes_unref (job->second);
  pipe_close (&job->pipe);
  g_free (job);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_two_statements, setup, teardown),
    cmocka_unit_test_setup_teardown (test_two_in_flight, setup, teardown),
    cmocka_unit_test_setup_teardown (test_await_result, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_then_uncancel, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_mid_operation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_begin_never_awaited, setup, teardown),
    cmocka_unit_test_setup_teardown (test_misuse, setup, teardown),
    cmocka_unit_test_setup_teardown (test_debug_context_warning, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_load_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_replace, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_replace_cancelled, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_replace_failed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_copy, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_localhost, setup, teardown),
    cmocka_unit_test_setup_teardown (test_input_stream_read_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_input_stream_read_cancelled, setup, teardown),
  };

  return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
