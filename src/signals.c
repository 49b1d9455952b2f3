/* Unix signals on the loop: asyncio's add_signal_handler and
 * remove_signal_handler.
 *
 * A signal belongs to at most one loop at a time, process-wide (`slots`),
 * since a disposition is the process's. The callback always runs as a loop
 * callback, queued on the loop's thread; the signal reaches the loop one of
 * two ways:
 *
 * - SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH: a GLib signal
 *   source on the loop's context. GLib keeps one handler per signal for the
 *   whole process and wakes every source of that signal, so an
 *   application's g_unix_signal_add on the same signal keeps working beside
 *   ours; a handler of our own would take the signal from it, and GLib
 *   would set SIG_DFL over ours when its last source went.
 * - Every other catchable signal (GLib refuses them): a handler of ours
 *   writes the signal number to the owning loop's wake-up pipe, which the
 *   loop watches among its fd watches; reading it queues one run per byte,
 *   as asyncio's set_wakeup_fd and _process_self_data.
 *
 * A run queued before its handler was removed or replaced does not run:
 * the data it would get has been let go (asyncio would still run it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "destroy-notify-private.h"
#include "loop-private.h"

/* The signal handler touches only these atomics, and write (2): that is
 * async-signal-safe only while they are lock-free. */
G_STATIC_ASSERT (ATOMIC_INT_LOCK_FREE == 2);
/* A signal number travels through the pipe as one byte. */
G_STATIC_ASSERT (NSIG <= 256);

typedef struct
{
  gint            ref_count;   /* (atomic) the slot's, and one per queued run */
  GtkloopLoop    *loop;        /* (unowned) the loop holds its handlers */
  GtkloopCallback cb;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        removed;     /* queued runs find it gone and do nothing */
  guint           running;     /* depth of cb: removed meanwhile, data goes after it returns */
} SignalHandler;

typedef struct
{
  GtkloopLoop     *owner;        /* NULL: the signal is free */
  SignalHandler   *handler;      /* (owned) */
  GSource         *glib_source;  /* (owned) GLib's way in; NULL: our handler */
  struct sigaction previous;     /* what was there before, restored when it goes */
  gboolean         previous_is_glibs; /* GLib's handler was there already: GLib keeps it */
} SignalSlot;

/* What a GLib signal source calls back with. */
typedef struct
{
  GtkloopLoop *loop;
  int          signum;
} GlibWayIn;

/* A disposition to put back once GLib has let go of the signal. */
typedef struct
{
  int              signum;
  struct sigaction previous;
} PendingRestore;

/* One loop's share: the wake-up pipe, while any of its signals is on our
 * handler. Loop-thread only. */
typedef struct
{
  GtkloopLoop *loop;
  int          wake_read;    /* -1: no pipe */
  int          wake_write;
  guint        n_ours;       /* its signals on our handler */
  gboolean     dropping;     /* close is removing them: refuse new ones */
} LoopSignals;

static GMutex     slots_lock;   /* slots; never taken in the signal handler */
static SignalSlot slots[NSIG];
static GQuark     loop_signals_quark;

/* All the signal handler reads: the write end for each signal, -1 when
 * none. Both sides use sequentially consistent order on these two: the
 * handler counts itself in, then reads the fd; closing a pipe stores -1,
 * then waits for the count to be zero. Sequential consistency makes at
 * least one side see the other's store, so no handler writes to an fd
 * number after it was closed (and perhaps reused). */
static atomic_int wake_fds[NSIG];
static atomic_int handlers_in_flight;

static void drop_for_close (GtkloopLoop *loop);

static void
ensure_initialized (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      GtkloopLoopCloseHooks hooks = { .drop_signal_handlers = drop_for_close };

      for (int i = 0; i < NSIG; i++)
        atomic_store (&wake_fds[i], -1);
      loop_signals_quark = g_quark_from_static_string ("gtkloop-signals");
      gtkloop_loop_set_close_hooks (&hooks);
      g_once_init_leave (&initialized, 1);
    }
}

