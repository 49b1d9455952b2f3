/* The event loop: asyncio's scheduling rules inside one GSource.
 *
 * One GSource per loop holds the ready queue (call_soon), the timer heap
 * (call_later/call_at), the thread inbox (call_soon_threadsafe) and the
 * watched fds (add_reader/add_writer: one epoll fd, fd-watches.c). GLib only
 * learns the next timer deadline (g_source_set_ready_time) and whether work
 * is queued (prepare/check), so whatever iterates the GMainContext — GTK,
 * g_application_run, g_main_loop_run, run_forever — also runs gtkloop.
 *
 * One dispatch of the source:
 *
 *   start of an asyncio iteration:  mark the posts from other threads (one
 *                                   entry: they run in place, under the
 *                                   budget), the fds ready, then the timers
 *                                   now due (all after what is already queued)
 *   run that snapshot:              what it schedules waits for the next
 *   another iteration?              if work is left and the budget allows
 *
 * The budget (1 ms unless set) keeps GTK alive: after a dispatch that leaves
 * work queued, the source sits out exactly one GLib iteration (prepare and
 * check answer "not ready", with a zero poll timeout), so every other ready
 * source — GDK events, layout and paint at GDK_PRIORITY_REDRAW, idles — gets
 * its turn. Raising the priority number instead would starve idle sources
 * below it; a GLib iteration costs about a microsecond, against a
 * millisecond of callbacks, so the yield is nearly free.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>

#include "clock-private.h"
#include "debug-private.h"
#include "destroy-notify-private.h"
#include "hot-tls-private.h"
#include "loop-private.h"
#include "loop-trim-private.h"

#define DEFAULT_BUDGET_NS     (1000 * 1000)        /* 1 ms */
#define DEFAULT_SLOW_NS       (100 * 1000 * 1000)  /* 100 ms, as asyncio */
#define CLOCK_CHECK_INTERVAL  64                   /* callbacks between budget checks */

struct _GtkloopLoopSource
{
  GSource      source;
  GtkloopLoop *loop;   /* (unowned) the loop owns its source */
};

/**
 * GtkloopLoop:
 *
 * An asyncio event loop living inside a #GMainContext: one #GSource holds
 * its ready queue, its timers, its inbox from other threads and its fd
 * watches, so whatever iterates the context (GTK, g_application_run(), a
 * #GMainLoop, gtkloop_loop_run_forever()) runs its callbacks and tasks.
 * A loop belongs to one thread at a time (docs/threading.md) and ends
 * with gtkloop_loop_close().
 *
 * Since: 0.1
 */
G_DEFINE_FINAL_TYPE (GtkloopLoop, gtkloop_loop, G_TYPE_OBJECT)

static _Thread_local GtkloopLoop *running_loop GTKLOOP_HOT_TLS;

/* Forks so far in this process's line. A child of fork() inherits the
 * parent's loops, their sources still attached to the copied contexts and
 * their epoll and wake-up fds shared with the parent: one made before the
 * fork does nothing in the child (its source never becomes ready), so a
 * new loop there, say in a ProcessPoolExecutor worker on the copied
 * default context, cannot run the parent's callbacks or read its fds. */
static guint fork_generation;

static void registry_forget_after_fork (void);

static void
forked_child (void)
{
  fork_generation++;
  running_loop = NULL;   /* the forking thread's: the child's only thread */
  registry_forget_after_fork ();
}

static inline gboolean
made_before_fork (GtkloopLoop *loop)
{
  return G_UNLIKELY (loop->fork_generation != fork_generation);
}

gboolean
gtkloop_loop_made_before_fork (GtkloopLoop *loop)
{
  return made_before_fork (loop);
}

static GtkloopLoopCloseHooks close_hooks;

/* One loop per context: gtkloop_loop_get_default () finds it here. Entries
 * are weak; loops made by get_default are kept alive by default_loops. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *registry;       /* (lock: registry_lock) GMainContext* -> GtkloopLoop* */
static GPtrArray *default_loops;   /* (lock: registry_lock) (owned) */
/* In a fork's child: the parent's two above, never freed (a thread that
 * is not in the child may have been changing them), but still pointed
 * at, so the child's exit is no leak to Memcheck. Volatile: never read,
 * the compiler would drop them. */
static GHashTable *volatile registry_of_parent;
static GPtrArray *volatile default_loops_of_parent;

/* get_default is on hot paths (gtkloop_future_new (NULL), gtkloop_spawn):
 * each thread remembers its last answer, valid until a loop leaves the
 * registry (the generation moves on). */
static atomic_uint registry_generation;
static _Thread_local GMainContext *cached_context GTKLOOP_HOT_TLS;
static _Thread_local GtkloopLoop *cached_loop GTKLOOP_HOT_TLS;
static _Thread_local guint cached_generation GTKLOOP_HOT_TLS;

void
gtkloop_loop_set_close_hooks (const GtkloopLoopCloseHooks *hooks)
{
  if (hooks->finish_tasks)
    close_hooks.finish_tasks = hooks->finish_tasks;
  if (hooks->shutdown_executor)
    close_hooks.shutdown_executor = hooks->shutdown_executor;
  if (hooks->close_streams)
    close_hooks.close_streams = hooks->close_streams;
  if (hooks->drop_signal_handlers)
    close_hooks.drop_signal_handlers = hooks->drop_signal_handlers;
}

/* ---------------------------------------------------------------------- */
/* Ownership                                                               */

/* Inlined by force into call_soon and the timers (accept_call): out of
 * line it cost call_soon a third more instructions, and the compiler's
 * own choice changes with the size of the caller. */
static inline __attribute__ ((always_inline)) gboolean
check_callable (GtkloopLoop *loop,
                const char  *function,
                gboolean     refuse_closed)
{
  if (G_UNLIKELY (made_before_fork (loop)))
    {
      g_critical ("%s: the loop was made before fork(); the child process must make a new one "
                  "(the parent's loop, its sources and fds belong to the parent)", function);
      return FALSE;
    }
  if (G_UNLIKELY (!gtkloop_loop_is_owner (loop)))
    {
      g_critical ("%s: called from a thread that does not own the loop "
                  "(use gtkloop_loop_call_soon_threadsafe from other threads)", function);
      return FALSE;
    }
  if (G_UNLIKELY (refuse_closed && atomic_load_explicit (&loop->closed, memory_order_relaxed)))
    {
      g_critical ("%s: the event loop is closed", function);
      return FALSE;
    }
  return TRUE;
}

gboolean
gtkloop_loop_check_callable (GtkloopLoop *loop,
                             const char  *function,
                             gboolean     refuse_closed)
{
  return check_callable (loop, function, refuse_closed);
}

/**
 * gtkloop_loop_is_owner_thread:
 * @loop: a loop
 *
 * Whether the calling thread may make loop-bound calls on @loop now: the
 * thread that made it, or the one that ran or closed it last. Bindings
 * ask before a call, to refuse or forward one from another thread
 * themselves rather than meet the library's critical. Any thread; after
 * close, the closing thread is the owner.
 *
 * Returns: %TRUE on the owning thread
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_is_owner_thread (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return gtkloop_loop_is_owner (loop);
}

static void
claim_ownership (GtkloopLoop *loop)
{
  atomic_store_explicit (&loop->owner, (uintptr_t) pthread_self (), memory_order_relaxed);
}

/* ---------------------------------------------------------------------- */
/* Telling GLib when to dispatch us                                        */

/* The source's state, in one place. Two small state machines, both
 * loop-thread only, plus the run flags:
 *
 *   loop->turn    OURS ──dispatch leaves work──▶ YIELD_NEXT
 *                   ▲                                │ prepare
 *                   └────────── prepare ◀──────── GLIBS
 *
 *   loop->stop    NONE ──stop ()──▶ REQUESTED ──an iteration ends
 *                  ▲                              while running──▶ REACHED
 *                  └────────────── end of the run ◀─────────────────┘
 *
 *   running       (atomic) a runner (run.c) is iterating the context
 *   dispatching   depth of our own dispatch (nested runs are refused)
 *
 * One GLib iteration, as the source answers it:
 *
 *   turn at prepare  prepare                          check        ready time
 *   YIELD_NEXT       turn = GLIBS; not ready,         not ready    off
 *                    timeout 0
 *   GLIBS or OURS    turn = OURS; ready (timeout 0)   work         the first live
 *                    if work is queued or a stop is   queued?      timer's deadline
 *                    due, else sleep (timeout -1)                  if nothing queued
 *
 * "GTK is never starved" is the YIELD_NEXT row: a dispatch that ends with
 * work still queued (its 1 ms budget ran out, or callbacks or due timers
 * were added) hands the next GLib iteration over whole — GDK events,
 * layout and paint at GDK_PRIORITY_REDRAW, idles — with a zero poll
 * timeout so it costs no sleep. The ready time is off meanwhile, because
 * GLib dispatches a source whose ready time has passed whatever prepare
 * and check answer. A stop that has been reached ends the run instead of
 * yielding. Watched fds count as "work queued" for check once GLib's poll
 * has found the epoll fd readable (fds_polled_ready); the iteration then
 * takes them after the inbox and before the timers due. */

