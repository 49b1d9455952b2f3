/* Porting callback code to tasks (docs/guide/porting-gtask.md).
 *
 * One operation — load a file, upper-case it on a worker thread, save the
 * result, report progress to the loop's thread — written three ways:
 *
 *   1. GLib's callback style: an _async/_finish pair built on GTask, a
 *      chain of callbacks, a struct carrying the state between them,
 *      g_task_run_in_thread for the blocking part and g_idle_add to get
 *      back to the main thread;
 *   2. a gtkloop task: the same steps as straight-line code;
 *   3. the task behind the old _async/_finish pair, so callers written for
 *      (1) keep working while the implementation moves to (2).
 *
 * The program awaits (1) from a task as any GIO call is awaited, runs (2)
 * and (3), and checks that all three wrote the same file. */
#include <gtkloop/gtkloop.h>
#include <glib/gstdio.h>

/* The blocking part, shared by all three: on a worker thread. */
static char *
shout (const char *text)
{
  g_usleep (10 * 1000);                 /* stands for real work */
  return g_ascii_strup (text, -1);
}

/* ---- 1. callbacks and GTask --------------------------------------------- */

typedef struct {
  GFile *source;
  GFile *destination;
  char  *text;
} ShoutData;

static void
shout_data_free (gpointer data)
{
  ShoutData *sd = data;

  g_object_unref (sd->source);
  g_object_unref (sd->destination);
  g_free (sd->text);
  g_free (sd);
}

static gboolean
report_idle (gpointer message)          /* back on the main thread */
{
  g_print ("callbacks: %s\n", (char *) message);
  return G_SOURCE_REMOVE;
}

static void
shout_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ShoutData *sd = task_data;
  char *upper = shout (sd->text);

  /* g_idle_add, aimed at the context the operation was started on (the
   * global default one in a GTK program, where g_idle_add is the same). */
  g_main_context_invoke (g_task_get_context (task), report_idle, "upper-cased on a worker");
  g_task_return_pointer (task, upper, g_free);
}

static void on_saved (GObject *source, GAsyncResult *res, gpointer user_data);

static void
on_shouted (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  GTask *task = user_data;
  ShoutData *sd = g_task_get_task_data (task);
  GError *error = NULL;
  char *upper = g_task_propagate_pointer (G_TASK (res), &error);

  if (upper == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_autoptr(GBytes) bytes = g_bytes_new_take (upper, strlen (upper));
  g_file_replace_contents_bytes_async (sd->destination, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       g_task_get_cancellable (task), on_saved, task);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  GTask *task = user_data;
  ShoutData *sd = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_file_load_contents_finish (sd->source, res, &sd->text, NULL, NULL, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The blocking step: a GTask of its own on GLib's thread pool. */
  GTask *worker = g_task_new (NULL, g_task_get_cancellable (task), on_shouted, task);
  g_task_set_task_data (worker, sd, NULL);
  g_task_run_in_thread (worker, shout_in_thread);
  g_object_unref (worker);
}

static void
on_saved (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), res, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
shout_file_async (GFile               *source,
                  GFile               *destination,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ShoutData *sd = g_new0 (ShoutData, 1);

  sd->source = g_object_ref (source);
  sd->destination = g_object_ref (destination);
  g_task_set_task_data (task, sd, shout_data_free);
  g_file_load_contents_async (source, cancellable, on_loaded, task);
}

static gboolean
shout_file_finish (GAsyncResult *result,
                   GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- 2. a task ----------------------------------------------------------- */

static gpointer
shout_work (gpointer      text,
            GCancellable *cancellable,
            GError      **error)
{
  return shout (text);
}

static void
report (gpointer message)
{
  g_print ("task: %s\n", (char *) message);
}

/* Inside a task. Each suspension point returns FALSE (or NULL) with the
 * error, a cancellation included: the error path is one line each. */
static gboolean
shout_file (GFile   *source,
            GFile   *destination,
            GError **error)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GBytes) text = gtkloop_file_load_bytes (source, NULL, error);

  if (text == NULL)
    return FALSE;
  g_autoptr(GtkloopFuture) job =
    gtkloop_to_thread (shout_work, g_strndup (g_bytes_get_data (text, NULL), g_bytes_get_size (text)),
                       g_free, g_free);
  char *upper = gtkloop_await_result (job, error);   /* owned by the job's future */
  if (upper == NULL)
    return FALSE;
  gtkloop_loop_call_soon (loop, report, "upper-cased on a worker", NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (upper, strlen (upper));
  return gtkloop_file_replace_contents_bytes (destination, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                              NULL, error);
}

/* ---- 3. the task behind the old _async/_finish pair ------------------- */

static void
cancel_now (gpointer task)
{
  gtkloop_task_cancel (task, NULL);
}

/* The caller's cancellable cancels the task; it may be cancelled on any
 * thread, and a task is cancelled on its loop's. */
static void
cancel_task (GCancellable *cancellable,
             gpointer      task)
{
  gtkloop_loop_call_soon_threadsafe (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)), cancel_now,
                                     gtkloop_task_ref (task), (GDestroyNotify) gtkloop_task_unref);
}

