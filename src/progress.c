/* Progress from workers, coalesced: a job reports as often as it likes
 * and the loop's thread sees at most one update per loop iteration,
 * always with the latest value.
 *
 * A report stores the value under a mutex, then looks at `pending`: if a
 * delivery is already on its way, that delivery will read this value, and
 * the report is done (a mutex round, no wake-up, no allocation unless the
 * message changed). Otherwise it sets `pending` and posts one delivery to
 * the loop's inbox. The delivery clears `pending` before it reads the
 * value, so a report that comes after the read posts again; the posts of
 * one iteration are taken at the start of the next, so a worker reporting
 * a million times a second costs the loop one callback per iteration:
 *
 *   worker    report ─ value ─ pending? ──no──▶ post delivery (pending = 1)
 *   loop      delivery: pending = 0; read the latest; func (fraction, message)
 *
 * Why the last value is never lost: if the delivery's read missed a
 * report's value, the read came before the report's write in the mutex's
 * order, so the clear of `pending` did too, and the report sees it clear
 * and posts. A minimum interval, when set, is kept on the loop side (a
 * timer re-runs the delivery), so it costs the workers nothing.
 *
 * Lock order: p->lock is a leaf.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>

#include "clock-private.h"
#include "destroy-notify-private.h"
#include "loop-private.h"
#include "progress-private.h"

struct _GtkloopProgress
{
  gint                 ref_count;
  GtkloopLoop         *loop;                 /* (owned) */
  pthread_mutex_t      lock;

  /* (lock: lock) the latest report */
  double               fraction;
  char                *message;              /* (owned) (nullable) */
  guint64              message_serial;       /* bumped when the message changes */
  guint64              serial;               /* bumped by every report */

  /* A delivery is on its way and has not read yet. C11: the relaxed
   * look and the seq_cst exchange of a report (see the top). */
  atomic_bool          pending;

  /* (loop-thread) */
  GtkloopProgressFunc  func;
  gpointer             data;
  GDestroyNotify       destroy;
  gboolean             disconnected;
  gint64               min_interval_ns;
  gint64               last_update_ns;
  guint64              timer;                /* a delivery put off by the interval */
  guint64              delivered_serial;
  guint64              delivered_message_serial;
  char                *delivered_message;    /* (owned) (nullable) */
  guint64              n_updates;
};

static atomic_uint n_live;   /* a debug counter, not a reference count */

/**
 * GtkloopProgress:
 *
 * A progress channel: worker threads report as often as they like, and the
 * loop's thread gets coalesced updates (the latest report, at most one per
 * interval). Reference counted; thread-safe.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopProgress, gtkloop_progress, gtkloop_progress_ref, gtkloop_progress_unref)

guint
gtkloop_progress_debug_n_live (void)
{
  return atomic_load (&n_live);
}

/**
 * gtkloop_progress_new:
 * @loop: the loop whose thread receives the updates (any thread may make
 *   the channel)
 * @func: (scope notified) (closure data) (destroy destroy): receives the
 *   latest report
 * @data: data for @func
 * @destroy: (nullable): frees @data on @loop's thread, at
 *   gtkloop_progress_disconnect() or when the last reference goes (if the
 *   loop is closed by then, on the thread dropping it)
 *
 * Makes a progress channel: any thread reports with
 * gtkloop_progress_report(), and @func gets the latest fraction and
 * message on @loop's thread, at most once per loop iteration. Hand a
 * reference to the job (as its data) and keep one for the GUI side. Loop
 * thread only.
 *
 * Returns: (transfer full): the progress channel
 *
 * Since: 0.1
 */
GtkloopProgress *
gtkloop_progress_new (GtkloopLoop        *loop,
                      GtkloopProgressFunc func,
                      gpointer            data,
                      GDestroyNotify      destroy)
{
  GtkloopProgress *p;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  p = g_new0 (GtkloopProgress, 1);
  p->ref_count = 1;
  atomic_init (&p->pending, false);
  p->loop = g_object_ref (loop);
  pthread_mutex_init (&p->lock, NULL);
  p->func = func;
  p->data = data;
  p->destroy = destroy;
  atomic_fetch_add (&n_live, 1);
  return p;
}

/**
 * gtkloop_progress_ref:
 * @progress: a progress channel
 *
 * Any thread. Works after the loop is closed.
 *
 * Returns: (transfer full): @progress
 *
 * Since: 0.1
 */
