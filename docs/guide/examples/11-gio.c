/* Awaiting GIO (seed 000, "Eventloop": a task waiting for I/O gives the
 * loop back until its data comes). GIO already does asynchronous I/O as
 * _async/_finish pairs; inside a task each pair becomes a suspension point
 * in two statements: start the call with gtkloop_gio_ready as its callback
 * and gtkloop_gio_begin () as its user_data, then gtkloop_await_gio () for
 * the GAsyncResult to give to _finish. The call gets the task's
 * GCancellable, so cancelling the task cancels the I/O. */
#include <gtkloop/gtkloop.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <unistd.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

/* One operation: the two-statement form. NULL and an error on failure. */
static char *
load (GFile   *file,
      GError **error)
{
  char *contents = NULL;

  g_file_load_contents_async (file, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_gio_begin ());
  g_autoptr(GAsyncResult) res = gtkloop_await_gio (error);
  if (res == NULL || !g_file_load_contents_finish (file, res, &contents, NULL, NULL, error))
    return NULL;
  return contents;
}

static void
write_hello (gpointer fd)
{
  if (write (GPOINTER_TO_INT (fd), "hello", 5) != 5)
    g_error ("write failed");
}

static void
reader_task (GtkloopTask *task,
             gpointer     stream)
{
  g_autoptr(GError) error = NULL;

  g_print ("reader: waiting\n");
  /* The ready-made form: it returns only once GIO is done with the
   * stream, so after a cancellation the stream is free for the next read. */
  g_autoptr(GBytes) bytes = gtkloop_input_stream_read_bytes (stream, 100, &error);
  if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_print ("reader: cancelled\n");
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gtkloop-guide-XXXXXX", &error);

  if (dir == NULL)
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  g_autofree char *path_a = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.txt", NULL);
  g_autofree char *path_missing = g_build_filename (dir, "missing.txt", NULL);
  g_autoptr(GFile) a = g_file_new_for_path (path_a);
  g_autoptr(GFile) b = g_file_new_for_path (path_b);
  g_autoptr(GFile) missing = g_file_new_for_path (path_missing);
  g_file_set_contents (path_a, "first file\n", -1, NULL);
  g_file_set_contents (path_b, "second file, longer\n", -1, NULL);

  g_print ("-- one file\n");
  {
    g_autofree char *contents = load (a, &error);

    if (contents == NULL)
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("loaded %zu bytes: %s", strlen (contents), contents);
  }

  g_print ("-- two files at once\n");
  {
    /* One future per operation; await each, or gather them. */
    g_autoptr(GtkloopFuture) fa = gtkloop_gio_future_new (loop);
    g_autoptr(GtkloopFuture) fb = gtkloop_gio_future_new (loop);
    g_autofree char *ca = NULL, *cb = NULL;

    g_file_load_contents_async (a, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_future_ref (fa));
    g_file_load_contents_async (b, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_future_ref (fb));
    GAsyncResult *ra = gtkloop_await_result (fa, &error);   /* owned by fa */
    if (ra == NULL || !g_file_load_contents_finish (a, ra, &ca, NULL, NULL, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    GAsyncResult *rb = gtkloop_await_result (fb, &error);
    if (rb == NULL || !g_file_load_contents_finish (b, rb, &cb, NULL, NULL, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("a: %s; b: %s\n", g_strstrip (ca), g_strstrip (cb));
  }

  g_print ("-- a missing file\n");
  {
    g_autofree char *contents = load (missing, &error);

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
      g_print ("error: no such file\n");
    g_clear_error (&error);
  }
  g_unlink (path_a);
  g_unlink (path_b);
  g_rmdir (dir);

  g_print ("-- a pipe: the read waits until the bytes come\n");
  int fds[2];
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  g_autoptr(GInputStream) stream = g_unix_input_stream_new (fds[0], TRUE);
  {
    /* GIO writes into the buffer while this task is suspended, when its
     * stack may be copied out and another task's frames are there: the
     * buffer must be on the heap, never a local array. */
    g_autofree char *buffer = g_malloc (100);

    gtkloop_loop_call_later (loop, 0.05, write_hello, GINT_TO_POINTER (fds[1]), NULL);
    g_input_stream_read_async (stream, buffer, 100, G_PRIORITY_DEFAULT,
                               gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_gio_begin ());
    g_autoptr(GAsyncResult) res = gtkloop_await_gio (&error);
    gssize n = res == NULL ? -1 : g_input_stream_read_finish (stream, res, &error);
    if (n < 0)
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("read %zd bytes: %.*s\n", n, (int) n, buffer);
  }

  g_print ("-- a read nobody answers, cancelled\n");
  {
    g_autoptr(GtkloopTask) reader = gtkloop_spawn (reader_task, stream, NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (reader) };

    if (!gtkloop_sleep (0.05, NULL))
      return;
    gtkloop_task_cancel (reader, NULL);
    if (!gtkloop_wait (fs, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL))
      return;
    g_print ("cancelled: %s\n", PY_BOOL (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (reader))));
    if (write (fds[1], "bye", 3) != 3)
      g_error ("write failed");
    g_autoptr(GBytes) bytes = gtkloop_input_stream_read_bytes (stream, 100, &error);
    if (bytes == NULL)
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("the pipe still works: %.*s\n", (int) g_bytes_get_size (bytes),
             (const char *) g_bytes_get_data (bytes, NULL));
  }
  close (fds[1]);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