static void
shout_file_task (GtkloopTask *task,
                 gpointer     data)
{
  GTask *gtask = data;
  ShoutData *sd = g_task_get_task_data (gtask);
  GCancellable *cancellable = g_task_get_cancellable (gtask);
  gulong handler = 0;
  GError *error = NULL;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_task), task, NULL);
  if (shout_file (sd->source, sd->destination, &error))
    g_task_return_boolean (gtask, TRUE);
  else
    g_task_return_error (gtask, error);
  g_cancellable_disconnect (cancellable, handler);
}

static void
shout_file_async2 (GFile               *source,
                   GFile               *destination,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *gtask = g_task_new (NULL, cancellable, callback, user_data);
  ShoutData *sd = g_new0 (ShoutData, 1);

  sd->source = g_object_ref (source);
  sd->destination = g_object_ref (destination);
  g_task_set_task_data (gtask, sd, shout_data_free);
  gtkloop_task_unref (gtkloop_spawn (shout_file_task, gtask, g_object_unref));   /* fire and forget */
}

/* ---- the three, run one after the other --------------------------------- */

static void
on_done_old_style (GObject      *source,
                   GAsyncResult *res,
                   gpointer      future)
{
  GError *error = NULL;

  if (shout_file_finish (res, &error))
    gtkloop_future_set_result (future, NULL, NULL);
  else
    gtkloop_future_set_error (future, error);
  gtkloop_future_unref (future);
}

static gboolean
check (GFile      *file,
       const char *who)
{
  g_autofree char *contents = NULL;

  if (!g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL))
    return FALSE;
  g_print ("%s: wrote %s", who, contents);
  return g_str_equal (contents, "HELLO, GTASK\n");
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gtkloop-porting-XXXXXX", &error);
  gboolean ok = TRUE;

  if (dir == NULL)
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  g_autofree char *in_path = g_build_filename (dir, "in.txt", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.txt", NULL);
  g_autoptr(GFile) in = g_file_new_for_path (in_path);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_file_set_contents (in_path, "hello, gtask\n", -1, NULL);

  /* 1: old code, awaited from a task like any _async/_finish pair. */
  shout_file_async (in, out, gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_gio_begin ());
  g_autoptr(GAsyncResult) res = gtkloop_await_gio (&error);
  if (res == NULL || !shout_file_finish (res, &error))
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  ok = check (out, "callbacks") && ok;

  /* 2: the task version, called directly. */
  if (!shout_file (in, out, &error))
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  ok = check (out, "task") && ok;

  /* 3: the task version behind the old API, for an old-style caller. */
  g_autoptr(GtkloopFuture) done = gtkloop_future_new (NULL);
  shout_file_async2 (in, out, NULL, on_done_old_style, gtkloop_future_ref (done));
  if (!gtkloop_await (done, &error))
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  ok = check (out, "task behind _async/_finish") && ok;

  g_unlink (in_path);
  g_unlink (out_path);
  g_rmdir (dir);
  if (!ok)
    gtkloop_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                          "the three versions differ"));
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