GtkloopProgress *
gtkloop_progress_ref (GtkloopProgress *p)
{
  g_return_val_if_fail (p != NULL, NULL);
  g_atomic_int_inc (&p->ref_count);
  return p;
}

typedef struct
{
  GDestroyNotify destroy;
  gpointer       data;
} Leftover;

static void
destroy_leftover (gpointer user_data)
{
  Leftover *l = user_data;

  l->destroy (l->data);
  g_free (l);
}

/**
 * gtkloop_progress_unref:
 * @progress: (transfer full): the reference to drop
 *
 * Drops a reference; any thread (a worker drops its own when its job
 * ends). The callback's data is destroyed on the loop's thread. Any
 * thread; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_progress_unref (GtkloopProgress *p)
{
  g_return_if_fail (p != NULL);

  if (!g_atomic_int_dec_and_test (&p->ref_count))
    return;

  if (!p->disconnected && p->destroy != NULL)
    {
      Leftover *l = g_new (Leftover, 1);

      l->destroy = p->destroy;
      l->data = p->data;
      if (gtkloop_loop_is_owner (p->loop) ||
          !gtkloop_loop_post_quiet (p->loop, destroy_leftover, l, NULL))
        destroy_leftover (l);
    }
  g_free (p->message);
  g_free (p->delivered_message);
  pthread_mutex_destroy (&p->lock);
  g_object_unref (p->loop);
  atomic_fetch_sub (&n_live, 1);
  g_free (p);
}

static void
unref_cb (gpointer p)
{
  gtkloop_progress_unref (p);
}

/* Loop thread: reads the latest report and hands it to func, unless a
 * flush already delivered it. */
static void
deliver_now (GtkloopProgress *p)
{
  guint64 serial;
  double fraction;

  /* Cleared before the read: a report after the read posts again. */
  atomic_store (&p->pending, false);

  pthread_mutex_lock (&p->lock);
  fraction = p->fraction;
  serial = p->serial;
  if (p->message_serial != p->delivered_message_serial)
    {
      g_free (p->delivered_message);
      p->delivered_message = g_strdup (p->message);
      p->delivered_message_serial = p->message_serial;
    }
  pthread_mutex_unlock (&p->lock);

  if (serial == p->delivered_serial)
    return;
  p->delivered_serial = serial;
  p->last_update_ns = gtkloop_clock_now_ns ();
  p->n_updates++;
  p->func (p, fraction, p->delivered_message, p->data);
}

static void deliver (gpointer user_data);

static void
deliver_after_interval (gpointer user_data)
{
  GtkloopProgress *p = user_data;

  p->timer = 0;
  deliver (p);
}

/* The posted delivery. While it is put off by the interval, `pending`
 * stays set, so workers post nothing meanwhile. */
static void
deliver (gpointer user_data)
{
  GtkloopProgress *p = user_data;
  gint64 due;

  if (p->disconnected || p->timer != 0)
    return;
  due = p->last_update_ns + p->min_interval_ns;
  if (p->min_interval_ns > 0 && p->n_updates > 0 && gtkloop_clock_now_ns () < due)
    {
      p->timer = gtkloop_loop_call_later (p->loop, (due - gtkloop_clock_now_ns ()) / 1e9,
                                          deliver_after_interval, gtkloop_progress_ref (p), unref_cb);
      return;
    }
  deliver_now (p);
}

/**
 * gtkloop_progress_report:
 * @progress: a progress channel
 * @fraction: the progress, usually 0 to 1
 * @message: (nullable): a message to show; %NULL keeps the last one
 *
 * Records the latest progress; any thread, as often as you like. Only the
 * report that finds no update on its way posts one to the loop (one inbox
 * entry, which wakes the loop if it sleeps); the others cost a mutex
 * round. The value of the last report is always delivered. Any thread.
 * Once the loop is closed reports are counted and dropped.
 *
 * Since: 0.1
 */