static gboolean
has_queued_work (GtkloopLoop *loop)
{
  return loop->batch_left > 0 || loop->ready.length > 0 ||
         gtkloop_inbox_get_n_posted (&loop->inbox) != loop->posts_marked;
}

/* Drops cancelled timers from the top, so the deadline GLib sees is real. */
static GtkloopHandle *
first_live_timer (GtkloopLoop *loop)
{
  GtkloopHandle *top;

  while ((top = gtkloop_timer_heap_peek (&loop->timers)) != NULL && top->state == HANDLE_CANCELLED)
    {
      gtkloop_timer_heap_pop (&loop->timers);
      gtkloop_handle_free (&loop->handles, top);
      gtkloop_debug_counter_add (GTKLOOP_COUNTER_HANDLES, -1);
    }
  return top;
}

/* While callbacks are queued, prepare () answers for us and the ready time
 * stays off (it would also defeat the yield iteration); otherwise it is the
 * first timer's deadline, rounded up to GLib's microseconds. */
static void
update_ready_time (GtkloopLoop *loop)
{
  gint64 want = -1;

  if (loop->dispatching || loop->source == NULL)
    return;   /* the dispatch ends with this call */
  /* Off during a yield as well: GLib dispatches a source whose ready time
   * has passed whatever prepare () and check () answer, so a timer already
   * due would take the yield iteration away from GTK. The prepare () after
   * the yield puts it back. */
  if (loop->turn == LOOP_TURN_OURS &&
      !has_queued_work (loop) && first_live_timer (loop) != NULL)
    {
      gint64 when = gtkloop_timer_heap_first_when (&loop->timers);

      want = when <= 0 ? 0 : (when + 999) / 1000;
    }
  if (want != loop->ready_time_us)
    {
      loop->ready_time_us = want;
      g_source_set_ready_time ((GSource *) loop->source, want);
    }
}

/* stop () takes effect at the end of an iteration, and only while a
 * runner iterates: GTK driving the context alone never stops. */
static inline gboolean
stop_is_due (GtkloopLoop *loop)
{
  return (loop->stop == LOOP_STOP_REQUESTED || loop->stop == LOOP_STOP_NOW) &&
         atomic_load (&loop->running);
}

static gboolean
loop_source_prepare (GSource *source,
                     gint    *timeout)
{
  GtkloopLoop *loop = ((GtkloopLoopSource *) source)->loop;

  if (made_before_fork (loop))
    {
      g_source_set_ready_time (source, -1);
      *timeout = -1;
      return FALSE;
    }
  if (loop->turn == LOOP_TURN_YIELD_NEXT)
    {
      loop->turn = LOOP_TURN_GLIBS;
      loop->n_yields++;
      *timeout = 0;
      return FALSE;
    }
  loop->turn = LOOP_TURN_OURS;
  update_ready_time (loop);   /* the yield, if any, is over */
  *timeout = 0;
  if (loop->batch_left > 0 || loop->ready.length > 0 || stop_is_due (loop))
    return TRUE;
  /* Posts may wake us from here on; then one last look for them. */
  gtkloop_inbox_set_consumer_may_sleep (&loop->inbox, TRUE);
  if (gtkloop_inbox_get_n_posted_before_sleep (&loop->inbox) != loop->posts_marked)
    {
      gtkloop_inbox_set_consumer_may_sleep (&loop->inbox, FALSE);
      return TRUE;
    }
  *timeout = -1;
  return FALSE;
}

/* GLib's poll found the epoll fd readable: some watched fd is ready. */
static inline gboolean
fds_polled_ready (GtkloopLoop *loop)
{
  return loop->fds_tag != NULL &&
         (g_source_query_unix_fd ((GSource *) loop->source, loop->fds_tag) & G_IO_IN) != 0;
}

static gboolean
loop_source_check (GSource *source)
{
  GtkloopLoop *loop = ((GtkloopLoopSource *) source)->loop;

  if (made_before_fork (loop))
    return FALSE;
  gtkloop_inbox_set_consumer_may_sleep (&loop->inbox, FALSE);
  if (loop->turn == LOOP_TURN_GLIBS)
    return FALSE;
  return has_queued_work (loop) || fds_polled_ready (loop);
}

/* ---------------------------------------------------------------------- */
/* Running callbacks                                                       */

static void
report_slow_callback (gpointer func,
                      gint64   elapsed_ns)
{
  g_autofree char *name = gtkloop_debug_describe_callback (func);

  g_warning ("Executing %s took %.3f seconds", name, elapsed_ns / 1e9);
}

static void
free_handle (GtkloopLoop   *loop,
             GtkloopHandle *h)
{
  GtkloopFuture *future = h->kind == HANDLE_KIND_FUTURE ? h->future : NULL;

  gtkloop_handle_free (&loop->handles, h);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_HANDLES, -1);
  if (future != NULL)
    gtkloop_future_unref (future);
}

/* A fresh handle from the table, filled in and counted live. */
static inline GtkloopHandle *
init_plain_handle (GtkloopHandle  *h,
                   GtkloopCallback cb,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_HANDLES, 1);
  h->kind = HANDLE_KIND_PLAIN;
  h->cb = cb;
  h->data = data;
  h->destroy = destroy;
  return h;
}

static GtkloopHandle *
new_handle (GtkloopLoop    *loop,
            GtkloopCallback cb,
            gpointer        data,
            GDestroyNotify  destroy)
{
  return init_plain_handle (gtkloop_handle_alloc (&loop->handles), cb, data, destroy);
}

static void
run_handle (GtkloopLoop   *loop,
            GtkloopHandle *h)
{
  gint64 started = 0;

  if (h->state == HANDLE_CANCELLED)
    {
      free_handle (loop, h);
      return;
    }

  h->state = HANDLE_RUNNING;
  if (G_UNLIKELY (loop->debug))
    started = gtkloop_clock_now_ns ();

  if (h->kind == HANDLE_KIND_FUTURE)
    h->future_cb (h->future, h->data);
  else
    h->cb (h->data);

  if (G_UNLIKELY (loop->debug))
    {
      gint64 elapsed = gtkloop_clock_now_ns () - started;

      if (elapsed >= loop->slow_callback_ns)
        report_slow_callback (h->kind == HANDLE_KIND_FUTURE ? (gpointer) h->future_cb : (gpointer) h->cb,
                              elapsed);
    }

  gtkloop_destroy_notify_run (h->destroy, h->data);
  free_handle (loop, h);
}

/* A post from another thread, run in place from the inbox's block: the
 * same as run_handle without the handle. */
static inline void
run_inbox_entry (GtkloopLoop             *loop,
                 const GtkloopInboxEntry *entry)
{
  gint64 started = 0;

  if (G_UNLIKELY (loop->debug))
    started = gtkloop_clock_now_ns ();
  entry->cb (entry->data);
  if (G_UNLIKELY (loop->debug))
    {
      gint64 elapsed = gtkloop_clock_now_ns () - started;

      if (elapsed >= loop->slow_callback_ns)
        report_slow_callback ((gpointer) entry->cb, elapsed);
    }
  gtkloop_destroy_notify_run (entry->destroy, entry->data);
}

/* Posts from other threads join the ready queue as one entry, a mark
 * saying "run the posts up to the N-th": a post that happened before the
 * mark runs before what is queued after it. Marking reads one counter;
 * the posts are read from the inbox's blocks when the mark runs, and the
 * budget bounds how many of them one dispatch runs (run_posts). */
static void
mark_new_posts (GtkloopLoop *loop)
{
  guint64 n_posted = gtkloop_inbox_get_n_posted (&loop->inbox);
  GtkloopHandle *h;

  if (n_posted == loop->posts_marked)
    return;
  loop->posts_marked = n_posted;
  h = new_handle (loop, NULL, NULL, NULL);
  h->kind = HANDLE_KIND_INBOX;
  h->posts_until = n_posted;
  h->state = HANDLE_READY;
  gtkloop_ready_queue_push (&loop->ready, h);
}

static void
take_due_timers (GtkloopLoop *loop)
{
  gint64 now;
  GtkloopHandle *top;

  if (loop->timers.length == 0)
    return;
  now = gtkloop_clock_now_ns ();
  while ((top = gtkloop_timer_heap_peek (&loop->timers)) != NULL &&
         (top->state == HANDLE_CANCELLED || gtkloop_timer_heap_first_when (&loop->timers) <= now))
    {
      gtkloop_timer_heap_pop (&loop->timers);
      if (top->state == HANDLE_CANCELLED)
        {
          free_handle (loop, top);
          continue;
        }
      top->state = HANDLE_READY;
      gtkloop_ready_queue_push (&loop->ready, top);
    }
}

/* asyncio's snapshot: this iteration runs what is ready now, nothing that
 * its callbacks add. */