/* "SIGALRM", or "signal 33" for one without a name. */
static const char *
signal_label (int   signum,
              char *buf,
              gsize size)
{
  const char *abbrev = signum > 0 && signum < NSIG ? sigabbrev_np (signum) : NULL;

  if (abbrev != NULL)
    g_snprintf (buf, size, "SIG%s", abbrev);
  else
    g_snprintf (buf, size, "signal %d", signum);
  return buf;
}

#define SIGNAL_LABEL(signum) signal_label ((signum), (char[32]) { 0 }, 32)

/* The signal handler ------------------------------------------------------ */

static void
on_signal (int signum)
{
  int saved_errno = errno;
  int fd;

  atomic_fetch_add (&handlers_in_flight, 1);
  fd = atomic_load (&wake_fds[signum]);
  if (fd >= 0)
    {
      unsigned char byte = (unsigned char) signum;

      /* A full pipe already wakes the loop: this signal coalesces. */
      if (write (fd, &byte, 1) < 0)
        {
        }
    }
  atomic_fetch_sub (&handlers_in_flight, 1);
  errno = saved_errno;
}

/* Handler records ---------------------------------------------------------- */

static SignalHandler *
handler_ref (SignalHandler *h)
{
  g_atomic_int_inc (&h->ref_count);
  return h;
}

static void
handler_unref (gpointer data)
{
  SignalHandler *h = data;

  if (g_atomic_int_dec_and_test (&h->ref_count))
    g_free (h);
}

static void
handler_release_data (SignalHandler *h)
{
  GDestroyNotify destroy = h->destroy;
  gpointer data = h->data;

  h->destroy = NULL;
  h->data = NULL;
  gtkloop_destroy_notify_run (destroy, data);
}

/* The slot let h go: its data goes now, or after its callback returns. */
static void
handler_retire (SignalHandler *h)
{
  h->removed = TRUE;
  if (h->running == 0)
    handler_release_data (h);
  handler_unref (h);
}

static void
run_handler (gpointer data)
{
  SignalHandler *h = data;

  if (h->removed)
    return;
  h->running++;
  h->cb (h->data);
  h->running--;
  if (h->removed && h->running == 0)
    handler_release_data (h);
}

/* Queues one run of signum's handler on loop, if loop still has one. */
static void
queue_run (GtkloopLoop *loop,
           int          signum)
{
  SignalHandler *h = NULL;

  if (signum <= 0 || signum >= NSIG)
    return;
  g_mutex_lock (&slots_lock);
  if (slots[signum].owner == loop && slots[signum].handler != NULL)
    h = handler_ref (slots[signum].handler);
  g_mutex_unlock (&slots_lock);
  if (h != NULL)
    gtkloop_loop_call_soon (loop, run_handler, h, handler_unref);
}

/* Our own way in: the wake-up pipe -------------------------------------------- */

static LoopSignals *
loop_signals_get (GtkloopLoop *loop)
{
  LoopSignals *ls = g_object_get_qdata (G_OBJECT (loop), loop_signals_quark);

  if (ls == NULL)
    {
      ls = g_new0 (LoopSignals, 1);
      ls->loop = loop;
      ls->wake_read = -1;
      ls->wake_write = -1;
      g_object_set_qdata_full (G_OBJECT (loop), loop_signals_quark, ls, g_free);
    }
  return ls;
}

/* asyncio's _read_from_self: everything there, one run per byte. */
static void
on_wake_readable (gpointer data)
{
  LoopSignals *ls = data;
  unsigned char buf[256];

  for (;;)
    {
      ssize_t n = read (ls->wake_read, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      for (ssize_t i = 0; i < n; i++)
        queue_run (ls->loop, buf[i]);
    }
}

static gboolean
wake_pipe_open (LoopSignals *ls,
                GError     **error)
{
  int fds[2];

  if (ls->wake_read >= 0)
    return TRUE;
  if (pipe2 (fds, O_NONBLOCK | O_CLOEXEC) != 0)
    {
      int saved = errno;

      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "Could not create a wake-up pipe for signals: %s", g_strerror (saved));
      return FALSE;
    }
  if (!gtkloop_loop_add_reader (ls->loop, fds[0], on_wake_readable, ls, NULL, error))
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  ls->wake_read = fds[0];
  ls->wake_write = fds[1];
  return TRUE;
}

