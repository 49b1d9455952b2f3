/* Shared helpers for gtkloop's cmocka tests (see test-util.h). */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>

#include "test-util.h"

TestFixture *test_current;

int
test_fixture_setup (void **state)
{
  TestFixture *fx = g_new0 (TestFixture, 1);
  GMainContext *context = g_main_context_new ();

  gtkloop_debug_counters_snapshot (&fx->before);
  fx->loop = gtkloop_loop_new (context);
  g_main_context_unref (context);
  fx->out = g_string_new (NULL);
  fx->order = g_array_new (FALSE, FALSE, sizeof (int));
  *state = fx;
  test_current = fx;
  return 0;
}

int
test_fixture_teardown (void **state)
{
  TestFixture *fx = *state;

  test_current = NULL;
  gtkloop_loop_close (fx->loop);
  g_clear_object (&fx->loop);
  test_assert_no_leaks (&fx->before);
  g_string_free (fx->out, TRUE);
  g_array_unref (fx->order);
  g_free (fx);
  return 0;
}

void
test_assert_no_leaks (const GtkloopDebugCounters *before)
{
  if (!gtkloop_debug_counters_equal (before))
    {
      g_autofree char *what = gtkloop_debug_counters_describe (before);
      print_error ("leaked: %s\n", what);
      fail ();
    }
}

void
test_append_line_va (GString    *out,
                     const char *format,
                     va_list     args)
{
  g_string_append_vprintf (out, format, args);
  g_string_append_c (out, '\n');
}

void
test_print (TestFixture *fx,
            const char  *format,
            ...)
{
  va_list args;

  va_start (args, format);
  test_append_line_va (fx->out, format, args);
  va_end (args);
}

const char *
test_py_bool (gboolean b)
{
  return b ? "True" : "False";
}

char *
test_py_bytes (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GString *s = g_string_new ("b'");

  for (gsize i = 0; i < len; i++)
    if (data[i] == '\n')
      g_string_append (s, "\\n");
    else
      g_string_append_c (s, data[i]);
  g_string_append_c (s, '\'');
  return g_string_free (s, FALSE);
}

void
test_iterate_until (GtkloopLoop    *loop,
                    const gboolean *flag,
                    double          timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  GMainContext *context = gtkloop_loop_get_context (loop);

  while (!*flag)
    {
      if (g_get_monotonic_time () > deadline)
        fail_msg ("timed out after %.1f s", timeout_s);
      g_main_context_iteration (context, FALSE);
      if (!*flag)
        g_usleep (0);
    }
}

void
test_iterate_for (GtkloopLoop *loop,
                  double       seconds)
{
  gboolean fired = FALSE;

  gtkloop_loop_call_later (loop, seconds, test_set_flag_cb, &fired, NULL);
  test_iterate_until (loop, &fired, 5);
}

/* Running with a watchdog ---------------------------------------------- */

typedef struct
{
  GtkloopLoop *loop;
  double       timeout_s;
  int          fired;
} Watchdog;

static gboolean
watchdog_cb (gpointer user_data)
{
  Watchdog *w = user_data;

  if (w->fired++ > 0)
    g_error ("watchdog: the loop did not return within %.1f s of stop()", w->timeout_s);
  gtkloop_loop_stop (w->loop);
  return G_SOURCE_CONTINUE;
}

static GSource *
watchdog_start (Watchdog    *w,
                GtkloopLoop *loop,
                double       timeout_s)
{
  GSource *source = g_timeout_source_new ((guint) (timeout_s * 1000));

  w->loop = loop;
  w->timeout_s = timeout_s;
  w->fired = 0;
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, watchdog_cb, w, NULL);
  g_source_attach (source, gtkloop_loop_get_context (loop));
  return source;
}

static void
watchdog_finish (Watchdog *w,
                 GSource  *source)
{
  g_source_destroy (source);
  g_source_unref (source);
  if (w->fired > 0)
    fail_msg ("the loop was still running after %.1f s", w->timeout_s);
}

void
test_run_forever (GtkloopLoop *loop,
                  double       timeout_s)
{
  Watchdog w;
  GSource *source = watchdog_start (&w, loop, timeout_s);

  gtkloop_loop_run_forever (loop);
  watchdog_finish (&w, source);
}

