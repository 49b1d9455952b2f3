/* Real I/O on the GUI loop, with the window drawing at 60 fps throughout.
 *
 * A command   its argv (parsed from the entry, run without a shell) runs
 *             with gtkloop_create_subprocess_exec; a task reads its
 *             stdout pipe in 64 KiB chunks (gtkloop_stream_reader_read),
 *             splits and counts the lines, and a tick callback appends
 *             what came in to the text view once per frame (not one
 *             insert per line). Cancel cancels the task, which kills the
 *             child and awaits its exit (gtkloop_subprocess_wait): reaped,
 *             no zombie.
 * A file      a task writes a file of pseudo-random data into a temporary
 *             directory in 1 MiB chunks (g_output_stream_write_all_async,
 *             awaited), hashing what it writes; copies it with
 *             gtkloop_file_copy (progress on the loop thread, straight to
 *             the bar); reads the copy back in chunks and hashes it
 *             (GChecksum, SHA-256). Cancel cancels the task; the
 *             temporary directory goes when the program ends.
 * Both tasks are bound to the window: closing it cancels them. Between
 * chunks they give way to the next frame once they have had 6 ms of it.
 *
 * --self-test streams the command and copies the file at once, runs the
 * command again and cancels it mid-stream (the child must be killed by
 * SIGKILL and reaped), checks the copy's checksum against the source's and
 * the frame rate meanwhile (--min-fps), saves a screenshot, checks the
 * lines against the same argv run synchronously on a worker thread,
 * cancels a second copy and exits. */
#include "demo-common.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COMMAND     "find /usr/share"
#define READ_CHUNK          (64 * 1024)
#define FILE_CHUNK          (1024 * 1024)
#define HASH_CHUNK          (256 * 1024)
#define SCROLLBACK_LINES    2000     /* the view keeps the last ones, as a terminal */
#define CANCEL_AFTER_LINES  5000     /* self-test: when the second run is cancelled */
#define MIB                 (1024.0 * 1024.0)
/* Of each frame, at most this much goes to the I/O tasks before they wait
 * for the next one. Needed: GLib dispatches only the most urgent sources
 * ready, and I/O that completes faster than a frame, at
 * G_PRIORITY_DEFAULT, would always have one ready above GTK's layout and
 * paint (GDK_PRIORITY_REDRAW). Below it instead, the I/O would stop
 * whenever painting takes the whole frame. */
#define IO_SLICE_US         6000

typedef enum { RUN_IDLE, RUN_RUNNING, RUN_DONE, RUN_CANCELLED, RUN_FAILED } RunState;

static const char *const state_names[] = { "idle", "running", "done", "cancelled", "failed" };

/* Lines of a stream, counted as its chunks come in. ------------------------ */

typedef struct
{
  guint64  n_lines;
  GString *partial;     /* what came after the last newline */
  char    *last_line;   /* (nullable) the last line seen whole */
} LineCounter;

static LineCounter *
line_counter_new (void)
{
  LineCounter *counter = g_new0 (LineCounter, 1);

  counter->partial = g_string_new (NULL);
  return counter;
}

static void
line_counter_free (gpointer data)
{
  LineCounter *counter = data;

  g_string_free (counter->partial, TRUE);
  g_free (counter->last_line);
  g_free (counter);
}

static const char *
find_last_newline (const char *data,
                   gsize       size)
{
  for (gsize i = size; i > 0; i--)
    if (data[i - 1] == '\n')
      return data + i - 1;
  return NULL;
}

/* Counts the lines @data completes and appends them, whole, to @complete
 * (nullable): the view gets whole lines only, so a UTF-8 character split
 * between two chunks is never cut. */
static void
line_counter_feed (LineCounter *counter,
                   const char  *data,
                   gsize        size,
                   GString     *complete)
{
  const char *last = find_last_newline (data, size);
  const char *before_last;

  if (last == NULL)
    {
      g_string_append_len (counter->partial, data, size);
      return;
    }
  for (const char *p = data; (p = memchr (p, '\n', last + 1 - p)) != NULL; p++)
    counter->n_lines++;
  if (complete != NULL)
    {
      g_string_append_len (complete, counter->partial->str, counter->partial->len);
      g_string_append_len (complete, data, last + 1 - data);
    }

  g_free (counter->last_line);
  before_last = find_last_newline (data, last - data);
  if (before_last != NULL)
    counter->last_line = g_strndup (before_last + 1, last - before_last - 1);
  else
    {
      g_string_append_len (counter->partial, data, last - data);
      counter->last_line = g_strndup (counter->partial->str, counter->partial->len);
    }
  g_string_assign (counter->partial, "");
  g_string_append_len (counter->partial, last + 1, data + size - last - 1);
}