/* Called once no signal points at the pipe any more (wake_fds). */
static void
wake_pipe_close (LoopSignals *ls)
{
  gtkloop_loop_remove_reader (ls->loop, ls->wake_read);
  /* A handler that read the fd before it was cleared may still be about
   * to write to it. It runs to its end in bounded time, even on this
   * thread (it interrupted us, so it is over). */
  while (atomic_load (&handlers_in_flight) != 0)
    sched_yield ();
  close (ls->wake_read);
  close (ls->wake_write);
  ls->wake_read = -1;
  ls->wake_write = -1;
}

static gboolean
install_our_handler (LoopSignals *ls,
                     int          signum,
                     SignalSlot  *slot,
                     GError     **error)
{
  struct sigaction sa;

  if (!wake_pipe_open (ls, error))
    return FALSE;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  /* asyncio's signal.siginterrupt (sig, False): system calls restart. */
  sa.sa_flags = SA_RESTART | SA_ONSTACK;
  sigemptyset (&sa.sa_mask);
  atomic_store (&wake_fds[signum], ls->wake_write);
  if (sigaction (signum, &sa, &slot->previous) != 0)
    {
      int saved = errno;

      atomic_store (&wake_fds[signum], -1);
      if (ls->n_ours == 0)
        wake_pipe_close (ls);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s cannot be handled: %s", SIGNAL_LABEL (signum), g_strerror (saved));
      return FALSE;
    }
  ls->n_ours++;
  slot->glib_source = NULL;
  return TRUE;
}

static void
remove_our_handler (LoopSignals *ls,
                    int          signum,
                    SignalSlot  *slot)
{
  sigaction (signum, &slot->previous, NULL);
  atomic_store (&wake_fds[signum], -1);
  if (--ls->n_ours == 0)
    wake_pipe_close (ls);
}

/* GLib's way in ------------------------------------------------------------- */

static gboolean
is_glibs (int signum)
{
  return signum == SIGHUP || signum == SIGINT || signum == SIGTERM ||
         signum == SIGUSR1 || signum == SIGUSR2 || signum == SIGWINCH;
}

static gboolean
on_glib_signal (gpointer data)
{
  GlibWayIn *way_in = data;

  queue_run (way_in->loop, way_in->signum);
  return G_SOURCE_CONTINUE;
}

/* GLib sets SIG_DFL when it finalizes the last GLib source of a signal:
 * then put back what was there before ours. FALSE while GLib's handler is
 * still there. */