gboolean
test_run_until_complete (GtkloopLoop   *loop,
                         GtkloopFuture *future,
                         GError       **error,
                         double         timeout_s)
{
  Watchdog w;
  GSource *source = watchdog_start (&w, loop, timeout_s);
  gboolean ok = gtkloop_loop_run_until_complete (loop, future, error);

  watchdog_finish (&w, source);
  return ok;
}

/* Criticals and warnings ---------------------------------------------- */

static guint n_criticals, n_warnings;
static char *last_critical, *last_warning;
static gboolean counting_criticals, counting_warnings;
static GLogLevelFlags saved_fatal_mask;

static GLogWriterOutput
counting_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;

  /* Outside a begin/end pair, messages are printed as usual, so an
   * unexpected critical says what it was before fatal-criticals aborts. */
  if ((level & G_LOG_LEVEL_CRITICAL) && counting_criticals)
    {
      n_criticals++;
      g_free (last_critical);
      last_critical = g_strdup (message);
      return G_LOG_WRITER_HANDLED;
    }
  if ((level & G_LOG_LEVEL_WARNING) && counting_warnings)
    {
      n_warnings++;
      g_free (last_warning);
      last_warning = g_strdup (message);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean writer_installed;

static void
install_writer (void)
{
  /* GLib accepts one writer per process: install it once, let it count,
   * and pass through what is not being counted. */
  if (!writer_installed)
    {
      g_log_set_writer_func (counting_writer, NULL, NULL);
      writer_installed = TRUE;
    }
}

void
test_criticals_begin (void)
{
  install_writer ();
  n_criticals = 0;
  counting_criticals = TRUE;
  saved_fatal_mask = g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

guint
test_criticals_end (void)
{
  g_log_set_always_fatal (saved_fatal_mask);
  counting_criticals = FALSE;
  return n_criticals;
}

const char *
test_criticals_last (void)
{
  return last_critical ? last_critical : "";
}

void
test_warnings_begin (void)
{
  install_writer ();
  n_warnings = 0;
  counting_warnings = TRUE;
}

guint
test_warnings_end (void)
{
  counting_warnings = FALSE;
  return n_warnings;
}

const char *
test_warnings_last (void)
{
  return last_warning ? last_warning : "";
}

/* Twins ----------------------------------------------------------------- */

void
test_assert_matches_twin (const char *name,
                          const char *actual)
{
  g_autofree char *script = g_strdup_printf ("%s/tests/twins/%s.py", GTKLOOP_SOURCE_DIR, name);
  g_autofree char *expected_path = g_strdup_printf ("%s/tests/twins/%s.out", GTKLOOP_SOURCE_DIR, name);
  g_autofree char *expected = NULL;
  g_autofree char *python_out = NULL;
  g_autofree char *python_err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/usr/bin/python3", script, NULL };
  int status = 0;

  if (!g_file_get_contents (expected_path, &expected, NULL, &error))
    fail_msg ("%s", error->message);

  /* The twin is run every time, so the committed text cannot drift from
   * what asyncio prints. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &python_out, &python_err, &status, &error))
    fail_msg ("running %s: %s", script, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    fail_msg ("%s failed: %s\n%s", script, error->message, python_err);
  if (g_strcmp0 (python_out, expected) != 0)
    fail_msg ("%s printed:\n%s\nbut %s.out says:\n%s", script, python_out, name, expected);

  if (g_strcmp0 (actual, expected) != 0)
    fail_msg ("gtkloop printed:\n%s\nbut asyncio (%s.py) prints:\n%s", actual, name, expected);
}

void
test_destroy_count (gpointer counter)
{
  ((DestroyCounter *) counter)->count++;
}

void
test_print_cb (gpointer text)
{
  test_print (test_current, "%s", (const char *) text);
}

void
test_print_and_stop_cb (gpointer text)
{
  test_print (test_current, "%s", (const char *) text);
  gtkloop_loop_stop (test_current->loop);
}

void
test_set_flag_cb (gpointer flag)
{
  *(gboolean *) flag = TRUE;
}

void
test_increment_int_cb (gpointer counter)
{
  (*(int *) counter)++;
}

void
test_stop_loop_cb (gpointer loop)
{
  gtkloop_loop_stop (loop);
}

void
test_fail_if_run_cb (gpointer data)
{
  fail_msg ("a callback that must not run ran");
}

void
test_append_index_cb (gpointer index)
{
  int i = GPOINTER_TO_INT (index);

  g_array_append_val (test_current->order, i);
}

void
test_noop_cb (gpointer data)
{
}

void
test_noop_task (GtkloopTask *task,
                gpointer     data)
{
}

gboolean
test_count_source_cb (gpointer counter)
{
  (*(guint *) counter)++;
  return G_SOURCE_CONTINUE;
}

void
test_mark_done_cb (gpointer data)
{
  TestMarkDone *m = data;

  test_print (test_current, "Set to: %s", m->result);
  gtkloop_future_set_result (m->future, (gpointer) m->result, NULL);
}

void
test_after_sleep_cb (gpointer data)
{
  TestMarkDone *m = data;

  test_print (test_current, "Done: %s, Result: %s",
              gtkloop_future_is_done (m->future) ? "True" : "False",
              (const char *) gtkloop_future_get_result (m->future, NULL));
  gtkloop_loop_stop (test_current->loop);
}

/* Tasks on test_current's loop ------------------------------------------ */

GtkloopFuture *
test_spawn (GtkloopTaskFunc func,
            gconstpointer   data)
{
  return GTKLOOP_FUTURE (gtkloop_loop_create_task (test_current->loop, func, (gpointer) data,
                                                   NULL));
}

void
test_run_task (GtkloopTaskFunc func,
               gpointer        data)
{
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (test_current->loop, func, data, NULL);
  g_autoptr(GError) error = NULL;

  if (!test_run_until_complete (test_current->loop, GTKLOOP_FUTURE (task), &error, 10))
    fail_msg ("task failed: %s\nprinted so far:\n%s",
              error ? error->message : "?", test_current->out->str);
}

void
test_gather_and_await (GtkloopFuture **fs,
                       guint           n,
                       gboolean        return_exceptions)
{
  g_autoptr(GtkloopFuture) all = gtkloop_gather (fs, n, return_exceptions);

  gtkloop_await (all, NULL);
}

void
test_unref_futures (GtkloopFuture **fs,
                    guint           n)
{
  for (guint i = 0; i < n; i++)
    gtkloop_future_unref (fs[i]);
}

void
test_gather_and_unref (GtkloopFuture **fs,
                       guint           n)
{
  test_gather_and_await (fs, n, TRUE);
  test_unref_futures (fs, n);
}

void
test_seed_a_task (GtkloopTask *task,
                  gpointer     data)
{
  test_print (test_current, "Suspending a");
  gtkloop_sleep (0.1, NULL);
  test_print (test_current, "Resuming a");
  gtkloop_task_return (task, "A", NULL);
}

void
test_seed_b_task (GtkloopTask *task,
                  gpointer     data)
{
  test_print (test_current, "Suspending b");
  gtkloop_sleep (0.01, NULL);
  test_print (test_current, "Resuming b");
  gtkloop_task_return (task, "B", NULL);
}

void
test_spin_task (GtkloopTask *task,
                gpointer     n_rounds)
{
  for (int i = 0; i < GPOINTER_TO_INT (n_rounds); i++)
    {
      test_print (test_current, "spin %d", i);
      gtkloop_sleep (0, NULL);
    }
}

guint
test_count_open_fds (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  assert_non_null (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n - 1;   /* the directory's own */
}

void
test_raise_fd_limit (guint want)
{
  struct rlimit lim;

  assert_int_equal (getrlimit (RLIMIT_NOFILE, &lim), 0);
  if (lim.rlim_cur >= want)
    return;
  lim.rlim_cur = want;
  if (lim.rlim_max < want)
    lim.rlim_max = want;
  if (setrlimit (RLIMIT_NOFILE, &lim) != 0)
    fail_msg ("cannot raise RLIMIT_NOFILE to %u: %s", want, g_strerror (errno));
}