/* At the end of the stream: an unterminated last line is a line too. */
static void
line_counter_finish (LineCounter *counter,
                     GString     *complete)
{
  if (counter->partial->len > 0)
    line_counter_feed (counter, "\n", 1, complete);
}

/* The demo. ------------------------------------------------------------------ */

typedef enum { FILE_WRITING, FILE_COPYING, FILE_HASHING } FilePhase;

typedef struct
{
  DemoOptions      options;
  double           min_fps;       /* --min-fps: the self-test's frame-rate floor */
  int              file_mib;      /* --file-size */
  GtkWindow       *window;        /* (nullable) cleared when it goes */
  GtkLabel        *frames_label;
  GtkEntry        *command_entry;
  GtkWidget       *run_button;
  GtkWidget       *cancel_command_button;
  GtkLabel        *command_status;
  GtkTextView     *output_view;
  GtkWidget       *copy_button;
  GtkWidget       *cancel_file_button;
  GtkProgressBar  *file_bar;
  GtkLabel        *checksums;
  DemoFrames       frames;
  guint            slice_frame;   /* the frame count when the I/O's slice began */
  gint64           slice_start;

  /* The command of the last run. */
  GtkloopTask     *command_task;  /* (owned) (nullable) */
  char           **argv;          /* (owned) */
  RunState         command_state;
  LineCounter     *lines;         /* (owned) */
  GString         *pending;       /* whole lines not yet in the view */
  guint64          shown_lines;   /* the count the status label shows */
  int              child_pid;
  gboolean         child_signaled;
  int              child_status;  /* exit status, or the signal */
  char            *command_error; /* (nullable) */
  double           command_started;
  double           command_ended;

  /* The file job of the last run. */
  GtkloopTask     *file_task;     /* (owned) (nullable) */
  RunState         file_state;
  FilePhase        file_phase;
  char            *tmpdir;        /* (owned) (nullable) made on first use */
  GFile           *source;        /* (owned) (nullable) */
  GFile           *copy;          /* (owned) (nullable) */
  char            *source_sha256; /* (nullable) set once the source is whole */
  char            *copy_sha256;   /* (nullable) */
} Demo;

static Demo demo;

static void
set_file_progress (double      fraction,
                   const char *format,
                   ...) G_GNUC_PRINTF (2, 3);