static gboolean
restore_if_glib_let_go (int                     signum,
                        const struct sigaction *previous)
{
  struct sigaction now;

  if (sigaction (signum, NULL, &now) != 0)
    return TRUE;
  if ((now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_DFL)
    return FALSE;
  sigaction (signum, previous, NULL);
  return TRUE;
}

static gboolean
restore_later (gpointer data)
{
  PendingRestore *r = data;

  g_mutex_lock (&slots_lock);
  if (slots[r->signum].owner == NULL)
    restore_if_glib_let_go (r->signum, &r->previous);
  g_mutex_unlock (&slots_lock);
  return G_SOURCE_REMOVE;
}

static void
install_glib_source (GtkloopLoop *loop,
                     int          signum,
                     SignalSlot  *slot)
{
  GlibWayIn *way_in = g_new0 (GlibWayIn, 1);
  struct sigaction glibs;
  GSource *source;

  way_in->loop = loop;
  way_in->signum = signum;
  sigaction (signum, NULL, &slot->previous);
  source = g_unix_signal_source_new (signum);
  sigaction (signum, NULL, &glibs);
  slot->previous_is_glibs = slot->previous.sa_handler == glibs.sa_handler;
  g_source_set_callback (source, on_glib_signal, way_in, g_free);
  g_source_set_static_name (source, "[gtkloop] Unix signal");
  g_source_attach (source, gtkloop_loop_get_context (loop));
  slot->glib_source = source;
}

/* Slots ------------------------------------------------------------------------ */

/* Frees slots[signum], which loop owns, and gives back its handler. Called
 * with slots_lock held. */
static SignalHandler *
slot_release (LoopSignals *ls,
              int          signum)
{
  SignalSlot *slot = &slots[signum];
  SignalHandler *h = slot->handler;

  if (slot->glib_source != NULL)
    {
      GMainContext *context = g_source_get_context (slot->glib_source);

      g_source_destroy (slot->glib_source);
      g_clear_pointer (&slot->glib_source, g_source_unref);
      if (!slot->previous_is_glibs && !restore_if_glib_let_go (signum, &slot->previous))
        {
          /* An application's GLib source holds the signal (GLib sets
           * SIG_DFL when it goes), or ours was found ready in the GLib
           * iteration running now, which finalizes it at its end: look
           * again in the next one. */
          PendingRestore *r = g_new (PendingRestore, 1);
          GSource *idle = g_idle_source_new ();

          r->signum = signum;
          r->previous = slot->previous;
          g_source_set_priority (idle, G_PRIORITY_HIGH);
          g_source_set_callback (idle, restore_later, r, g_free);
          g_source_set_static_name (idle, "[gtkloop] signal disposition");
          g_source_attach (idle, context);
          g_source_unref (idle);
        }
    }
  else
    remove_our_handler (ls, signum, slot);
  slot->owner = NULL;
  slot->handler = NULL;
  return h;
}

static void
drop_for_close (GtkloopLoop *loop)
{
  LoopSignals *ls = g_object_get_qdata (G_OBJECT (loop), loop_signals_quark);

  if (ls == NULL)
    return;
  ls->dropping = TRUE;
  for (int signum = 1; signum < NSIG; signum++)
    {
      SignalHandler *h = NULL;

      g_mutex_lock (&slots_lock);
      if (slots[signum].owner == loop)
        h = slot_release (ls, signum);
      g_mutex_unlock (&slots_lock);
      if (h != NULL)
        handler_retire (h);
    }
}

/* What no loop may handle: FALSE with the reason. */
static gboolean
check_signum (int          signum,
              const char  *function,
              GError     **error)
{
  if (signum <= 0 || signum >= NSIG)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: invalid signal number %d (valid: 1 to %d)", function, signum, NSIG - 1);
  else if (signum == SIGKILL || signum == SIGSTOP)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: %s cannot be caught", function, SIGNAL_LABEL (signum));
  else if (signum == SIGCHLD)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "%s: SIGCHLD belongs to GLib's child watches (GSubprocess, "
                 "g_child_watch_add), which gtkloop's subprocesses use: "
                 "learn that a child ended from those", function);
  else if (signum == SIGSEGV || signum == SIGBUS || signum == SIGFPE || signum == SIGILL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "%s: %s reports a fault of the instruction running, which runs "
                 "again when the handler returns: it cannot wait for the loop",
                 function, SIGNAL_LABEL (signum));
  else
    return TRUE;
  return FALSE;
}