/* How fd-watches.c queues a ready reader or writer. */
static void
schedule_fd_callback (gpointer        data,
                      GtkloopCallback cb,
                      gpointer        cb_data,
                      GDestroyNotify  destroy)
{
  GtkloopLoop *loop = data;
  GtkloopHandle *h = new_handle (loop, cb, cb_data, destroy);

  h->state = HANDLE_READY;
  gtkloop_ready_queue_push (&loop->ready, h);
}

static void
begin_iteration (GtkloopLoop *loop)
{
  mark_new_posts (loop);
  /* asyncio's _run_once: the selector's events, then the timers due. */
  if (!gtkloop_fd_watches_is_empty (&loop->fds))   /* inline: no call for loops without fds */
    gtkloop_fd_watches_take_ready (&loop->fds, schedule_fd_callback, loop);
  take_due_timers (loop);
  loop->batch_left = loop->ready.length;
  loop->n_iterations++;
}

/* Runs the posts of a mark from where they stopped. TRUE once all have
 * run (the mark leaves the queue); FALSE when the budget ran out, or
 * stop_now () ended the iteration, first: the mark stays at the head of
 * the queue and goes on from there. */
static gboolean
run_posts (GtkloopLoop   *loop,
           GtkloopHandle *h,
           guint         *n,
           gint64         deadline)
{
  GtkloopInbox *inbox = &loop->inbox;
  GtkloopInboxEntry entry;

  while (inbox->n_consumed < h->posts_until)
    {
      gtkloop_inbox_pop (inbox, &entry);
      run_inbox_entry (loop, &entry);
      if (G_UNLIKELY (loop->batch_left == 0))   /* stop_now () */
        return FALSE;
      if (G_UNLIKELY (++*n % CLOCK_CHECK_INTERVAL == 0) &&
          inbox->n_consumed < h->posts_until &&
          gtkloop_clock_now_ns () >= deadline)
        return FALSE;
    }
  gtkloop_ready_queue_pop (&loop->ready);
  loop->batch_left--;
  free_handle (loop, h);
  return TRUE;
}

/* Runs the rest of the current iteration; FALSE when the budget ran out
 * first (the iteration goes on in the next dispatch, in the same order). */
static gboolean
run_batch (GtkloopLoop *loop,
           gint64       deadline)
{
  guint n = 0;

  while (loop->batch_left > 0)
    {
      GtkloopHandle *h = gtkloop_ready_queue_peek (&loop->ready);

      if (h->kind == HANDLE_KIND_INBOX)
        {
          if (!run_posts (loop, h, &n, deadline))
            return loop->batch_left == 0;   /* stop_now () ended the iteration */
          continue;
        }
      loop->batch_left--;
      run_handle (loop, gtkloop_ready_queue_pop (&loop->ready));
      if (G_UNLIKELY (++n % CLOCK_CHECK_INTERVAL == 0) &&
          loop->batch_left > 0 &&
          gtkloop_clock_now_ns () >= deadline)
        return FALSE;
    }
  return TRUE;
}

static gboolean
timer_is_due (GtkloopLoop *loop)
{
  GtkloopHandle *top = first_live_timer (loop);

  return top != NULL && gtkloop_timer_heap_first_when (&loop->timers) <= gtkloop_clock_now_ns ();
}

/* Iterations of one or two callbacks (task hand-offs) are common; reading
 * the clock after each would cost as much as the iteration itself. */
#define ITERATIONS_BETWEEN_CLOCK_READS 8

#define POSTS_LINGER_NS 3000   /* 3 us: a few dozen posts of a busy worker */
#define PAUSES_BETWEEN_LOOKS 64   /* about 3 us on a recent Xeon, less elsewhere */

/* A worker posting in a tight loop is usually a little behind a loop
 * thread that runs its posts straight from the inbox. Sleeping in poll
 * each time the loop catches up would make the worker pay a wake-up (an
 * eventfd write, during which it posts nothing) every few posts and the
 * loop a poll, a read and two context switches. So when posts are
 * streaming in — this dispatch ran several, or the last one that ran any
 * began moments ago — the loop looks for more for a few microseconds
 * before it lets GLib sleep. A single post now and then (W5-lat's, 100 us
 * apart) is not a stream: no spin, which on a CPU shared with the worker
 * would keep the worker waiting in its wake-up call.
 *
 * The loop looks at the count only now and then while it waits: each look
 * takes the cache line of the producers' turn word away from the worker,
 * whose next post must then win it back (on a 2-core Xeon, looking in a
 * tight loop made W5's posts cost 170-260 ns each instead of 46-48). */
#define POSTS_STREAM_GAP_NS 20000   /* 20 us */

static gboolean
more_posts_soon (GtkloopLoop *loop,
                 gint64       deadline)
{
  gint64 until = MIN (gtkloop_clock_now_ns () + POSTS_LINGER_NS, deadline);

  do
    {
      for (guint i = 0; i < PAUSES_BETWEEN_LOOKS; i++)
        gtkloop_cpu_relax ();
      if (gtkloop_inbox_get_n_posted (&loop->inbox) != loop->posts_marked)
        return TRUE;
    }
  while (gtkloop_clock_now_ns () < until);
  return FALSE;
}

static void
run_iterations (GtkloopLoop *loop)
{
  gint64 start = gtkloop_clock_now_ns ();
  gint64 deadline = start + loop->budget_ns;
  guint64 consumed = loop->inbox.n_consumed;
  gboolean streaming = start - loop->posts_dispatch_ns < POSTS_STREAM_GAP_NS;
  guint iterations = 0;

  for (;;)
    {
      /* stop_now () from outside the loop's callbacks (a GTK handler). */
      if (G_UNLIKELY (loop->stop == LOOP_STOP_NOW))
        {
          loop->stop = LOOP_STOP_REACHED;
          break;
        }
      if (loop->batch_left == 0)
        begin_iteration (loop);
      if (!run_batch (loop, deadline))
        break;
      /* An asyncio iteration has ended (or stop_now () ended it early):
       * where stop () takes effect. */
      if (stop_is_due (loop))
        {
          loop->stop = LOOP_STOP_REACHED;
          break;
        }
      if (!has_queued_work (loop) && !timer_is_due (loop))
        {
          guint64 ran = loop->inbox.n_consumed - consumed;

          if (ran == 0 || (ran == 1 && !streaming) || !more_posts_soon (loop, deadline))
            break;
        }
      if (++iterations % ITERATIONS_BETWEEN_CLOCK_READS == 0 && gtkloop_clock_now_ns () >= deadline)
        break;
    }
  if (loop->inbox.n_consumed != consumed)
    loop->posts_dispatch_ns = start;
}

static gboolean
loop_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  GtkloopLoop *loop = ((GtkloopLoopSource *) source)->loop;
  GtkloopLoop *previous = running_loop;
  gboolean hold;

  if (made_before_fork (loop))
    return G_SOURCE_CONTINUE;
  /* A callback may drop the last reference the program holds. A run
   * holds one of its own until it ends, outside any dispatch (and no run
   * begins inside one), so only GLib-driven dispatches take one here: a
   * reference and its release cost a lone post's wake-up a tenth of the
   * loop's share. */
  hold = !atomic_load_explicit (&loop->running, memory_order_relaxed);
  if (hold)
    g_object_ref (loop);
  /* Written only on a change: worker threads read owner on every post. */
  if (!gtkloop_loop_is_owner (loop))
    claim_ownership (loop);
  running_loop = loop;
  loop->dispatching++;
  loop->n_dispatches++;

  run_iterations (loop);

  loop->dispatching--;
  running_loop = previous;
  /* Timers already due count as work here: with only those left, GLib
   * would dispatch us again at once through the ready time, and a few
   * timers rescheduling themselves with call_later (0) starved every
   * source below G_PRIORITY_DEFAULT (test-starvation, busy timers). */
  if (loop->stop != LOOP_STOP_REACHED && (has_queued_work (loop) || timer_is_due (loop)))
    loop->turn = LOOP_TURN_YIELD_NEXT;
  update_ready_time (loop);
  /* A burst took more memory: give it back once things are quiet again
   * (loop-trim.c). */
  if (G_UNLIKELY (gtkloop_loop_memory_mark (loop) != loop->memory_mark))
    gtkloop_loop_trim_note (loop);
  if (hold)
    g_object_unref (loop);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs loop_source_funcs = {
  .prepare = loop_source_prepare,
  .check = loop_source_check,
  .dispatch = loop_source_dispatch,
};

/* ---------------------------------------------------------------------- */
/* Construction                                                            */

static void
registry_add_weak (GtkloopLoop *loop)
{
  pthread_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  if (!g_hash_table_contains (registry, loop->context))
    g_hash_table_insert (registry, loop->context, loop);
  pthread_mutex_unlock (&registry_lock);
}

/* In a fork's child: the contexts' loops are the parent's, so the child
 * makes its own; the lock may have been held by a thread that is not in
 * the child. The copied table is left as it is (its loops are not ours). */
static void
registry_forget_after_fork (void)
{
  pthread_mutex_init (&registry_lock, NULL);
  if (registry != NULL)
    registry_of_parent = registry;
  if (default_loops != NULL)
    default_loops_of_parent = default_loops;
  registry = NULL;
  default_loops = NULL;
  atomic_fetch_add (&registry_generation, 1);
}