static void
set_file_progress (double      fraction,
                   const char *format,
                   ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (demo.window == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  gtk_progress_bar_set_fraction (demo.file_bar, fraction);
  gtk_progress_bar_set_text (demo.file_bar, text);
}

/* The command: streaming its output. ---------------------------------------- */

static void
update_command_status (void)
{
  g_autofree char *text = NULL;
  const char *outcome = "";
  g_autofree char *owned = NULL;

  if (demo.window == NULL)
    return;
  if (demo.command_state == RUN_DONE)
    outcome = owned = g_strdup_printf (" · exited with status %d", demo.child_status);
  else if (demo.command_state == RUN_CANCELLED && demo.child_signaled)
    outcome = owned = g_strdup_printf (" · pid %d killed by signal %d (%s) and reaped", demo.child_pid,
                                       demo.child_status, g_strsignal (demo.child_status));
  else if (demo.command_state == RUN_CANCELLED)
    outcome = owned = g_strdup_printf (" · pid %d had exited (status %d), reaped", demo.child_pid,
                                       demo.child_status);
  else if (demo.command_state == RUN_FAILED)
    outcome = owned = g_strdup_printf (" · failed: %s", demo.command_error);
  text = g_strdup_printf ("%s · %" G_GUINT64_FORMAT " lines in %.2f s%s",
                          state_names[demo.command_state], demo.shown_lines,
                          (demo.command_state == RUN_RUNNING ? demo_time () : demo.command_ended)
                          - demo.command_started, outcome);
  gtk_label_set_text (demo.command_status, text);
}

/* Once per frame: what came in since the last frame goes into the view in
 * one insert, the oldest lines beyond the scrollback go, and the view
 * follows the end. */
static gboolean
flush_output (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (demo.output_view);
  g_autofree char *valid = NULL;
  const char *text = demo.pending->str;
  gsize size = demo.pending->len;
  guint newlines = 0;
  GtkTextIter start, end;
  int excess;

  if (size == 0)
    {
      if (demo.command_state == RUN_RUNNING)
        update_command_status ();   /* the clock goes on */
      return G_SOURCE_CONTINUE;
    }
  /* More than the scrollback came in since the last frame (the command
   * outruns the screen): only its last lines would stay, so only they go
   * in, in place of all the view had. A frame's work stays bounded. */
  for (gsize i = size; i > 0; i--)
    if (text[i - 1] == '\n' && ++newlines > SCROLLBACK_LINES)
      {
        text += i;
        size -= i;
        gtk_text_buffer_set_text (buffer, "", 0);
        break;
      }
  if (!g_utf8_validate (text, size, NULL))
    {
      text = valid = g_utf8_make_valid (text, size);
      size = strlen (valid);
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, size);
  g_string_truncate (demo.pending, 0);

  /* The text ends with a newline: the last buffer line is empty. */
  excess = gtk_text_buffer_get_line_count (buffer) - 1 - SCROLLBACK_LINES;
  if (excess > 0)
    {
      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_line (buffer, &end, excess);
      gtk_text_buffer_delete (buffer, &start, &end);
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_view_scroll_to_mark (demo.output_view, gtk_text_buffer_get_insert (buffer), 0, FALSE, 0, 0);

  demo.shown_lines = demo.lines->n_lines;
  update_command_status ();
  return G_SOURCE_CONTINUE;
}

/* Called by the I/O tasks between chunks: once they have had IO_SLICE_US
 * since the last frame, waits for the next one (at most 50 ms: a window
 * that is not drawn must not stop the I/O). */
static gboolean
let_a_frame_through (GError **error)
{
  g_autoptr(GtkloopFuture) frame = NULL;
  g_autoptr(GError) local = NULL;
  gint64 now = g_get_monotonic_time ();

  if (demo.frames.count != demo.slice_frame)
    {
      demo.slice_frame = demo.frames.count;   /* a frame went by: a new slice */
      demo.slice_start = now;
      return TRUE;
    }
  if (now - demo.slice_start < IO_SLICE_US || demo.window == NULL)
    return TRUE;
  frame = gtkloop_widget_frame_future_new (GTK_WIDGET (demo.window));
  if (gtkloop_wait_for (frame, 0.05, &local) || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Reads @stdout_pipe to its end, counting lines into demo.lines and
 * queueing them for the view. */
static gboolean
stream_lines (GtkloopStreamReader  *stdout_pipe,
              GError              **error)
{
  for (;;)
    {
      g_autoptr(GBytes) chunk = gtkloop_stream_reader_read (stdout_pipe, READ_CHUNK, error);
      const char *data;
      gsize size;

      if (chunk == NULL)
        return FALSE;
      data = g_bytes_get_data (chunk, &size);
      if (size == 0)
        {
          line_counter_finish (demo.lines, demo.pending);
          return TRUE;
        }
      line_counter_feed (demo.lines, data, size, demo.pending);
      if (!let_a_frame_through (error))
        return FALSE;
    }
}

static void
run_command (GtkloopTask *task,
             gpointer     data)
{
  g_autoptr(GtkloopSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  int returncode = 0;
  gboolean ok;

  child = gtkloop_create_subprocess_exec ((const char *const *) demo.argv,
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                          &error);
  if (child == NULL)
    {
      demo.command_error = g_strdup (error->message);
      demo.command_state = RUN_FAILED;
      demo.command_ended = demo_time ();
      if (demo.window != NULL)
        {
          gtk_widget_set_sensitive (demo.run_button, TRUE);
          gtk_widget_set_sensitive (demo.cancel_command_button, FALSE);
          update_command_status ();
        }
      return;
    }
  demo.child_pid = gtkloop_subprocess_get_pid (child);

  ok = stream_lines (gtkloop_subprocess_get_stdout (child), &error)
       && gtkloop_subprocess_wait (child, &returncode, &error);
  if (!ok)
    {
      /* Cancelled, or the read failed: the child must not outlive its
       * task, nor stay a zombie. SIGKILL, then await the exit. The
       * cancellation was delivered, so this await runs; a second one
       * (the window closing meanwhile) leaves the reaping to GLib. */
      gtkloop_subprocess_kill (child, NULL);
      gtkloop_subprocess_wait (child, &returncode, NULL);
    }

  demo.command_ended = demo_time ();
  /* asyncio's return code: minus the signal that ended the child. */
  demo.child_signaled = returncode < 0;
  demo.child_status = ABS (returncode);
  if (ok)
    demo.command_state = RUN_DONE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    demo.command_state = RUN_CANCELLED;
  else
    {
      demo.command_error = g_strdup (error->message);
      demo.command_state = RUN_FAILED;
    }
  if (demo.window == NULL)
    return;
  gtk_widget_set_sensitive (demo.run_button, TRUE);
  gtk_widget_set_sensitive (demo.cancel_command_button, FALSE);
  update_command_status ();
}

static void
run_clicked (GtkButton *button,
             gpointer   data)
{
  g_autoptr(GError) error = NULL;
  char **argv = NULL;

  if (demo.command_state == RUN_RUNNING)
    return;
  /* Split as a shell would, but run as an argv: no shell, no pipes. */
  if (!g_shell_parse_argv (gtk_editable_get_text (GTK_EDITABLE (demo.command_entry)), NULL, &argv, &error))
    {
      g_autofree char *text = g_strdup_printf ("not a command: %s", error->message);

      gtk_label_set_text (demo.command_status, text);
      return;
    }
  g_strfreev (demo.argv);
  demo.argv = argv;
  g_clear_pointer (&demo.lines, line_counter_free);
  demo.lines = line_counter_new ();
  g_string_truncate (demo.pending, 0);
  g_clear_pointer (&demo.command_error, g_free);
  demo.shown_lines = 0;
  demo.child_pid = 0;
  demo.command_state = RUN_RUNNING;
  demo.command_started = demo_time ();
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (demo.output_view), "", 0);
  gtk_widget_set_sensitive (demo.run_button, FALSE);
  gtk_widget_set_sensitive (demo.cancel_command_button, TRUE);
  update_command_status ();

  g_clear_pointer (&demo.command_task, gtkloop_task_unref);
  demo.command_task = gtkloop_spawn_bound (demo.window, run_command, NULL, NULL);
}

static void
cancel_command_clicked (GtkButton *button,
                        gpointer   data)
{
  if (demo.command_state == RUN_RUNNING)
    gtkloop_task_cancel (demo.command_task, "cancelled by the user");
}

/* The file: write, copy, checksum. ------------------------------------------- */

/* Awaits @written through a shield; after a cancellation, waits for GIO's
 * own (cancelled) answer as well, so the stream is free to be closed and
 * the buffer to be freed. */
static GAsyncResult *
await_settled (GtkloopFuture  *written,
               GError        **error)
{
  g_autoptr(GtkloopFuture) shielded = gtkloop_shield (written);

  if (gtkloop_await (shielded, error))
    return gtkloop_future_get_result (written, NULL);
  if (!gtkloop_future_is_done (written))
    gtkloop_await (written, NULL);
  gtkloop_future_cancel (written, NULL);   /* still pending: a closing loop */
  return NULL;
}

static gboolean
close_stream (GOutputStream  *out,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_output_stream_close_async (out, G_PRIORITY_DEFAULT, cancellable, gtkloop_gio_ready, gtkloop_gio_begin ());
  result = gtkloop_await_gio (error);
  return result != NULL && g_output_stream_close_finish (out, result, error);
}

/* Writes demo.file_mib MiB of pseudo-random data to demo.source and keeps
 * their SHA-256. A cancelled write leaves no source behind. */
static gboolean
make_source (GError **error)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  /* On the heap: GIO writes from it while the task is suspended. */
  g_autofree guint32 *block = g_new (guint32, FILE_CHUNK / sizeof (guint32));
  gboolean ok = TRUE;

  demo.file_phase = FILE_WRITING;
  g_clear_pointer (&demo.source_sha256, g_free);
  set_file_progress (0, "writing the source");
  g_file_replace_async (demo.source, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                        gtkloop_get_cancellable (), gtkloop_gio_ready, gtkloop_gio_begin ());
  opened = gtkloop_await_gio (error);
  if (opened == NULL || (out = g_file_replace_finish (demo.source, opened, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < FILE_CHUNK / sizeof (guint32); i++)
    block[i] = g_rand_int (rand);
  for (int mib = 0; mib < demo.file_mib && ok; mib++)
    {
      g_autoptr(GtkloopFuture) written = gtkloop_gio_future_new (NULL);
      GAsyncResult *result;

      block[0] = mib;   /* each MiB differs from the others */
      g_checksum_update (checksum, (const guchar *) block, FILE_CHUNK);
      g_output_stream_write_all_async (G_OUTPUT_STREAM (out), block, FILE_CHUNK, G_PRIORITY_DEFAULT,
                                       gtkloop_get_cancellable (), gtkloop_gio_ready,
                                       gtkloop_future_ref (written));
      result = await_settled (written, error);
      ok = result != NULL && g_output_stream_write_all_finish (G_OUTPUT_STREAM (out), result, NULL, error)
           && let_a_frame_through (error);
      if (ok)
        set_file_progress ((mib + 1.0) / demo.file_mib, "writing the source · %d / %d MiB",
                           mib + 1, demo.file_mib);
    }
  ok = ok && close_stream (G_OUTPUT_STREAM (out), gtkloop_get_cancellable (), error);
  if (!ok)
    {
      if (!g_output_stream_is_closed (G_OUTPUT_STREAM (out)))
        close_stream (G_OUTPUT_STREAM (out), NULL, NULL);
      g_file_delete (demo.source, NULL, NULL);
      return FALSE;
    }
  demo.source_sha256 = g_strdup (g_checksum_get_string (checksum));
  return TRUE;
}

/* On the loop thread, only while gtkloop_file_copy waits. */
static void
copy_progress (goffset  current,
               goffset  total,
               gpointer data)
{
  if (total > 0)
    set_file_progress ((double) current / total, "copying · %.0f / %.0f MiB", current / MIB, total / MIB);
}

/* Reads demo.copy back in chunks and hashes it. */
static gboolean
checksum_copy (GError **error)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  double total = demo.file_mib * MIB;
  guint64 done = 0;

  demo.file_phase = FILE_HASHING;
  set_file_progress (0, "SHA-256 of the copy");
  g_file_read_async (demo.copy, G_PRIORITY_DEFAULT, gtkloop_get_cancellable (), gtkloop_gio_ready,
                     gtkloop_gio_begin ());
  opened = gtkloop_await_gio (error);
  if (opened == NULL || (in = g_file_read_finish (demo.copy, opened, error)) == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr(GBytes) chunk = gtkloop_input_stream_read_bytes (G_INPUT_STREAM (in), HASH_CHUNK, error);
      gsize size;
      const guchar *data;

      if (chunk == NULL)
        return FALSE;
      data = g_bytes_get_data (chunk, &size);
      if (size == 0)
        break;
      g_checksum_update (checksum, data, size);
      done += size;
      set_file_progress (done / total, "SHA-256 of the copy · %.0f / %.0f MiB", done / MIB, total / MIB);
      if (!let_a_frame_through (error))
        return FALSE;
    }
  g_free (demo.copy_sha256);
  demo.copy_sha256 = g_strdup (g_checksum_get_string (checksum));
  return TRUE;
}

static void
show_checksums (void)
{
  g_autofree char *text = NULL;
  gboolean equal = g_strcmp0 (demo.source_sha256, demo.copy_sha256) == 0;

  if (demo.window == NULL)
    return;
  text = g_strdup_printf ("SHA-256 source %s\n        copy   %s  %s",
                          demo.source_sha256, demo.copy_sha256, equal ? "✓ equal" : "✗ DIFFER");
  gtk_label_set_text (demo.checksums, text);
  gtk_widget_remove_css_class (GTK_WIDGET (demo.checksums), equal ? "bad" : "good");
  gtk_widget_add_css_class (GTK_WIDGET (demo.checksums), equal ? "good" : "bad");
}

static void
run_file_job (GtkloopTask *task,
              gpointer     data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  g_clear_pointer (&demo.copy_sha256, g_free);
  if (demo.source_sha256 == NULL)
    ok = make_source (&error);
  if (ok)
    {
      demo.file_phase = FILE_COPYING;
      set_file_progress (0, "copying");
      ok = gtkloop_file_copy (demo.source, demo.copy, G_FILE_COPY_OVERWRITE, copy_progress, NULL, &error);
    }
  ok = ok && checksum_copy (&error);

  if (ok)
    demo.file_state = RUN_DONE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    demo.file_state = RUN_CANCELLED;
  else
    demo.file_state = RUN_FAILED;
  if (demo.window == NULL)
    return;
  gtk_widget_set_sensitive (demo.copy_button, TRUE);
  gtk_widget_set_sensitive (demo.cancel_file_button, FALSE);
  if (ok)
    {
      set_file_progress (1, "done · %d MiB written, copied and read back", demo.file_mib);
      show_checksums ();
    }
  else
    set_file_progress (gtk_progress_bar_get_fraction (demo.file_bar), "%s: %s",
                       state_names[demo.file_state], error->message);
}

static void
copy_clicked (GtkButton *button,
              gpointer   data)
{
  g_autoptr(GError) error = NULL;

  if (demo.file_state == RUN_RUNNING)
    return;
  if (demo.tmpdir == NULL)
    {
      demo.tmpdir = g_dir_make_tmp ("gtkloop-demo-io-XXXXXX", &error);
      if (demo.tmpdir == NULL)
        {
          set_file_progress (0, "no temporary directory: %s", error->message);
          return;
        }
      demo.source = g_file_new_build_filename (demo.tmpdir, "source", NULL);
      demo.copy = g_file_new_build_filename (demo.tmpdir, "copy", NULL);
    }
  demo.file_state = RUN_RUNNING;
  gtk_widget_set_sensitive (demo.copy_button, FALSE);
  gtk_widget_set_sensitive (demo.cancel_file_button, TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (demo.checksums), "good");
  gtk_widget_remove_css_class (GTK_WIDGET (demo.checksums), "bad");
  g_clear_pointer (&demo.file_task, gtkloop_task_unref);
  demo.file_task = gtkloop_spawn_bound (demo.window, run_file_job, NULL, NULL);
}

static void
cancel_file_clicked (GtkButton *button,
                     gpointer   data)
{
  if (demo.file_state == RUN_RUNNING)
    gtkloop_task_cancel (demo.file_task, "cancelled by the user");
}

/* Removes the temporary directory and what is in it. */
static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (demo.tmpdir == NULL)
    return;
  if ((dir = g_dir_open (demo.tmpdir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (demo.tmpdir, name, NULL);

        g_unlink (path);
      }
  g_rmdir (demo.tmpdir);
}

/* The frame readout: twice a second, over the last two seconds. ------------- */

static void
readout (GtkloopTask *task,
         gpointer     data)
{
  while (gtkloop_sleep (0.5, NULL))
    {
      double fps, p50, p99, max;
      g_autofree char *text = NULL;

      if (!demo_frames_stats (&demo.frames, 2.0, &fps, &p50, &p99, &max))
        continue;
      text = g_strdup_printf ("%4.1f fps · frame interval p50 %4.1f ms · p99 %4.1f ms · max %4.1f ms",
                              fps, p50, p99, max);
      gtk_label_set_text (demo.frames_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (demo.frames_label), fps >= 55 ? "bad" : "good");
      gtk_widget_add_css_class (GTK_WIDGET (demo.frames_label), fps >= 55 ? "good" : "bad");
    }
}

/* Self-test. ------------------------------------------------------------------ */

static gboolean
wait_for_end (RunState *state,
              double    timeout_s)
{
  double deadline = demo_time () + timeout_s;

  while (*state == RUN_RUNNING && demo_time () < deadline)
    if (!gtkloop_sleep (0.02, NULL))
      return FALSE;
  return *state != RUN_RUNNING;
}

/* On a worker thread: the same argv, run to its end, its lines counted. */
static gpointer
count_lines_sync (gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  char **argv = data;
  g_autofree char *out = NULL;
  LineCounter *counter;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, NULL, error))
    return NULL;
  counter = line_counter_new ();
  line_counter_feed (counter, out, strlen (out), NULL);
  line_counter_finish (counter, NULL);
  return counter;
}

static void
self_test_steps (void)
{
  DemoOptions *o = &demo.options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) sync_run = NULL;
  g_autofree char *streamed_last = NULL;
  LineCounter *counted;
  guint64 streamed, cancelled_at;
  double from, elapsed, fps, p50, p99, max;
  int pid;

  if (!gtkloop_await_frame (GTK_WIDGET (demo.window), NULL, NULL) || !gtkloop_sleep (0.5, NULL))
    return;

  demo_say ("running `%s` and writing, copying and checksumming %d MiB, at once",
            DEFAULT_COMMAND, demo.file_mib);
  from = demo_time ();
  g_signal_emit_by_name (demo.run_button, "clicked");
  g_signal_emit_by_name (demo.copy_button, "clicked");

  if (!wait_for_end (&demo.command_state, 30.0))
    {
      demo_check (o, FALSE, "the command ended within 30 s");
      return;
    }
  streamed = demo.lines->n_lines;
  streamed_last = g_strdup (demo.lines->last_line);
  demo_check (o, demo.command_state == RUN_DONE && streamed > 0,
              "the command's output streamed in: %" G_GUINT64_FORMAT " lines in %.2f s, %s",
              streamed, demo_time () - demo.command_started, state_names[demo.command_state]);

  if (!gtkloop_await_frame (GTK_WIDGET (demo.window), NULL, NULL))
    return;
  demo_check (o, demo.shown_lines == streamed, "the line count shown is %" G_GUINT64_FORMAT, demo.shown_lines);

  /* Again, cancelled mid-stream with the Cancel button. */
  g_signal_emit_by_name (demo.run_button, "clicked");
  while (demo.command_state == RUN_RUNNING && demo.lines->n_lines < CANCEL_AFTER_LINES)
    if (!gtkloop_sleep (0.005, NULL))
      return;
  cancelled_at = demo.lines->n_lines;
  pid = demo.child_pid;
  demo_say ("pressing Cancel after %" G_GUINT64_FORMAT " lines (pid %d)", cancelled_at, pid);
  g_signal_emit_by_name (demo.cancel_command_button, "clicked");
  if (!wait_for_end (&demo.command_state, 10.0))
    {
      demo_check (o, FALSE, "the cancelled command ended within 10 s");
      return;
    }
  demo_check (o, demo.command_state == RUN_CANCELLED && demo.lines->n_lines < streamed,
              "the second run was cancelled mid-stream (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " lines)",
              demo.lines->n_lines, streamed);
  demo_check (o, demo.child_signaled && demo.child_status == SIGKILL, "its child was killed by %s",
              demo.child_signaled ? g_strsignal (demo.child_status) : "no signal");
  /* A zombie still answers kill (pid, 0); a reaped child does not. */
  demo_check (o, pid > 0 && kill (pid, 0) == -1 && errno == ESRCH, "and reaped: pid %d is gone", pid);

  if (!wait_for_end (&demo.file_state, 60.0))
    {
      demo_check (o, FALSE, "the file job ended within 60 s");
      return;
    }
  demo_check (o, demo.file_state == RUN_DONE && demo.source_sha256 != NULL
                 && g_strcmp0 (demo.source_sha256, demo.copy_sha256) == 0,
              "the copy's SHA-256 is the source's: %s", demo.copy_sha256);
  demo_check (o, gtk_progress_bar_get_fraction (demo.file_bar) == 1.0, "the file bar is full");

  elapsed = demo_time () - from;
  demo_check (o, demo_frames_stats (&demo.frames, elapsed, &fps, &p50, &p99, &max),
              "frames were drawn while the command streamed and the file was copied");
  demo_say ("while the I/O ran (%.1f s): %.1f fps, frame interval p50 %.1f ms, p99 %.1f ms, max %.1f ms",
            elapsed, fps, p50, p99, max);
  demo_check (o, fps >= demo.min_fps, "the GUI kept its frame rate: %.1f fps, p99 %.1f ms "
              "(60 Hz frame clock; floor %.0f)", fps, p99, demo.min_fps);
  demo_save_screenshot (o, demo.window, "after the I/O");

  /* The same argv, run synchronously on a worker thread (after the frame
   * count: it is the test's yardstick, not the demo's work). */
  sync_run = gtkloop_to_thread (count_lines_sync, g_strdupv (demo.argv), (GDestroyNotify) g_strfreev,
                                line_counter_free);
  counted = gtkloop_await_result (sync_run, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (counted == NULL)
    demo_say ("the synchronous run failed: %s", error->message);
  demo_check (o, counted != NULL && counted->n_lines == streamed && g_strcmp0 (counted->last_line, streamed_last) == 0,
              "the same argv run synchronously printed the same %" G_GUINT64_FORMAT " lines, ending with the same one",
              counted != NULL ? counted->n_lines : 0);
  demo_check (o, streamed_last != NULL && g_file_test (streamed_last, G_FILE_TEST_EXISTS),
              "the last line, %s, is a path that exists", streamed_last);

  /* Again, cancelled 0.1 s in, while it copies or checksums. */
  g_signal_emit_by_name (demo.copy_button, "clicked");
  if (!gtkloop_sleep (0.1, NULL))
    return;
  g_signal_emit_by_name (demo.cancel_file_button, "clicked");
  if (!wait_for_end (&demo.file_state, 10.0))
    {
      demo_check (o, FALSE, "the cancelled file job ended within 10 s");
      return;
    }
  demo_check (o, demo.file_state == RUN_CANCELLED, "a second copy was cancelled while %s",
              demo.file_phase == FILE_COPYING ? "copying" : "checksumming");
}

static void
self_test (GtkloopTask *task,
           gpointer     data)
{
  self_test_steps ();
  /* Also after a failed step: the program ends either way. */
  if (demo.window != NULL)
    gtk_window_destroy (demo.window);
}

/* Application. ------------------------------------------------------------------ */

static void
window_gone (gpointer  data,
             GObject  *where_the_window_was)
{
  demo.window = NULL;
}

static void
activate (GApplication *app,
          gpointer      data)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autofree char *file_title = NULL;

  if (demo.window != NULL)
    {
      gtk_window_present (demo.window);
      return;
    }

  builder = demo_builder_new ("io.ui");
  demo.window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  demo.frames_label = GTK_LABEL (gtk_builder_get_object (builder, "frames"));
  demo.command_entry = GTK_ENTRY (gtk_builder_get_object (builder, "command"));
  demo.run_button = GTK_WIDGET (gtk_builder_get_object (builder, "run"));
  demo.cancel_command_button = GTK_WIDGET (gtk_builder_get_object (builder, "cancel_command"));
  demo.command_status = GTK_LABEL (gtk_builder_get_object (builder, "command_status"));
  demo.output_view = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "output"));
  demo.copy_button = GTK_WIDGET (gtk_builder_get_object (builder, "copy"));
  demo.cancel_file_button = GTK_WIDGET (gtk_builder_get_object (builder, "cancel_file"));
  demo.file_bar = GTK_PROGRESS_BAR (gtk_builder_get_object (builder, "file_bar"));
  demo.checksums = GTK_LABEL (gtk_builder_get_object (builder, "checksums"));
  g_object_weak_ref (G_OBJECT (demo.window), window_gone, NULL);
  gtk_window_set_application (demo.window, GTK_APPLICATION (app));

  file_title = g_strdup_printf ("File: write %d MiB, copy it, checksum the copy", demo.file_mib);
  gtk_label_set_text (GTK_LABEL (gtk_builder_get_object (builder, "file_title")), file_title);
  g_signal_connect (demo.run_button, "clicked", G_CALLBACK (run_clicked), NULL);
  g_signal_connect (demo.command_entry, "activate", G_CALLBACK (run_clicked), NULL);
  g_signal_connect (demo.cancel_command_button, "clicked", G_CALLBACK (cancel_command_clicked), NULL);
  g_signal_connect (demo.copy_button, "clicked", G_CALLBACK (copy_clicked), NULL);
  g_signal_connect (demo.cancel_file_button, "clicked", G_CALLBACK (cancel_file_clicked), NULL);

  demo_frames_start (&demo.frames, GTK_WIDGET (demo.window));
  gtk_widget_add_tick_callback (GTK_WIDGET (demo.output_view), flush_output, NULL, NULL);
  gtkloop_task_unref (gtkloop_spawn_bound (demo.window, readout, NULL, NULL));
  gtk_window_present (demo.window);
  /* Not the entry, its text all selected. */
  gtk_widget_grab_focus (demo.run_button);
  gtk_editable_select_region (GTK_EDITABLE (demo.command_entry), 0, 0);

  if (demo.options.self_test)
    gtkloop_task_unref (gtkloop_spawn_bound (demo.window, self_test, NULL, NULL));
  else
    run_clicked (NULL, NULL);
  demo_window_watch (&demo.options, demo.window);
}

