/* Futures: states, results and errors with their ownership, cancellation,
 * done callbacks (always through call_soon, in the order added), errors
 * never retrieved, and the boxed type. */
#include "config.h"

#include <string.h>

#include "test-util.h"

/* Iterates until everything queued now has run (one call_soon later). */
static void
drain (GtkloopLoop *loop)
{
  gboolean done = FALSE;

  gtkloop_loop_call_soon (loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (loop, &done, 5);
}

static GError *
make_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, message);
}

/* States ----------------------------------------------------------------- */

static void
test_states (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) pending = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) ok = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) failed = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) cancelled = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;
  static int value = 42;

  assert_ptr_equal (gtkloop_future_get_loop (pending), fx->loop);
  assert_false (gtkloop_future_is_task (pending));

  assert_false (gtkloop_future_is_done (pending));
  assert_false (gtkloop_future_is_cancelled (pending));
  assert_null (gtkloop_future_get_error (pending));
  assert_null (gtkloop_future_get_result (pending, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE));
  g_clear_error (&error);
  assert_null (gtkloop_future_get_result (pending, NULL));

  assert_true (gtkloop_future_set_result (ok, &value, NULL));
  assert_true (gtkloop_future_is_done (ok));
  assert_false (gtkloop_future_is_cancelled (ok));
  assert_ptr_equal (gtkloop_future_get_result (ok, &error), &value);
  assert_null (error);
  assert_null (gtkloop_future_get_error (ok));

  assert_true (gtkloop_future_set_error (failed, make_error ("nope")));
  assert_true (gtkloop_future_is_done (failed));
  assert_false (gtkloop_future_is_cancelled (failed));
  assert_null (gtkloop_future_get_result (failed, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_string_equal (error->message, "nope");
  g_clear_error (&error);
  assert_true (g_error_matches (gtkloop_future_get_error (failed), G_IO_ERROR, G_IO_ERROR_NOT_FOUND));

  assert_true (gtkloop_future_cancel (cancelled, NULL));
  assert_true (gtkloop_future_is_done (cancelled));
  assert_true (gtkloop_future_is_cancelled (cancelled));
  assert_null (gtkloop_future_get_error (cancelled));
  assert_null (gtkloop_future_get_result (cancelled, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

/* A result's destroy notify runs when the future is freed; a result that
 * set_result refuses is destroyed at once. */
static void
test_set_result_destroy (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *f = gtkloop_future_new (fx->loop);
  DestroyCounter kept = { 0 }, refused = { 0 }, refused_cancelled = { 0 };
  GtkloopFuture *c = gtkloop_future_new (fx->loop);

  assert_true (gtkloop_future_set_result (f, &kept, test_destroy_count));
  assert_int_equal (kept.count, 0);
  assert_false (gtkloop_future_set_result (f, &refused, test_destroy_count));
  assert_int_equal (refused.count, 1);
  assert_ptr_equal (gtkloop_future_get_result (f, NULL), &kept);

  /* Another reference keeps the result alive. */
  gtkloop_future_ref (f);
  gtkloop_future_unref (f);
  assert_int_equal (kept.count, 0);
  gtkloop_future_unref (f);
  assert_int_equal (kept.count, 1);
  assert_int_equal (refused.count, 1);

  assert_true (gtkloop_future_cancel (c, "gone"));
  assert_false (gtkloop_future_set_result (c, &refused_cancelled, test_destroy_count));
  assert_int_equal (refused_cancelled.count, 1);
  assert_true (gtkloop_future_is_cancelled (c));
  gtkloop_future_unref (c);
  assert_int_equal (refused_cancelled.count, 1);
}

/* set_error takes the error: the future holds that very GError, and a
 * refused one is freed (ASan's leak check watches both). */
static void
test_set_error_ownership (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) ok = gtkloop_future_new (fx->loop);
  GError *error = make_error ("first");
  g_autoptr(GError) copy = NULL;

  assert_true (gtkloop_future_set_error (f, error));
  assert_ptr_equal (gtkloop_future_get_error (f), error);
  assert_false (gtkloop_future_set_error (f, make_error ("second")));
  assert_string_equal (gtkloop_future_get_error (f)->message, "first");

  assert_null (gtkloop_future_get_result (f, &copy));
  assert_ptr_not_equal (copy, error);
  assert_string_equal (copy->message, "first");

  assert_true (gtkloop_future_set_result (ok, NULL, NULL));
  assert_false (gtkloop_future_set_error (ok, make_error ("late")));
  assert_null (gtkloop_future_get_error (ok));
}

static void
test_cancel_message (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) plain = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_future_cancel (f, "the user closed the window"));
  assert_false (gtkloop_future_cancel (f, "again"));
  assert_false (gtkloop_future_set_result (f, NULL, NULL));
  assert_false (gtkloop_future_set_error (f, make_error ("late")));
  assert_true (gtkloop_future_is_cancelled (f));
  assert_null (gtkloop_future_get_error (f));
  assert_null (gtkloop_future_get_result (f, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_string_equal (error->message, "the user closed the window");
  g_clear_error (&error);

  assert_true (gtkloop_future_cancel (plain, NULL));
  assert_null (gtkloop_future_get_result (plain, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_true (strlen (error->message) > 0);
}

static void
test_set_twice (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  DestroyCounter second = { 0 };

  assert_true (gtkloop_future_set_result (f, "first", NULL));
  assert_false (gtkloop_future_set_result (f, &second, test_destroy_count));
  assert_int_equal (second.count, 1);
  assert_false (gtkloop_future_set_error (f, make_error ("late")));
  assert_false (gtkloop_future_cancel (f, NULL));
  assert_false (gtkloop_future_is_cancelled (f));
  assert_string_equal (gtkloop_future_get_result (f, NULL), "first");
}

/* Done callbacks ------------------------------------------------------------ */

static void
done_cb (GtkloopFuture *f,
         gpointer       name)
{
  if (gtkloop_future_is_cancelled (f))
    test_print (test_current, "%s: cancelled", (const char *) name);
  else
    test_print (test_current, "%s: result %s", (const char *) name,
                (const char *) gtkloop_future_get_result (f, NULL));
}

static const char cb1[] = "cb1", cb2[] = "cb2", cb3[] = "cb3";

static void
test_done_callback_order (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) other = gtkloop_future_new (fx->loop);
  gsize len;

  gtkloop_future_add_done_callback (fut, done_cb, (gpointer) cb1, NULL);
  gtkloop_future_add_done_callback (fut, done_cb, (gpointer) cb2, NULL);
  gtkloop_future_add_done_callback (fut, done_cb, (gpointer) cb3, NULL);
  gtkloop_future_add_done_callback (fut, done_cb, (gpointer) cb2, NULL);
  test_print (fx, "removed %u", gtkloop_future_remove_done_callback (fut, done_cb, (gpointer) cb2));
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon before set_result", NULL);
  len = fx->out->len;
  gtkloop_future_set_result (fut, "R", NULL);
  /* Never inline. */
  assert_int_equal (fx->out->len, len);
  test_print (fx, "set_result returned");
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon after set_result", NULL);
  len = fx->out->len;
  gtkloop_future_add_done_callback (fut, done_cb, "cb4 (added when done)", NULL);
  assert_int_equal (fx->out->len, len);

  gtkloop_future_add_done_callback (other, done_cb, "other cb", NULL);
  gtkloop_future_cancel (other, NULL);
  test_print (fx, "cancel returned");
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop", NULL);
  test_run_forever (fx->loop, 10);
  test_print (fx, "returned");

  test_assert_matches_twin ("done_callback_order", fx->out->str);
}

typedef struct
{
  GtkloopFuture *future;
  int            ran;
  int            destroyed;
  gboolean       ran_before_destroy;
} Witness;

static void
witness_cb (GtkloopFuture *f,
            gpointer       data)
{
  Witness *w = data;

  assert_ptr_equal (f, w->future);
  assert_int_equal (w->destroyed, 0);
  w->ran++;
}

static void
witness_destroy (gpointer data)
{
  Witness *w = data;

  w->ran_before_destroy = w->ran > 0;
  w->destroyed++;
}

/* Not run before the loop iterates, run once, notify once after it. */
static void
test_done_callback_scheduled (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  Witness before = { f }, after = { f };

  gtkloop_future_add_done_callback (f, witness_cb, &before, witness_destroy);
  gtkloop_future_set_result (f, NULL, NULL);
  gtkloop_future_add_done_callback (f, witness_cb, &after, witness_destroy);
  assert_int_equal (before.ran + after.ran, 0);
  assert_int_equal (before.destroyed + after.destroyed, 0);

  drain (fx->loop);
  assert_int_equal (before.ran, 1);
  assert_int_equal (before.destroyed, 1);
  assert_true (before.ran_before_destroy);
  assert_int_equal (after.ran, 1);
  assert_int_equal (after.destroyed, 1);
  assert_true (after.ran_before_destroy);

  /* Finishing never reschedules what already ran. */
  drain (fx->loop);
  assert_int_equal (before.ran, 1);
}

/* Each done callback is a call_soon of its own: one added while the first
 * runs waits for the next iteration, like any other call_soon. */
static void
add_more_cb (GtkloopFuture *f,
             gpointer       data)
{
  test_print (test_current, "first callback");
  gtkloop_future_add_done_callback (f, done_cb, "added from a callback", NULL);
  gtkloop_loop_call_soon (test_current->loop, test_print_cb, "call_soon from a callback", NULL);
}

static void
test_done_callback_from_callback (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);

  gtkloop_future_add_done_callback (f, add_more_cb, NULL, NULL);
  gtkloop_future_add_done_callback (f, done_cb, "second callback", NULL);
  gtkloop_future_set_result (f, "R", NULL);
  drain (fx->loop);
  drain (fx->loop);
  assert_string_equal (fx->out->str,
                       "first callback\n"
                       "second callback: result R\n"
                       "added from a callback: result R\n"
                       "call_soon from a callback\n");
}

static void
test_remove_done_callback (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  Witness a = { f }, b = { f }, c = { f };

  assert_int_equal (gtkloop_future_remove_done_callback (f, witness_cb, &a), 0);
  gtkloop_future_add_done_callback (f, witness_cb, &a, witness_destroy);
  gtkloop_future_add_done_callback (f, witness_cb, &b, witness_destroy);
  gtkloop_future_add_done_callback (f, witness_cb, &a, witness_destroy);
  gtkloop_future_add_done_callback (f, witness_cb, &c, witness_destroy);

  /* Matches on the callback and its data. */
  assert_int_equal (gtkloop_future_remove_done_callback (f, (GtkloopFutureCallback) done_cb, &a), 0);
  assert_int_equal (gtkloop_future_remove_done_callback (f, witness_cb, &a), 2);
  assert_int_equal (a.destroyed, 2);
  assert_int_equal (gtkloop_future_remove_done_callback (f, witness_cb, &a), 0);
  assert_int_equal (a.destroyed, 2);

  gtkloop_future_set_result (f, NULL, NULL);
  /* Once done, the callbacks are scheduled: nothing left to remove. */
  assert_int_equal (gtkloop_future_remove_done_callback (f, witness_cb, &b), 0);
  drain (fx->loop);
  assert_int_equal (a.ran, 0);
  assert_int_equal (b.ran, 1);
  assert_int_equal (b.destroyed, 1);
  assert_int_equal (c.ran, 1);
  assert_int_equal (c.destroyed, 1);
}

/* A pending future freed with callbacks: their notifies run, they don't. */
static void
test_done_callbacks_freed_with_future (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *f = gtkloop_future_new (fx->loop);
  Witness w[3] = { { f }, { f }, { f } };

  for (int i = 0; i < 3; i++)
    gtkloop_future_add_done_callback (f, witness_cb, &w[i], witness_destroy);
  gtkloop_future_unref (f);
  for (int i = 0; i < 3; i++)
    {
      assert_int_equal (w[i].destroyed, 1);
      assert_int_equal (w[i].ran, 0);
    }
  drain (fx->loop);
  for (int i = 0; i < 3; i++)
    assert_int_equal (w[i].ran, 0);
}

/* The loop closed first: the future still finishes, its callbacks are
 * dropped with their notifies run, and nobody gets a critical. */
static void
test_done_callbacks_after_close (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  Witness w = { f }, late = { f };

  gtkloop_future_add_done_callback (f, witness_cb, &w, witness_destroy);
  gtkloop_loop_close (fx->loop);
  test_criticals_begin ();
  assert_true (gtkloop_future_set_result (f, NULL, NULL));
  gtkloop_future_add_done_callback (f, witness_cb, &late, witness_destroy);
  assert_int_equal (test_criticals_end (), 0);
  assert_int_equal (w.destroyed, 1);
  assert_int_equal (late.destroyed, 1);
  assert_int_equal (w.ran + late.ran, 0);
}

/* Done callbacks already scheduled when the loop closes: dropped with
 * their notifies, and the references they held on the future released
 * (the fixture's leak check counts futures). */
static void
test_scheduled_callbacks_dropped_by_close (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *f = gtkloop_future_new (fx->loop);
  Witness w = { f };

  gtkloop_future_add_done_callback (f, witness_cb, &w, witness_destroy);
  gtkloop_future_set_result (f, NULL, NULL);
  gtkloop_future_unref (f);   /* the scheduled callback keeps it alive */
  gtkloop_loop_close (fx->loop);
  assert_int_equal (w.destroyed, 1);
  assert_int_equal (w.ran, 0);
}

/* Future calls from a thread that does not own the loop. */
static gpointer
set_result_from_thread (gpointer data)
{
  GtkloopFuture *f = data;
  DestroyCounter *dc = g_new0 (DestroyCounter, 1);

  gtkloop_future_set_result (f, dc, test_destroy_count);
  return dc;
}

static void
test_wrong_thread (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  DestroyCounter *dc;
  guint n;

  test_criticals_begin ();
  dc = g_thread_join (g_thread_new ("wrong", set_result_from_thread, f));
  n = test_criticals_end ();
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_future_set_result"));
  assert_int_equal (dc->count, 1);
  assert_false (gtkloop_future_is_done (f));
  g_free (dc);
}

/* future_new (NULL) ------------------------------------------------------------ */

static void
test_future_new_default_loop (void **state)
{
  TestFixture *fx = *state;
  GtkloopDebugCounters start, end;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);

  /* With the fixture's context as thread-default, its loop is the default. */
  g_main_context_push_thread_default (context);
  {
    g_autoptr(GtkloopFuture) f = gtkloop_future_new (NULL);

    assert_ptr_equal (gtkloop_future_get_loop (f), fx->loop);
  }
  g_main_context_pop_thread_default (context);

  /* Without, the global default context's loop, made on first use. */
  gtkloop_debug_counters_snapshot (&start);
  {
    g_autoptr(GtkloopFuture) f = gtkloop_future_new (NULL);

    assert_ptr_equal (gtkloop_future_get_loop (f), gtkloop_loop_get_default ());
    assert_ptr_equal (gtkloop_loop_get_context (gtkloop_future_get_loop (f)),
                      g_main_context_default ());
  }
  gtkloop_debug_counters_snapshot (&end);
  /* That loop lives as long as the process: expect it in the leak check. */
  fx->before.values[GTKLOOP_COUNTER_LOOPS] += end.values[GTKLOOP_COUNTER_LOOPS] - start.values[GTKLOOP_COUNTER_LOOPS];
  assert_int_equal (end.values[GTKLOOP_COUNTER_FUTURES], start.values[GTKLOOP_COUNTER_FUTURES]);
}

/* Errors never retrieved -------------------------------------------------------- */

typedef struct
{
  int            calls;
  char          *message;
  GError        *error;
  gboolean       had_future;
} Reported;

static void
record_handler (GtkloopLoop               *loop,
                const GtkloopErrorContext *context,
                gpointer                   data)
{
  Reported *r = data;

  r->calls++;
  g_free (r->message);
  r->message = g_strdup (context->message);
  g_clear_error (&r->error);
  r->error = context->error ? g_error_copy (context->error) : NULL;
  r->had_future = context->future != NULL;
}

static void
reported_clear (Reported *r)
{
  g_clear_pointer (&r->message, g_free);
  g_clear_error (&r->error);
  r->calls = 0;
}

static void
test_unretrieved_error_reported (void **state)
{
  TestFixture *fx = *state;
  Reported r = { 0 };
  GtkloopFuture *f = gtkloop_future_new (fx->loop);

  gtkloop_loop_set_exception_handler (fx->loop, record_handler, &r, NULL);

  gtkloop_future_set_error (f, make_error ("lost"));
  gtkloop_future_ref (f);
  gtkloop_future_unref (f);
  assert_int_equal (r.calls, 0);   /* not while a reference is left */
  gtkloop_future_unref (f);
  assert_int_equal (r.calls, 1);
  assert_string_equal (r.message, "Future exception was never retrieved");
  assert_true (g_error_matches (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_string_equal (r.error->message, "lost");
  assert_true (r.had_future);
  reported_clear (&r);

  /* Retrieved through get_error, through get_result, or never an error:
   * not reported. */
  f = gtkloop_future_new (fx->loop);
  gtkloop_future_set_error (f, make_error ("seen"));
  assert_non_null (gtkloop_future_get_error (f));
  gtkloop_future_unref (f);

  f = gtkloop_future_new (fx->loop);
  gtkloop_future_set_error (f, make_error ("seen"));
  assert_null (gtkloop_future_get_result (f, NULL));
  gtkloop_future_unref (f);

  f = gtkloop_future_new (fx->loop);
  gtkloop_future_cancel (f, "cancelled is not an error to report");
  gtkloop_future_unref (f);

  f = gtkloop_future_new (fx->loop);
  gtkloop_future_set_result (f, NULL, NULL);
  gtkloop_future_unref (f);

  f = gtkloop_future_new (fx->loop);
  gtkloop_future_unref (f);
  assert_int_equal (r.calls, 0);

  /* The default handler logs a warning. */
  gtkloop_loop_set_exception_handler (fx->loop, NULL, NULL, NULL);
  f = gtkloop_future_new (fx->loop);
  gtkloop_future_set_error (f, make_error ("lost again"));
  test_warnings_begin ();
  gtkloop_future_unref (f);
  assert_int_equal (test_warnings_end (), 1);
  assert_non_null (strstr (test_warnings_last (), "Future exception was never retrieved"));
  assert_non_null (strstr (test_warnings_last (), "lost again"));
}

/* A done callback that reads the error retrieves it, so freeing the future
 * afterwards reports nothing. */
static void
read_error_cb (GtkloopFuture *f,
               gpointer       data)
{
  *(gboolean *) data = gtkloop_future_get_error (f) != NULL;
}

static void
test_error_retrieved_in_callback (void **state)
{
  TestFixture *fx = *state;
  Reported r = { 0 };
  GtkloopFuture *f = gtkloop_future_new (fx->loop);
  gboolean saw = FALSE;

  gtkloop_loop_set_exception_handler (fx->loop, record_handler, &r, NULL);
  gtkloop_future_add_done_callback (f, read_error_cb, &saw, NULL);
  gtkloop_future_set_error (f, make_error ("handled"));
  gtkloop_future_unref (f);   /* the scheduled callback holds it */
  assert_int_equal (r.calls, 0);
  drain (fx->loop);
  assert_true (saw);
  assert_int_equal (r.calls, 0);
  gtkloop_loop_set_exception_handler (fx->loop, NULL, NULL, NULL);
}

/* Types ---------------------------------------------------------------------------- */

static void
test_boxed_type (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *f = gtkloop_future_new (fx->loop);
  GtkloopFuture *copy;
  GValue value = G_VALUE_INIT;
  DestroyCounter dc = { 0 };

  assert_true (G_TYPE_IS_BOXED (GTKLOOP_TYPE_FUTURE));
  assert_string_equal (g_type_name (GTKLOOP_TYPE_FUTURE), "GtkloopFuture");

  gtkloop_future_set_result (f, &dc, test_destroy_count);
  copy = g_boxed_copy (GTKLOOP_TYPE_FUTURE, f);
  assert_ptr_equal (copy, f);   /* a reference, not a copy */

  g_value_init (&value, GTKLOOP_TYPE_FUTURE);
  g_value_set_boxed (&value, f);
  assert_ptr_equal (g_value_get_boxed (&value), f);

  gtkloop_future_unref (f);
  g_boxed_free (GTKLOOP_TYPE_FUTURE, copy);
  assert_int_equal (dc.count, 0);   /* the GValue still holds one */
  g_value_unset (&value);
  assert_int_equal (dc.count, 1);
}

static void
test_autoptr (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter dc = { 0 };
  GtkloopDebugCounters start, end;

  gtkloop_debug_counters_snapshot (&start);
  {
    g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);

    gtkloop_future_set_result (f, &dc, test_destroy_count);
    assert_int_equal (dc.count, 0);
  }
  assert_int_equal (dc.count, 1);
  gtkloop_debug_counters_snapshot (&end);
  assert_int_equal (end.values[GTKLOOP_COUNTER_FUTURES], start.values[GTKLOOP_COUNTER_FUTURES]);
}

/* A loop argument that is not a loop: a critical naming the function, and
 * no future (nothing to leak). */
static void
test_new_with_wrong_object (void **state)
{
  g_autoptr(GObject) not_a_loop = g_object_new (G_TYPE_OBJECT, NULL);
  GtkloopFuture *f;

  test_criticals_begin ();
  f = gtkloop_future_new ((GtkloopLoop *) not_a_loop);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_future_new"));
  assert_null (f);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_states, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_set_result_destroy, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_set_error_ownership, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_message, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_set_twice, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callback_order, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callback_scheduled, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callback_from_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_remove_done_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callbacks_freed_with_future, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callbacks_after_close, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_scheduled_callbacks_dropped_by_close, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wrong_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_future_new_default_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_unretrieved_error_reported, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_error_retrieved_in_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_boxed_type, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_autoptr, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_new_with_wrong_object, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