static void
registry_remove (GtkloopLoop *loop)
{
  pthread_mutex_lock (&registry_lock);
  if (registry != NULL && g_hash_table_lookup (registry, loop->context) == loop)
    g_hash_table_remove (registry, loop->context);
  atomic_fetch_add (&registry_generation, 1);
  pthread_mutex_unlock (&registry_lock);
}

static void
gtkloop_loop_init (GtkloopLoop *loop)
{
  const char *env = g_getenv ("GTKLOOP_DEBUG");

  gtkloop_handle_table_init (&loop->handles);
  gtkloop_ready_queue_init (&loop->ready);
  gtkloop_timer_heap_init (&loop->timers);
  gtkloop_inbox_init (&loop->inbox);
  gtkloop_fd_watches_init (&loop->fds);
  atomic_init (&loop->running, 0);
  atomic_init (&loop->closed, false);
  claim_ownership (loop);
  loop->ready_time_us = -1;
  loop->budget_ns = DEFAULT_BUDGET_NS;
  loop->slow_callback_ns = DEFAULT_SLOW_NS;
  loop->debug = env != NULL && env[0] != '\0' && strcmp (env, "0") != 0;
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_LOOPS, 1);
}

/* Closing happens here, not in finalize: close takes a reference of its
 * own for the notifies it runs, and in finalize the count is already zero,
 * so that g_object_ref was a critical and the matching unref finalized the
 * loop a second time (test-loop, test_unref_closes). */
static void
gtkloop_loop_dispose (GObject *object)
{
  GtkloopLoop *loop = GTKLOOP_LOOP (object);

  registry_remove (loop);
  if (!atomic_load (&loop->closed))
    {
      /* Closing here is what asyncio's ResourceWarning asks for; the
       * thread dropping the last reference becomes the owner. */
      atomic_store (&loop->running, 0);
      gtkloop_loop_close (loop);
    }

  G_OBJECT_CLASS (gtkloop_loop_parent_class)->dispose (object);
}

static void
gtkloop_loop_finalize (GObject *object)
{
  GtkloopLoop *loop = GTKLOOP_LOOP (object);

  gtkloop_destroy_notify_run (loop->exception_handler_destroy, loop->exception_handler_data);
  gtkloop_inbox_clear (&loop->inbox);
  gtkloop_timer_heap_clear (&loop->timers);
  gtkloop_ready_queue_clear (&loop->ready);
  gtkloop_handle_table_clear (&loop->handles);
  g_main_context_unref (loop->context);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_LOOPS, -1);

  G_OBJECT_CLASS (gtkloop_loop_parent_class)->finalize (object);
}

static void
gtkloop_loop_class_init (GtkloopLoopClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = gtkloop_loop_dispose;
  G_OBJECT_CLASS (klass)->finalize = gtkloop_loop_finalize;
}

/**
 * gtkloop_loop_new:
 * @context: (nullable): the context to run on; %NULL for the global default
 *
 * Makes a loop whose one #GSource is attached to @context. Whatever
 * iterates @context also runs the loop's callbacks and tasks. The calling
 * thread owns the loop until some thread runs it. If @context has no loop
 * yet, this one becomes the one gtkloop_loop_get_default() finds. Any
 * thread. The loop lives until closed (gtkloop_loop_close()) or, if never
 * closed, until its last reference goes, which closes it. Making a loop
 * maps no table, opens no fd and starts no thread (those come when first
 * needed, and their failures are reported there: docs/failures.md), so
 * the system cannot refuse it.
 *
 * Returns: (transfer full): a new loop, never %NULL
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_loop_new (GMainContext *context)
{
  static gsize atfork_installed = 0;
  GtkloopLoop *loop = g_object_new (GTKLOOP_TYPE_LOOP, NULL);
  GSource *source;

  if (g_once_init_enter (&atfork_installed))
    {
      pthread_atfork (NULL, NULL, forked_child);
      g_once_init_leave (&atfork_installed, 1);
    }
  loop->fork_generation = fork_generation;

  loop->context = context ? g_main_context_ref (context) : g_main_context_ref (g_main_context_default ());
  source = g_source_new (&loop_source_funcs, sizeof (GtkloopLoopSource));
  ((GtkloopLoopSource *) source)->loop = loop;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "gtkloop");
  g_source_attach (source, loop->context);
  loop->source = (GtkloopLoopSource *) source;
  registry_add_weak (loop);
  return loop;
}

/**
 * gtkloop_loop_get_default:
 *
 * The loop of the calling thread's thread-default #GMainContext (the
 * global default on the main thread), made on first use. A loop made here
 * lives as long as the process; threads that come and go should use
 * gtkloop_run() or gtkloop_loop_new() on their own context instead. Any
 * thread (each gets its context's loop). A default loop that was closed
 * stays the default: this keeps returning it, closed.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_loop_get_default (void)
{
  GMainContext *context = g_main_context_get_thread_default ();
  guint generation = atomic_load (&registry_generation);
  GtkloopLoop *loop;

  if (context == NULL)
    context = g_main_context_default ();
  if (context == cached_context && generation == cached_generation && cached_loop != NULL)
    return cached_loop;
  g_main_context_ref (context);

  pthread_mutex_lock (&registry_lock);
  loop = registry ? g_hash_table_lookup (registry, context) : NULL;
  pthread_mutex_unlock (&registry_lock);

  if (loop == NULL)
    {
      loop = gtkloop_loop_new (context);
      pthread_mutex_lock (&registry_lock);
      if (default_loops == NULL)
        default_loops = g_ptr_array_new ();
      g_ptr_array_add (default_loops, loop);
      pthread_mutex_unlock (&registry_lock);
    }
  cached_context = context;
  cached_loop = loop;
  cached_generation = generation;
  g_main_context_unref (context);
  return loop;
}

/**
 * gtkloop_loop_get_running:
 *
 * The loop running or dispatching on the calling thread now (asyncio's
 * get_running_loop(), without the raising). Any thread. A closed loop
 * cannot run, so it is never returned.
 *
 * Returns: (transfer none) (nullable): the loop running or dispatching on
 *   the calling thread now, or %NULL
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_loop_get_running (void)
{
  return running_loop;
}

/**
 * gtkloop_loop_ref:
 * @loop: a loop
 *
 * Takes a reference (g_object_ref(), under the name API.md gives it).
 * Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @loop
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_loop_ref (GtkloopLoop *loop)
{
  return g_object_ref (loop);
}

/**
 * gtkloop_loop_unref:
 * @loop: (transfer full): a loop
 *
 * Drops a reference (g_object_unref()). Every future of the loop holds it
 * too. When the last reference goes, a loop that is not closed yet is
 * closed on the calling thread first (what asyncio warns about); close
 * it yourself (gtkloop_loop_close()) to choose when and where its destroy
 * notifies run. Any thread that may close the loop.
 *
 * Since: 0.1
 */
void
gtkloop_loop_unref (GtkloopLoop *loop)
{
  g_object_unref (loop);
}

/**
 * gtkloop_loop_get_context:
 * @loop: a loop
 *
 * The #GMainContext the loop's source is attached to: iterating it runs
 * the loop. Any thread; after close the loop's source has left the
 * context, which is still returned.
 *
 * Returns: (transfer none): the context the loop runs on
 *
 * Since: 0.1
 */
GMainContext *
gtkloop_loop_get_context (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), NULL);
  return loop->context;
}

/**
 * gtkloop_loop_time:
 * @loop: a loop
 *
 * The loop's clock, as asyncio's loop.time(): CLOCK_MONOTONIC in seconds,
 * read afresh on every call. Deadlines for gtkloop_loop_call_at() are on
 * this clock. Any thread; works after the loop is closed.
 *
 * Returns: the time now, in seconds
 *
 * Since: 0.1
 */
double
gtkloop_loop_time (GtkloopLoop *loop)
{
  return gtkloop_clock_now_ns () / 1e9;
}

/* ---------------------------------------------------------------------- */
/* Scheduling                                                              */

/* The refusals call_soon, call_later and call_at share. Programmer errors
 * get a critical; the destroy notify still runs, as the API promises for
 * every notify it is given. TRUE: schedule the callback. */
static inline gboolean
accept_call (GtkloopLoop    *loop,
             GtkloopCallback cb,
             double          time,
             gpointer        data,
             GDestroyNotify  destroy,
             const char     *function)
{
  if (G_UNLIKELY (cb == NULL || isnan (time)))
    g_critical ("%s: %s", function, cb == NULL ? "the callback is NULL" : "the time is NaN");
  else if (G_LIKELY (check_callable (loop, function, TRUE)))
    return TRUE;
  gtkloop_destroy_notify_run (destroy, data);
  return FALSE;
}

/* The public calls that schedule a callback refuse when a table it needs
 * cannot be mapped (docs/failures.md): a warning naming the table, @h (if
 * it was had) given back, @destroy run, 0. The loop's own callbacks (a
 * future's, an fd's, a thread's post already accepted) cannot be refused,
 * so their tables fall back to the C heap instead. Reads errno first. */
