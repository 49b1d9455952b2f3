/* gtkloop_widget_frame_future_new / gtkloop_await_frame: a task paced by
 * the frame clock, a widget that gets no frames, cancellation. */
#include "config.h"

#include "test-gtk-util.h"

#define N_FRAMES 60

typedef struct
{
  GtkWidget *bar;
  gint64     times[N_FRAMES];
  int        n;
  gboolean   done;
  gboolean   cancelled;
} Animation;

/* Fills the bar one step per frame. */
static void
animate (GtkloopTask *task,
         gpointer     data)
{
  Animation *a = data;

  while (a->n < N_FRAMES)
    {
      if (!gtkloop_await_frame (a->bar, &a->times[a->n], NULL))
        {
          a->cancelled = TRUE;
          break;
        }
      a->n++;
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (a->bar), (double) a->n / N_FRAMES);
    }
  a->done = TRUE;
}

static int
compare_gint64 (const void *x,
                const void *y)
{
  gint64 a = *(const gint64 *) x, b = *(const gint64 *) y;

  return (a > b) - (a < b);
}

static void
test_one_step_per_frame (void **state)
{
  Animation a = { 0 };
  gint64 intervals[N_FRAMES - 1];
  g_autoptr(GtkloopTask) task = NULL;

  a.bar = gtk_progress_bar_new ();
  gtk_test_window_new (a.bar, 300, 40);
  task = gtkloop_spawn_bound (a.bar, animate, &a, NULL);
  gtk_test_run_until (&a.done, 10.0);
  assert_int_equal (a.n, N_FRAMES);
  for (int i = 1; i < N_FRAMES; i++)
    {
      assert_true (a.times[i] > a.times[i - 1]);   /* one frame each */
      intervals[i - 1] = a.times[i] - a.times[i - 1];
    }
  /* The frame clock runs at 60 Hz under Xvfb: the median interval is one
   * frame, 16.7 ms (generous bounds for a loaded machine). */
  qsort (intervals, N_FRAMES - 1, sizeof intervals[0], compare_gint64);
  assert_in_range (intervals[(N_FRAMES - 1) / 2], 12000, 40000);
  gtk_test_run_for (0.05);
  gtk_test_screenshot (gtk_widget_get_ancestor (a.bar, GTK_TYPE_WINDOW), "test-gtk-frame");
}

static void
test_unmapped_widget_waits (void **state)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("never shown"));
  g_autoptr(GtkloopFuture) f = gtkloop_widget_frame_future_new (label);

  gtk_test_run_for (0.1);
  assert_false (gtkloop_future_is_done (f));   /* no frame clock, no frames */
  g_object_unref (label);                      /* it goes: the future is cancelled */
  gtk_test_run_until_done (f, 1.0);
  assert_true (gtkloop_future_is_cancelled (f));
}

static void
test_cancel_removes_tick (void **state)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("x"));
  g_autoptr(GtkloopFuture) f = gtkloop_widget_frame_future_new (label);
  GWeakRef ref;

  g_weak_ref_init (&ref, label);
  gtkloop_future_cancel (f, NULL);
  gtk_test_run_for (0.02);   /* the done callback removes the tick callback */
  g_object_unref (label);
  assert_null (g_weak_ref_get (&ref));
  g_weak_ref_clear (&ref);
}

static void
test_window_closed_mid_animation (void **state)
{
  Animation a = { 0 };
  g_autoptr(GtkloopTask) task = NULL;

  a.bar = gtk_progress_bar_new ();
  gtk_test_window_new (a.bar, 300, 40);
  task = gtkloop_spawn (animate, &a, NULL);   /* not bound: the frame future ends it */
  while (a.n < 5)
    gtk_test_run_for (0.005);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (a.bar)));
  gtk_test_run_until (&a.done, 2.0);
  assert_true (a.cancelled);
  assert_true (a.n < N_FRAMES);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_one_step_per_frame, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_unmapped_widget_waits, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_removes_tick, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_window_closed_mid_animation, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