static int
check_file_size (GApplication *app,
                 GVariantDict *dict,
                 gpointer      data)
{
  if (demo.file_mib < 1)
    {
      g_printerr ("--file-size: %d MiB is not a size\n", demo.file_mib);
      return 2;
    }
  return -1;   /* go on */
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Demo.IO", G_APPLICATION_NON_UNIQUE);
  const GOptionEntry extra[] = {
    { "min-fps", 0, 0, G_OPTION_ARG_DOUBLE, &demo.min_fps,
      "Self-test: the lowest frame rate that passes (default 50; sanitizer builds pass 0)", "FPS" },
    { "file-size", 0, 0, G_OPTION_ARG_INT, &demo.file_mib,
      "The size of the file written, copied and checksummed (default 256)", "MIB" },
    { NULL }
  };
  int status;

  demo.min_fps = 50;
  demo.file_mib = 256;
  demo.pending = g_string_new (NULL);
  demo.lines = line_counter_new ();
  demo_options_add (G_APPLICATION (app), &demo.options, extra);
  g_signal_connect (app, "handle-local-options", G_CALLBACK (check_file_size), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);

  status = demo_run (G_APPLICATION (app), argc, argv);

  /* Every task has finished (the loop is closed). */
  remove_tmpdir ();
  g_clear_pointer (&demo.command_task, gtkloop_task_unref);
  g_clear_pointer (&demo.file_task, gtkloop_task_unref);
  g_clear_pointer (&demo.lines, line_counter_free);
  g_string_free (demo.pending, TRUE);
  g_strfreev (demo.argv);
  g_free (demo.command_error);
  g_free (demo.tmpdir);
  g_clear_object (&demo.source);
  g_clear_object (&demo.copy);
  g_free (demo.source_sha256);
  g_free (demo.copy_sha256);
  g_free (demo.frames.times);
  if (demo.options.self_test)
    demo_say ("self-test %s", demo.options.failures == 0 ? "passed" : "FAILED");
  demo_options_clear (&demo.options);
  return status != 0 ? status : (demo.options.failures > 0 ? 1 : 0);
}