G_GNUC_NO_INLINE static guint64
refuse_call (GtkloopLoop    *loop,
             GtkloopHandle  *h,
             gpointer        data,
             GDestroyNotify  destroy,
             const char     *function)
{
  int saved_errno = errno;

  if (h != NULL)
    free_handle (loop, h);
  g_warning ("%s: could not map memory for the loop's %s: %s; the callback is refused",
             function, h != NULL ? "ready queue" : "callback handles", g_strerror (saved_errno));
  gtkloop_destroy_notify_run (destroy, data);
  return 0;
}

/* new_handle () for the calls that can refuse: NULL, errno set. */
static inline GtkloopHandle *
try_new_handle (GtkloopLoop    *loop,
                GtkloopCallback cb,
                gpointer        data,
                GDestroyNotify  destroy)
{
  GtkloopHandle *h = gtkloop_handle_try_alloc (&loop->handles);

  if (G_UNLIKELY (h == NULL))
    return NULL;
  return init_plain_handle (h, cb, data, destroy);
}

/**
 * gtkloop_loop_call_soon:
 * @loop: the loop
 * @cb: (scope notified) (closure data) (destroy destroy): the callback
 * @data: data for @cb
 * @destroy: (nullable): frees @data once: after @cb ran, when the
 *   handle is cancelled, or when the loop closes
 *
 * Schedules @cb (@data) on a later iteration, after everything scheduled
 * before it (FIFO). Loop thread only. A closed loop refuses with a
 * critical (asyncio raises), runs @destroy at once and returns 0. When
 * the loop's callback tables must grow and the system cannot map the
 * memory, the call is refused too, with a warning naming the table
 * instead of a critical: @destroy runs at once, 0 is returned, and the
 * loop goes on.
 *
 * Returns: a handle id for gtkloop_loop_cancel(); 0 on misuse or when
 *   the memory for the callback could not be had
 *
 * Since: 0.1
 */
guint64
gtkloop_loop_call_soon (GtkloopLoop    *loop,
                        GtkloopCallback cb,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  GtkloopHandle *h;

  g_return_val_if_fail (loop != NULL, 0);
  if (!accept_call (loop, cb, 0, data, destroy, G_STRFUNC))
    return 0;

  /* A call_soon_threadsafe that happened before this call runs before it,
   * as in asyncio, where both append to one ready queue. */
  mark_new_posts (loop);
  h = try_new_handle (loop, cb, data, destroy);
  if (G_UNLIKELY (h == NULL))
    return refuse_call (loop, NULL, data, destroy, G_STRFUNC);
  h->state = HANDLE_READY;
  if (G_UNLIKELY (!gtkloop_ready_queue_try_push (&loop->ready, h)))
    return refuse_call (loop, h, data, destroy, G_STRFUNC);
  return gtkloop_handle_id (h);
}

void
gtkloop_loop_call_soon_future (GtkloopLoop          *loop,
                               GtkloopFuture        *future,
                               GtkloopFutureCallback cb,
                               gpointer              data,
                               GDestroyNotify        destroy)
{
  GtkloopHandle *h;

  if (G_UNLIKELY (atomic_load_explicit (&loop->closed, memory_order_relaxed)))
    {
      gtkloop_destroy_notify_run (destroy, data);
      return;
    }

  mark_new_posts (loop);
  h = new_handle (loop, NULL, data, destroy);
  h->kind = HANDLE_KIND_FUTURE;
  h->future_cb = cb;
  h->future = gtkloop_future_ref (future);
  h->state = HANDLE_READY;
  gtkloop_ready_queue_push (&loop->ready, h);
}

static guint64
schedule_timer (GtkloopLoop    *loop,
                gint64          when_ns,
                GtkloopCallback cb,
                gpointer        data,
                GDestroyNotify  destroy,
                const char     *function)
{
  GtkloopHandle *h = try_new_handle (loop, cb, data, destroy);

  if (G_UNLIKELY (h == NULL))
    return refuse_call (loop, NULL, data, destroy, function);

  h->state = HANDLE_TIMER;
  h->timer_seq = ++loop->timer_seq;
  gtkloop_timer_heap_push (&loop->timers, h, when_ns);
  if (gtkloop_timer_heap_peek (&loop->timers) == h)
    update_ready_time (loop);
  return gtkloop_handle_id (h);
}

/**
 * gtkloop_loop_call_later:
 * @loop: the loop
 * @delay: seconds from now; zero or less runs on the next iteration
 * @cb: (scope notified) (closure data) (destroy destroy): the callback
 * @data: data for @cb
 * @destroy: (nullable): frees @data once: after @cb ran, when the
 *   handle is cancelled, or when the loop closes
 *
 * Schedules @cb after @delay seconds, never earlier. Timers with the same
 * deadline run in the order they were scheduled. Loop thread only. A
 * closed loop refuses with a critical, runs @destroy at once and returns
 * 0; closing drops the timers still pending, running their destroy
 * notifies. When the loop's handle table must grow and the system cannot
 * map the memory, the call is refused with a warning naming the table:
 * @destroy runs at once, 0 is returned, and the loop goes on.
 *
 * Returns: a handle id; 0 on misuse or when the memory for the callback
 *   could not be had
 *
 * Since: 0.1
 */
guint64
gtkloop_loop_call_later (GtkloopLoop    *loop,
                         double          delay,
                         GtkloopCallback cb,
                         gpointer        data,
                         GDestroyNotify  destroy)
{
  g_return_val_if_fail (loop != NULL, 0);
  if (!accept_call (loop, cb, delay, data, destroy, G_STRFUNC))
    return 0;
  return schedule_timer (loop, gtkloop_clock_now_ns () + gtkloop_clock_seconds_to_ns_ceil (delay),
                         cb, data, destroy, G_STRFUNC);
}

/**
 * gtkloop_loop_call_at:
 * @loop: the loop
 * @when: a time on the loop's clock (gtkloop_loop_time()); a past time
 *   runs on the next iteration
 * @cb: (scope notified) (closure data) (destroy destroy): the callback
 * @data: data for @cb
 * @destroy: (nullable): frees @data once: after @cb ran, when the
 *   handle is cancelled, or when the loop closes
 *
 * Schedules @cb at @when, never earlier. Loop thread only. A closed loop
 * refuses with a critical, runs @destroy at once and returns 0. When the
 * loop's handle table must grow and the system cannot map the memory, the
 * call is refused with a warning naming the table: @destroy runs at once,
 * 0 is returned, and the loop goes on.
 *
 * Returns: a handle id; 0 on misuse or when the memory for the callback
 *   could not be had
 *
 * Since: 0.1
 */
guint64
gtkloop_loop_call_at (GtkloopLoop    *loop,
                      double          when,
                      GtkloopCallback cb,
                      gpointer        data,
                      GDestroyNotify  destroy)
{
  g_return_val_if_fail (loop != NULL, 0);
  if (!accept_call (loop, cb, when, data, destroy, G_STRFUNC))
    return 0;
  return schedule_timer (loop, gtkloop_clock_seconds_to_ns_ceil (when), cb, data, destroy, G_STRFUNC);
}

/**
 * gtkloop_loop_cancel:
 * @loop: the loop the callback was scheduled on
 * @handle_id: an id from call_soon, call_later or call_at
 *
 * Cancels a callback that has not run yet and runs its destroy notify
 * before returning. Safe for any id: one that already ran, was cancelled,
 * or is running now (a callback cancelling itself) gives %FALSE. Loop
 * thread only. Closing the loop dropped every pending callback, so on a
 * closed loop this returns %FALSE.
 *
 * Returns: %TRUE if the callback was pending and will not run
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_cancel (GtkloopLoop *loop,
                     guint64      handle_id)
{
  GtkloopHandle *h;
  GDestroyNotify destroy;
  gpointer data;

  g_return_val_if_fail (loop != NULL, FALSE);

  if (G_UNLIKELY (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE)))
    return FALSE;

  h = gtkloop_handle_lookup (&loop->handles, handle_id);
  if (h == NULL || (h->state != HANDLE_READY && h->state != HANDLE_TIMER) ||
      h->kind == HANDLE_KIND_INBOX)   /* a mark of posts: its id is never handed out */
    return FALSE;

  /* Marked before the destroy notify runs, so a notify that cancels the
   * same id again gets FALSE. The slot is freed when the queue or heap
   * reaches it. */
  if (h->state == HANDLE_TIMER)
    loop->timers.n_cancelled++;
  h->state = HANDLE_CANCELLED;
  destroy = h->destroy;
  data = h->data;
  h->destroy = NULL;
  h->data = NULL;
  gtkloop_destroy_notify_run (destroy, data);

  if (gtkloop_timer_heap_wants_compaction (&loop->timers))
    {
      guint32 before = loop->handles.n_live;

      gtkloop_timer_heap_compact (&loop->timers, &loop->handles);
      gtkloop_debug_counter_add (GTKLOOP_COUNTER_HANDLES, (long) loop->handles.n_live - (long) before);
    }
  update_ready_time (loop);
  return TRUE;
}