void
gtkloop_progress_report (GtkloopProgress *p,
                         double           fraction,
                         const char      *message)
{
  g_return_if_fail (p != NULL);

  pthread_mutex_lock (&p->lock);
  p->fraction = fraction;
  if (message != NULL && g_strcmp0 (message, p->message) != 0)
    {
      g_free (p->message);
      p->message = g_strdup (message);
      p->message_serial++;
    }
  p->serial++;
  pthread_mutex_unlock (&p->lock);

  /* A relaxed look first keeps the cache line shared while a delivery is
   * pending; the mutex orders it after a delivery's clear (see the top). */
  if (atomic_load_explicit (&p->pending, memory_order_relaxed) ||
      atomic_exchange (&p->pending, true))
    return;
  if (!gtkloop_loop_post_quiet (p->loop, deliver, gtkloop_progress_ref (p), unref_cb))
    gtkloop_progress_unref (p);   /* the loop is closed: nobody to tell */
}

/**
 * gtkloop_progress_flush:
 * @progress: a progress channel
 *
 * Delivers the latest report now if it has not been, whatever the minimum
 * interval; for example once the job's future is done. Loop-thread only.
 * On a closed loop nothing is delivered.
 *
 * Since: 0.1
 */
void
gtkloop_progress_flush (GtkloopProgress *p)
{
  g_return_if_fail (p != NULL);

  if (!gtkloop_loop_check_callable (p->loop, G_STRFUNC, FALSE) || p->disconnected)
    return;
  if (p->timer != 0)
    {
      guint64 timer = p->timer;

      p->timer = 0;
      gtkloop_loop_cancel (p->loop, timer);
    }
  deliver_now (p);
}

/**
 * gtkloop_progress_disconnect:
 * @progress: a progress channel
 *
 * No more updates: the callback's destroy notify runs now, and later
 * reports cost a mutex round and nothing else. Loop-thread only. After the
 * loop is closed there is nothing left to disconnect: the callback is
 * already gone.
 *
 * Since: 0.1
 */
void
gtkloop_progress_disconnect (GtkloopProgress *p)
{
  GDestroyNotify destroy;

  g_return_if_fail (p != NULL);

  if (!gtkloop_loop_check_callable (p->loop, G_STRFUNC, FALSE) || p->disconnected)
    return;
  p->disconnected = TRUE;
  /* Left set for good: reports never post again. */
  atomic_store (&p->pending, true);
  if (p->timer != 0)
    {
      guint64 timer = p->timer;

      p->timer = 0;
      gtkloop_loop_cancel (p->loop, timer);
    }
  destroy = p->destroy;
  p->destroy = NULL;
  p->func = NULL;
  gtkloop_destroy_notify_run (destroy, p->data);
  p->data = NULL;
}

/**
 * gtkloop_progress_set_min_interval:
 * @progress: a progress channel
 * @seconds: the least time between two updates; 0 (the default) for at
 *   most one per loop iteration
 *
 * For a GUI, 1/60 s keeps updates to the frame rate. The last value is
 * still delivered, at most @seconds late (or at once with
 * gtkloop_progress_flush()). Loop-thread only. Works after the loop is
 * closed, to no effect.
 *
 * Since: 0.1
 */
void
gtkloop_progress_set_min_interval (GtkloopProgress *p,
                                   double           seconds)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail (seconds >= 0);

  if (!gtkloop_loop_check_callable (p->loop, G_STRFUNC, FALSE))
    return;
  p->min_interval_ns = gtkloop_clock_seconds_to_ns_ceil (seconds);
}

/**
 * gtkloop_progress_get_n_reports:
 * @progress: a progress channel
 *
 * How many reports gtkloop_progress_report() took, from all threads. Any
 * thread; works after the loop is closed.
 *
 * Returns: how many reports were made; any thread
 *
 * Since: 0.1
 */
guint64
gtkloop_progress_get_n_reports (GtkloopProgress *p)
{
  guint64 n;

  g_return_val_if_fail (p != NULL, 0);
  pthread_mutex_lock (&p->lock);
  n = p->serial;
  pthread_mutex_unlock (&p->lock);
  return n;
}

/**
 * gtkloop_progress_get_n_updates:
 * @progress: a progress channel
 *
 * How many times the callback ran: the reports coalesced into updates.
 * Loop thread only; works after the loop is closed.
 *
 * Returns: how many times the callback ran; loop-thread only
 *
 * Since: 0.1
 */
guint64
gtkloop_progress_get_n_updates (GtkloopProgress *p)
{
  g_return_val_if_fail (p != NULL, 0);
  return p->n_updates;
}