/**
 * gtkloop_loop_add_signal_handler:
 * @loop: the loop
 * @signum: a signal number: any catchable signal but SIGCHLD and the
 *   faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL)
 * @cb: (scope notified) (closure data) (destroy destroy): run on the
 *   loop's thread, as a loop callback, after the signal arrived
 * @data: data for @cb
 * @destroy: (nullable): frees @data once, when the handler is
 *   removed, replaced, the loop closes (after @cb returns, if @cb removed
 *   it), or at once if the call fails
 * @error: return location for a #GError
 *
 * asyncio's loop.add_signal_handler(). @cb never runs in the signal
 * handler: the signal is noted there, and @cb is queued like a call_soon
 * callback once the loop reads the note. SIGHUP, SIGINT, SIGTERM, SIGUSR1,
 * SIGUSR2 and SIGWINCH arrive through a GLib signal source on the loop's
 * context, so application code using g_unix_signal_add() on the same
 * signal keeps working; any other signal through a handler of the loop's
 * own that writes to a wake-up pipe among its fd watches (asyncio's way),
 * one run of @cb per signal noted. A handler already on @signum is
 * replaced. Removing the last handler of a signal restores what was there
 * before. A signal has one loop at a time in the process, whichever thread
 * that loop runs on. Loop-thread only.
 *
 * Returns: %TRUE if @cb handles @signum; %FALSE with @error (and @destroy
 *   run) for a closed loop (%GTKLOOP_ERROR_CLOSED), an invalid number or
 *   SIGKILL and SIGSTOP (%G_IO_ERROR_INVALID_ARGUMENT), SIGCHLD or a fault
 *   signal (%G_IO_ERROR_NOT_SUPPORTED), a signal another loop handles
 *   (%GTKLOOP_ERROR_INVALID_STATE), one the C library keeps for itself
 *   (the errno's #GIOErrorEnum), or no wake-up pipe
 *   (%GTKLOOP_ERROR_RESOURCES)
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_add_signal_handler (GtkloopLoop    *loop,
                                 int             signum,
                                 GtkloopCallback cb,
                                 gpointer        data,
                                 GDestroyNotify  destroy,
                                 GError        **error)
{
  LoopSignals *ls;
  SignalSlot *slot;
  SignalHandler *h, *replaced = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (G_UNLIKELY (cb == NULL))
    {
      g_critical ("%s: the callback is NULL", G_STRFUNC);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: the callback is NULL", G_STRFUNC);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  if (G_UNLIKELY (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE)))
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD,
                   "%s: called from a thread that does not own the loop", G_STRFUNC);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  ensure_initialized ();
  ls = loop_signals_get (loop);
  if (gtkloop_loop_is_closed (loop) || loop->closing || ls->dropping)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                   "%s: the event loop is closed", G_STRFUNC);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  if (!check_signum (signum, G_STRFUNC, error))
    {
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }

  h = g_new0 (SignalHandler, 1);
  h->ref_count = 1;
  h->loop = loop;
  h->cb = cb;
  h->data = data;
  h->destroy = destroy;

  g_mutex_lock (&slots_lock);
  slot = &slots[signum];
  if (slot->owner == loop)
    replaced = slot->handler;
  else if (slot->owner != NULL)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                   "%s: %s is handled by another loop (a signal has one loop "
                   "at a time in the process): remove it there first",
                   G_STRFUNC, SIGNAL_LABEL (signum));
      ok = FALSE;
    }
  else if (is_glibs (signum))
    install_glib_source (loop, signum, slot);
  else
    ok = install_our_handler (ls, signum, slot, error);
  if (ok)
    {
      slot->owner = loop;
      slot->handler = h;
    }
  g_mutex_unlock (&slots_lock);

  if (!ok)
    handler_retire (h);
  else if (replaced != NULL)
    handler_retire (replaced);
  return ok;
}

/**
 * gtkloop_loop_remove_signal_handler:
 * @loop: the loop
 * @signum: the signal number given to gtkloop_loop_add_signal_handler()
 *
 * asyncio's loop.remove_signal_handler(): @signum's handler on @loop goes
 * and its destroy notify runs (after the callback returns, when called
 * from it); a run already queued does not happen. The last handler of a
 * signal puts back the disposition that was there before it, and the
 * loop's wake-up pipe is closed with its last signal. Loop-thread only.
 *
 * Returns: %TRUE if @loop had a handler for @signum
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_remove_signal_handler (GtkloopLoop *loop,
                                    int          signum)
{
  LoopSignals *ls;
  SignalHandler *h = NULL;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE))
    return FALSE;
  if (signum <= 0 || signum >= NSIG)
    return FALSE;
  ensure_initialized ();
  ls = g_object_get_qdata (G_OBJECT (loop), loop_signals_quark);
  if (ls == NULL)
    return FALSE;

  g_mutex_lock (&slots_lock);
  if (slots[signum].owner == loop)
    h = slot_release (ls, signum);
  g_mutex_unlock (&slots_lock);
  if (h == NULL)
    return FALSE;
  handler_retire (h);
  return TRUE;
}