/* A post from any thread: through the inbox, or from the loop's own
 * thread straight to the ready queue; the pause, if any, is the
 * caller's. */
static GtkloopInboxPostResult
post (GtkloopLoop    *loop,
      GtkloopCallback cb,
      gpointer        data,
      GDestroyNotify  destroy)
{
  GtkloopInboxPostResult result;

  /* From the loop's own thread this is call_soon, as in asyncio, where the
   * callback joins the ready queue at once. */
  if (gtkloop_loop_is_owner (loop) && !loop->closing)
    {
      if (atomic_load_explicit (&loop->closed, memory_order_relaxed))
        return GTKLOOP_INBOX_REFUSED;
      gtkloop_loop_call_soon (loop, cb, data, destroy);
      return GTKLOOP_INBOX_POSTED;
    }

  result = gtkloop_inbox_post (&loop->inbox, cb, data, destroy);
  if (result & GTKLOOP_INBOX_WAKE)
    g_main_context_wakeup (loop->context);
  return result;
}

gboolean
gtkloop_loop_post_quiet (GtkloopLoop    *loop,
                         GtkloopCallback cb,
                         gpointer        data,
                         GDestroyNotify  destroy)
{
  GtkloopInboxPostResult result = post (loop, cb, data, destroy);

  if (G_UNLIKELY (result & GTKLOOP_INBOX_PACE))
    g_usleep (GTKLOOP_INBOX_PACING_PAUSE_US);
  return !(result & GTKLOOP_INBOX_REFUSED);
}

/* The public posts' refusal of a closed loop, where asyncio raises. */
static GtkloopInboxPostResult
post_or_refuse (GtkloopLoop    *loop,
                GtkloopCallback cb,
                gpointer        data,
                GDestroyNotify  destroy,
                const char     *function)
{
  GtkloopInboxPostResult result = post (loop, cb, data, destroy);

  if (result & GTKLOOP_INBOX_REFUSED)
    {
      g_critical ("%s: the event loop is closed", function);
      gtkloop_destroy_notify_run (destroy, data);
    }
  return result;
}

/**
 * gtkloop_loop_call_soon_threadsafe:
 * @loop: the loop
 * @cb: (scope notified) (closure data) (destroy destroy): the callback,
 *   run on the loop's thread
 * @data: data for @cb
 * @destroy: (nullable): frees @data once, as for gtkloop_loop_call_soon()
 *
 * The call_soon of other threads: schedules @cb on the loop's thread.
 * Posts from one thread run in the order they were posted. Only a post
 * that finds the inbox empty wakes the loop's context, so bursts are
 * cheap. Any thread. @destroy runs on the loop thread after @cb, or on
 * the closing thread if the loop closes before @cb ran, or at once on
 * the calling thread if the loop is closed already (with a critical, as
 * asyncio raises there).
 *
 * A thread far ahead of the loop is paced: when 8,192 or more posts wait,
 * a post that opens a new block of the inbox sleeps 50 µs after posting
 * (at most once per 1,024 posts), so a flooding worker leaves the CPU to
 * the loop's thread now and then. It never waits for the loop otherwise.
 *
 * Since: 0.1
 */
void
gtkloop_loop_call_soon_threadsafe (GtkloopLoop    *loop,
                                   GtkloopCallback cb,
                                   gpointer        data,
                                   GDestroyNotify  destroy)
{
  g_return_if_fail (loop != NULL);
  g_return_if_fail (cb != NULL);

  if (G_UNLIKELY (post_or_refuse (loop, cb, data, destroy, G_STRFUNC) & GTKLOOP_INBOX_PACE))
    g_usleep (GTKLOOP_INBOX_PACING_PAUSE_US);
}

/**
 * gtkloop_loop_call_soon_threadsafe_unpaced:
 * @loop: the loop
 * @cb: (scope notified) (closure data) (destroy destroy): the callback,
 *   run on the loop's thread
 * @data: data for @cb
 * @destroy: (nullable): frees @data once, as for gtkloop_loop_call_soon()
 *
 * The same as gtkloop_loop_call_soon_threadsafe(), except for the pause:
 * when the loop is far behind, this returns how long the caller should
 * pause instead of sleeping itself. For bindings that hold a lock
 * the loop's thread needs (Python's GIL) and must release it around the
 * pause. Any thread. If the loop is closed already, @destroy runs at once
 * on the calling thread, with a critical, and this returns 0.
 *
 * Returns: the pause in microseconds, or 0 when the loop keeps up
 *
 * Since: 0.1
 */
guint
gtkloop_loop_call_soon_threadsafe_unpaced (GtkloopLoop    *loop,
                                           GtkloopCallback cb,
                                           gpointer        data,
                                           GDestroyNotify  destroy)
{
  g_return_val_if_fail (loop != NULL, 0);
  g_return_val_if_fail (cb != NULL, 0);

  if (post_or_refuse (loop, cb, data, destroy, G_STRFUNC) & GTKLOOP_INBOX_PACE)
    return GTKLOOP_INBOX_PACING_PAUSE_US;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* A run of the loop, for the runners in run.c                             */

gboolean
gtkloop_loop_begin_run (GtkloopLoop *loop,
                        const char  *function,
                        GError     **error)
{
  if (atomic_load (&loop->closed))
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                   "%s: the event loop is closed", function);
      return FALSE;
    }
  /* From what close () runs: a task finishing, a GLib source dispatched
   * while executor jobs come home. */
  if (loop->in_close)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                   "%s: the event loop is closing", function);
      return FALSE;
    }
  if (atomic_load (&loop->running) || loop->dispatching)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT,
                   "%s: this event loop is already running", function);
      return FALSE;
    }
  if (running_loop != NULL)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT,
                   "%s: cannot run the event loop while another loop is running", function);
      return FALSE;
    }
  if (!g_main_context_acquire (loop->context))
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD,
                   "%s: another thread is iterating the loop's GMainContext", function);
      return FALSE;
    }
  claim_ownership (loop);
  /* A callback may drop the program's last reference while we run. */
  g_object_ref (loop);
  atomic_store (&loop->running, 1);
  if (loop->stop == LOOP_STOP_REACHED)
    loop->stop = LOOP_STOP_NONE;
  return TRUE;
}

void
gtkloop_loop_iterate_until_stopped (GtkloopLoop *loop)
{
  GtkloopLoop *previous = running_loop;

  running_loop = loop;
  while (loop->stop != LOOP_STOP_REACHED)
    g_main_context_iteration (loop->context, TRUE);
  running_loop = previous;
}

void
gtkloop_loop_end_run (GtkloopLoop *loop)
{
  loop->stop = LOOP_STOP_NONE;
  atomic_store (&loop->running, 0);
  g_main_context_release (loop->context);
  update_ready_time (loop);
  g_object_unref (loop);
}

/**
 * gtkloop_loop_stop:
 * @loop: the loop
 *
 * Makes run_forever() return once the current iteration has run. Called
 * while the loop is not running, the next run_forever() runs one
 * iteration. Loop thread only. On a closed loop it does nothing (a
 * closed loop does not run again).
 *
 * Since: 0.1
 */
void
gtkloop_loop_stop (GtkloopLoop *loop)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE))
    return;
  if (loop->stop == LOOP_STOP_NONE)
    loop->stop = LOOP_STOP_REQUESTED;
}

/**
 * gtkloop_loop_stop_now:
 * @loop: a loop
 *
 * Like gtkloop_loop_stop(), but run_forever() returns right after the
 * callback that is running: the rest of the iteration stays queued, in
 * order, and runs first in the next run. This is what asyncio does when a
 * callback raises KeyboardInterrupt or SystemExit (the Python binding
 * uses it). While the loop is not running, the same as
 * gtkloop_loop_stop().
 *
 * Loop thread only. On a closed loop it has no effect.
 *
 * Since: 0.1
 */
void
gtkloop_loop_stop_now (GtkloopLoop *loop)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE))
    return;
  if (atomic_load (&loop->running))
    {
      /* The rest of this iteration stays at the head of the ready queue:
       * the next iteration takes it first, as asyncio's next _run_once
       * does, and run_batch needs no check per callback. */
      loop->stop = LOOP_STOP_NOW;
      loop->batch_left = 0;
    }
  else if (loop->stop == LOOP_STOP_NONE)
    loop->stop = LOOP_STOP_REQUESTED;
}

/**
 * gtkloop_loop_is_running:
 * @loop: a loop
 *
 * Whether @loop is running: in run_forever() or run_until_complete(), or
 * dispatching because something else iterates its context (GTK, a
 * #GMainLoop). Any thread (from another one the answer may be stale at
 * once). A closed loop is never running.
 *
 * Returns: %TRUE while the loop runs
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_is_running (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return atomic_load (&loop->running) != 0 || running_loop == loop;
}

/**
 * gtkloop_loop_is_closed:
 * @loop: a loop
 *
 * Whether gtkloop_loop_close() has finished on @loop. Any thread.
 *
 * Returns: %TRUE once the loop is closed
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_is_closed (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return atomic_load (&loop->closed);
}

/* ---------------------------------------------------------------------- */
/* Watching fds (asyncio's add_reader / add_writer)                        */

static gboolean
add_fd_callback (GtkloopLoop        *loop,
                 int                 fd,
                 GtkloopFdDirection  direction,
                 GtkloopCallback     cb,
                 gpointer            data,
                 GDestroyNotify      destroy,
                 const char         *function,
                 GError            **error)
{
  int created_epoll_fd;

  if (G_UNLIKELY (cb == NULL || !gtkloop_loop_check_callable (loop, function, FALSE)))
    {
      if (cb == NULL)
        g_critical ("%s: the callback is NULL", function);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: %s", function, cb == NULL ? "the callback is NULL"
                                                  : "called from a thread that does not own the loop");
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  if (atomic_load_explicit (&loop->closed, memory_order_relaxed) || loop->closing)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                   "%s: the event loop is closed", function);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: invalid fd %d", function, fd);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  if (!gtkloop_fd_watches_set (&loop->fds, fd, direction, cb, data, destroy,
                               &created_epoll_fd, error))
    return FALSE;
  if (created_epoll_fd >= 0)
    loop->fds_tag = g_source_add_unix_fd ((GSource *) loop->source, created_epoll_fd, G_IO_IN);
  return TRUE;
}

/**
 * gtkloop_loop_add_reader:
 * @loop: the loop
 * @fd: a file descriptor that poll() can watch (a pipe, socket, eventfd,
 *   terminal…; not a regular file)
 * @cb: (scope notified) (closure data) (destroy destroy): run on the loop
 *   thread while @fd is readable
 * @data: data for @cb
 * @destroy: (nullable): frees @data once, when the reader is
 *   removed, replaced or the loop closes (after @cb returns, if @cb
 *   removed itself)
 * @error: return location for a #GError
 *
 * asyncio's loop.add_reader(): @cb runs on every loop iteration that finds
 * @fd readable (level-triggered: read what is there, or it runs again),
 * after the callbacks already queued and before the timers due. A reader
 * already on @fd is replaced. Closing @fd while it is watched stops the
 * callbacks; remove the reader before closing, as asyncio asks.
 * Loop-thread only. All watched fds share one epoll fd, so ten thousand
 * idle ones cost an iteration nothing.
 *
 * Returns: %TRUE if @fd is watched; %FALSE with @error (and @destroy run)
 *   for a closed loop (%GTKLOOP_ERROR_CLOSED), a negative or closed fd
 *   (%G_IO_ERROR_INVALID_ARGUMENT
 *   or the errno's #GIOErrorEnum), a regular file
 *   (%G_IO_ERROR_NOT_SUPPORTED), or no epoll fd (%GTKLOOP_ERROR_RESOURCES)
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_add_reader (GtkloopLoop    *loop,
                         int             fd,
                         GtkloopCallback cb,
                         gpointer        data,
                         GDestroyNotify  destroy,
                         GError        **error)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_fd_callback (loop, fd, GTKLOOP_FD_READ, cb, data, destroy, G_STRFUNC, error);
}

/**
 * gtkloop_loop_add_writer:
 * @loop: the loop
 * @fd: a file descriptor that poll() can watch
 * @cb: (scope notified) (closure data) (destroy destroy): run on the loop
 *   thread while @fd is writable
 * @data: data for @cb
 * @destroy: (nullable): frees @data once, as for gtkloop_loop_add_reader()
 * @error: return location for a #GError
 *
 * asyncio's loop.add_writer(): as gtkloop_loop_add_reader(), for
 * writability. Remove the writer once there is nothing left to write, or
 * it runs on every iteration. Loop thread only. A closed loop refuses
 * with %GTKLOOP_ERROR_CLOSED and runs @destroy at once; closing removes
 * every writer, running their destroy notifies.
 *
 * Returns: %TRUE if @fd is watched; %FALSE with @error (and @destroy run)
 *   for the same failures as gtkloop_loop_add_reader()
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_add_writer (GtkloopLoop    *loop,
                         int             fd,
                         GtkloopCallback cb,
                         gpointer        data,
                         GDestroyNotify  destroy,
                         GError        **error)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_fd_callback (loop, fd, GTKLOOP_FD_WRITE, cb, data, destroy, G_STRFUNC, error);
}

static gboolean
remove_fd_callback (GtkloopLoop        *loop,
                    int                 fd,
                    GtkloopFdDirection  direction,
                    const char         *function)
{
  if (!gtkloop_loop_check_callable (loop, function, FALSE))
    return FALSE;
  return gtkloop_fd_watches_remove (&loop->fds, fd, direction);
}

/**
 * gtkloop_loop_remove_reader:
 * @loop: the loop
 * @fd: the file descriptor given to gtkloop_loop_add_reader()
 *
 * asyncio's loop.remove_reader(): stops watching @fd for reading; its
 * destroy notify runs (after the callback returns, when called from it).
 * A callback already found ready and not run yet does not run. Loop
 * thread only. Closing removed every reader, so on a closed loop this
 * returns %FALSE.
 *
 * Returns: %TRUE if @fd had a reader
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_remove_reader (GtkloopLoop *loop,
                            int          fd)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return remove_fd_callback (loop, fd, GTKLOOP_FD_READ, G_STRFUNC);
}

/**
 * gtkloop_loop_remove_writer:
 * @loop: the loop
 * @fd: the file descriptor given to gtkloop_loop_add_writer()
 *
 * asyncio's loop.remove_writer(), as gtkloop_loop_remove_reader(). Loop
 * thread only; on a closed loop it returns %FALSE.
 *
 * Returns: %TRUE if @fd had a writer
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_remove_writer (GtkloopLoop *loop,
                            int          fd)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return remove_fd_callback (loop, fd, GTKLOOP_FD_WRITE, G_STRFUNC);
}

/* ---------------------------------------------------------------------- */
/* Closing                                                                 */

static void
drop_handle (GtkloopLoop   *loop,
             GtkloopHandle *h)
{
  GDestroyNotify destroy = h->state != HANDLE_CANCELLED ? h->destroy : NULL;
  gpointer data = h->data;

  /* Out of the queue or heap already: marked running before the notify,
   * so a notify that cancels its own handle gets FALSE instead of running
   * itself a second time. */
  h->state = HANDLE_RUNNING;
  h->destroy = NULL;
  h->data = NULL;
  gtkloop_destroy_notify_run (destroy, data);
  free_handle (loop, h);
}

/* The destroy notifies of every post up to @n_posted not run yet;
 * returns how many. */
static guint
drop_posts (GtkloopLoop *loop,
            guint64      n_posted)
{
  GtkloopInboxEntry entry;
  guint dropped = 0;

  while (loop->inbox.n_consumed < n_posted)
    {
      gtkloop_inbox_pop (&loop->inbox, &entry);
      gtkloop_destroy_notify_run (entry.destroy, entry.data);
      dropped++;
    }
  return dropped;
}

/* Every pending callback's destroy notify runs; no callback does. A notify
 * may schedule more, so go until all three stores stay empty. */
static guint
drop_pending (GtkloopLoop *loop)
{
  guint dropped = 0;
  gboolean more = TRUE;

  while (more)
    {
      GtkloopHandle *h;
      guint n;

      more = FALSE;
      n = drop_posts (loop, gtkloop_inbox_get_n_posted (&loop->inbox));
      dropped += n;
      more = n > 0;
      while ((h = gtkloop_ready_queue_pop (&loop->ready)) != NULL)
        {
          if (h->kind == HANDLE_KIND_INBOX)
            free_handle (loop, h);   /* its posts are dropped above */
          else
            {
              dropped += h->state != HANDLE_CANCELLED;
              drop_handle (loop, h);
            }
          more = TRUE;
        }
      while ((h = gtkloop_timer_heap_pop (&loop->timers)) != NULL)
        {
          dropped += h->state != HANDLE_CANCELLED;
          drop_handle (loop, h);
          more = TRUE;
        }
    }
  loop->posts_marked = gtkloop_inbox_get_n_posted (&loop->inbox);
  loop->batch_left = 0;
  return dropped;
}

static void
drop_inbox_for_good (GtkloopLoop *loop)
{
  guint64 n_posted = gtkloop_inbox_close (&loop->inbox);

  drop_posts (loop, n_posted);
  loop->posts_marked = n_posted;
}

/**
 * gtkloop_loop_close:
 * @loop: the loop
 *
 * Closes a loop that is not running: pending tasks are cancelled and run
 * to their end (see the task docs), the default executor is shut down,
 * its streams are closed, its Unix signal handlers are removed (each
 * signal gets back what it had before), then every callback still
 * scheduled is dropped and its destroy notify runs, the source leaves
 * the context, and the loop refuses new work. Any thread may close a loop
 * its owner has stopped running; it becomes the owner. Closing a running
 * loop is refused with a critical, as is closing it from a loop callback
 * (a dispatch is under way), also from inside a g_main_context_iteration()
 * that callback makes; a GLib source that GTK dispatches may close the
 * loop while no runner runs it. Closing twice does nothing, and so does a
 * close made from what the close itself runs (a task finishing, a callback
 * or GLib source dispatched while executor jobs come home): the outer
 * close completes.
 *
 * Since: 0.1
 */
void
gtkloop_loop_close (GtkloopLoop *loop)
{
  guint dropped;

  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  /* Close iterates the context (executor jobs coming home) and runs the
   * pending tasks to their end: a close from a callback, task body or
   * GLib source run by that would free what the outer close still uses.
   * It returns at once; the outer close completes the work. */
  if (loop->in_close)
    return;
  if (atomic_load (&loop->running) || loop->dispatching)
    {
      g_critical ("%s: cannot close a running event loop", G_STRFUNC);
      return;
    }
  if (atomic_load (&loop->closed))
    return;

  g_object_ref (loop);
  loop->in_close = TRUE;
  claim_ownership (loop);
  if (close_hooks.finish_tasks)
    close_hooks.finish_tasks (loop);
  if (close_hooks.shutdown_executor)
    close_hooks.shutdown_executor (loop);
  /* Waiting for executor jobs iterated the loop: a callback may have
   * started a task meanwhile. */
  if (close_hooks.finish_tasks && loop->tasks != NULL)
    close_hooks.finish_tasks (loop);
  if (close_hooks.close_streams)
    close_hooks.close_streams (loop);
  if (close_hooks.drop_signal_handlers)
    close_hooks.drop_signal_handlers (loop);

  loop->closing = TRUE;
  dropped = drop_pending (loop);
  atomic_store (&loop->closed, true);
  drop_inbox_for_good (loop);
  gtkloop_fd_watches_clear (&loop->fds);
  loop->fds_tag = NULL;
  g_source_destroy ((GSource *) loop->source);
  g_source_unref ((GSource *) loop->source);
  loop->source = NULL;
  gtkloop_loop_trim_at_close (loop);
  loop->closing = FALSE;
  loop->in_close = FALSE;

  if (loop->debug && dropped > 0)
    g_message ("gtkloop: closing the loop dropped %u pending callback%s",
               dropped, dropped == 1 ? "" : "s");
  g_object_unref (loop);
}

/* ---------------------------------------------------------------------- */
/* Debugging and errors                                                    */

/**
 * gtkloop_loop_set_debug:
 * @loop: a loop
 * @enabled: whether to turn debug mode on
 *
 * asyncio's debug mode: slow callbacks are reported (see
 * gtkloop_loop_set_slow_callback_duration()), and closing reports how
 * many callbacks it dropped. Also on when the environment variable
 * `GTKLOOP_DEBUG` is set (not to 0) as the loop is made; see
 * docs/debugging.md. Loop thread only; it may be set on a closed loop,
 * to no effect.
 *
 * Since: 0.1
 */
void
gtkloop_loop_set_debug (GtkloopLoop *loop,
                        gboolean     enabled)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));
  loop->debug = !!enabled;
}

/**
 * gtkloop_loop_get_debug:
 * @loop: a loop
 *
 * Whether debug mode is on (gtkloop_loop_set_debug()). Loop thread only;
 * works after the loop is closed.
 *
 * Returns: %TRUE in debug mode
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_get_debug (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  return loop->debug;
}

/**
 * gtkloop_loop_set_slow_callback_duration:
 * @loop: a loop
 * @seconds: callbacks running at least this long are reported in debug
 *   mode (asyncio's slow_callback_duration; default 0.1)
 *
 * Sets how long a callback or task step may run before debug mode
 * reports it as slow. Loop thread only; it may be set on a closed loop,
 * to no effect.
 *
 * Since: 0.1
 */
void
gtkloop_loop_set_slow_callback_duration (GtkloopLoop *loop,
                                         double       seconds)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));
  g_return_if_fail (seconds >= 0);
  loop->slow_callback_ns = gtkloop_clock_seconds_to_ns_ceil (seconds);
}

/**
 * gtkloop_loop_get_slow_callback_duration:
 * @loop: a loop
 *
 * The threshold set with gtkloop_loop_set_slow_callback_duration().
 * Loop thread only; works after the loop is closed.
 *
 * Returns: the duration in seconds
 *
 * Since: 0.1
 */
double
gtkloop_loop_get_slow_callback_duration (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), 0);
  return loop->slow_callback_ns / 1e9;
}

/**
 * gtkloop_loop_set_dispatch_budget:
 * @loop: a loop
 * @seconds: the longest the loop runs callbacks before GLib's other
 *   sources (GTK's input, layout and paint) get an iteration; default 1 ms
 *
 * An asyncio iteration longer than the budget is split over dispatches in
 * the same order. The budget is checked every 64 callbacks. Loop thread
 * only; it may be set on a closed loop, to no effect.
 *
 * Since: 0.1
 */
void
gtkloop_loop_set_dispatch_budget (GtkloopLoop *loop,
                                  double       seconds)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));
  g_return_if_fail (seconds > 0);
  loop->budget_ns = gtkloop_clock_seconds_to_ns_ceil (seconds);
}

/**
 * gtkloop_loop_get_dispatch_budget:
 * @loop: a loop
 *
 * The budget set with gtkloop_loop_set_dispatch_budget(). Loop thread
 * only; works after the loop is closed.
 *
 * Returns: the budget in seconds
 *
 * Since: 0.1
 */
double
gtkloop_loop_get_dispatch_budget (GtkloopLoop *loop)
{
  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), 0);
  return loop->budget_ns / 1e9;
}

/**
 * gtkloop_loop_set_exception_handler:
 * @loop: the loop
 * @handler: (nullable) (scope notified) (closure data) (destroy destroy):
 *   the handler; %NULL restores the default
 * @data: data for @handler
 * @destroy: (nullable): frees @data when the handler is replaced or the
 *   loop is finalized
 *
 * Sets what receives errors nobody else could: task errors never
 * retrieved, tasks freed while pending. The default logs a warning.
 * Loop thread only. The handler outlives close: futures freed after it
 * still report there, until the loop is finalized.
 *
 * Since: 0.1
 */
void
gtkloop_loop_set_exception_handler (GtkloopLoop            *loop,
                                    GtkloopExceptionHandler handler,
                                    gpointer                data,
                                    GDestroyNotify          destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  old_destroy = loop->exception_handler_destroy;
  old_data = loop->exception_handler_data;
  loop->exception_handler = handler;
  loop->exception_handler_data = data;
  loop->exception_handler_destroy = destroy;
  gtkloop_destroy_notify_run (old_destroy, old_data);
}

/**
 * gtkloop_loop_default_exception_handler:
 * @loop: (nullable): the loop concerned
 * @context: what happened
 *
 * What a loop without a handler does: logs @context as a warning. A
 * handler may call it for the cases it does not handle itself. Any
 * thread; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_loop_default_exception_handler (GtkloopLoop               *loop,
                                        const GtkloopErrorContext *context)
{
  g_return_if_fail (context != NULL);

  g_warning ("%s%s%s%s%s",
             context->message ? context->message : "Unhandled error in event loop",
             context->callback_name ? " in " : "",
             context->callback_name ? context->callback_name : "",
             context->error ? ": " : "",
             context->error ? context->error->message : "");
}

/**
 * gtkloop_loop_call_exception_handler:
 * @loop: the loop
 * @context: what happened; read during the call only
 *
 * Hands @context to @loop's exception handler, or to
 * gtkloop_loop_default_exception_handler() if it has none. For code
 * built on gtkloop that meets an error nobody will see otherwise. Loop
 * thread only (the handler expects to run there); works after the loop
 * is closed.
 *
 * Since: 0.1
 */
void
gtkloop_loop_call_exception_handler (GtkloopLoop               *loop,
                                     const GtkloopErrorContext *context)
{
  g_return_if_fail (GTKLOOP_IS_LOOP (loop));
  g_return_if_fail (context != NULL);

  if (loop->exception_handler)
    loop->exception_handler (loop, context, loop->exception_handler_data);
  else
    gtkloop_loop_default_exception_handler (loop, context);
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */

guint64
gtkloop_loop_get_n_wakeups (GtkloopLoop *loop)
{
  return atomic_load (&loop->inbox.n_wakeups);
}

guint64
gtkloop_loop_get_n_yields (GtkloopLoop *loop)
{
  return loop->n_yields;
}

guint64
gtkloop_loop_get_n_iterations (GtkloopLoop *loop)
{
  return loop->n_iterations;
}

guint
gtkloop_loop_get_n_pending (GtkloopLoop *loop)
{
  guint n = 0;

  /* Counted, not tracked: cancelled handles keep their slot until the
   * queue or heap reaches them, and only tests ask. */
  for (guint32 i = 0; i < loop->ready.length; i++)
    n += loop->ready.ring[(loop->ready.head + i) & loop->ready.mask]->state != HANDLE_CANCELLED;
  for (guint32 i = 0; i < loop->timers.length; i++)
    n += loop->timers.items[i].handle->state != HANDLE_CANCELLED;
  return n;
}
