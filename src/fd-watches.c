/* fd watches on an epoll set (see fd-watches-private.h).
 *
 * Each watched fd has one GtkloopFdWatch holding its reader and its
 * writer. When epoll says the fd is ready, the loop is handed a run of the
 * callback, which holds a reference on the watch. Removing or replacing
 * the callback before that run bumps its generation, so the queued run
 * finds it gone and does nothing: asyncio cancels the handle instead.
 * A callback that removes or replaces itself keeps its data until it
 * returns. */
#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <gio/gio.h>

#include "destroy-notify-private.h"
#include "fd-watches-private.h"

#define MAX_EVENTS_PER_POLL 4096   /* the rest stay ready for the next iteration */

typedef struct
{
  GtkloopCallback cb;                 /* NULL: none */
  gpointer        data;
  GDestroyNotify  destroy;
  guint32         generation;         /* bumped by every set and remove */
  guint32         queued_generation;  /* what a queued run was made for */
  gboolean        queued;
  gboolean        running;            /* inside cb */
  GDestroyNotify  deferred_destroy;   /* the running cb's, removed meanwhile */
  gpointer        deferred_data;
} FdCallback;

typedef struct
{
  gint       ref_count;   /* (atomic) the table's, and one per queued run */
  int        fd;
  guint32    events;      /* what the epoll set has for fd now; 0: not in it */
  FdCallback callbacks[2];   /* indexed by GtkloopFdDirection */
} GtkloopFdWatch;

static GtkloopFdWatch *
fd_watch_ref (GtkloopFdWatch *watch)
{
  g_atomic_int_inc (&watch->ref_count);
  return watch;
}

static void
fd_watch_unref (gpointer data)
{
  GtkloopFdWatch *watch = data;

  if (g_atomic_int_dec_and_test (&watch->ref_count))
    g_free (watch);
}

/* Forgets c's callback. The data of the callback running now is kept
 * until it returns; any other is let go at once. */
static void
callback_clear (FdCallback *c)
{
  GDestroyNotify destroy = c->destroy;
  gpointer data = c->data;

  c->cb = NULL;
  c->data = NULL;
  c->destroy = NULL;
  c->generation++;
  if (c->running && c->deferred_destroy == NULL && destroy != NULL)
    {
      c->deferred_destroy = destroy;
      c->deferred_data = data;
      return;
    }
  gtkloop_destroy_notify_run (destroy, data);
}

void
gtkloop_fd_watches_init (GtkloopFdWatches *w)
{
  w->epoll_fd = -1;
  w->by_fd = NULL;
  w->events = NULL;
  w->capacity = 0;
}

static gboolean
ensure_epoll_fd (GtkloopFdWatches *w,
                 int              *created_epoll_fd,
                 GError          **error)
{
  *created_epoll_fd = -1;
  if (w->epoll_fd >= 0)
    return TRUE;
  w->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (w->epoll_fd < 0)
    {
      int saved = errno;

      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "Could not create an epoll fd: %s", g_strerror (saved));
      return FALSE;
    }
  w->by_fd = g_hash_table_new_full (NULL, NULL, NULL, fd_watch_unref);
  *created_epoll_fd = w->epoll_fd;
  return TRUE;
}

static guint32
wanted_events (GtkloopFdWatch *watch)
{
  return (watch->callbacks[GTKLOOP_FD_READ].cb != NULL ? EPOLLIN : 0) |
         (watch->callbacks[GTKLOOP_FD_WRITE].cb != NULL ? EPOLLOUT : 0);
}

/* Brings the epoll set in line with watch's callbacks. A closed fd has
 * left the set by itself (ENOENT, EBADF), and a new fd of the same number
 * is added afresh. */
static int
sync_epoll (GtkloopFdWatches *w,
            GtkloopFdWatch   *watch,
            guint32           events)
{
  struct epoll_event ev = { .events = events, .data.ptr = watch };
  int op, rc;

  if (events == 0)
    {
      if (watch->events != 0)
        epoll_ctl (w->epoll_fd, EPOLL_CTL_DEL, watch->fd, NULL);
      watch->events = 0;
      return 0;
    }
  op = watch->events != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  rc = epoll_ctl (w->epoll_fd, op, watch->fd, &ev);
  if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
    rc = epoll_ctl (w->epoll_fd, EPOLL_CTL_ADD, watch->fd, &ev);
  else if (rc != 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
    rc = epoll_ctl (w->epoll_fd, EPOLL_CTL_MOD, watch->fd, &ev);
  if (rc != 0)
    return errno;
  watch->events = events;
  return 0;
}

static void
set_fd_error (GError **error,
              int      fd,
              int      saved_errno)
{
  if (saved_errno == EPERM)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "fd %d cannot be watched: it is always ready (a regular file or directory)", fd);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "fd %d cannot be watched: %s", fd, g_strerror (saved_errno));
}

static GtkloopFdWatch *
lookup_or_add (GtkloopFdWatches *w,
               int               fd)
{
  GtkloopFdWatch *watch = g_hash_table_lookup (w->by_fd, GINT_TO_POINTER (fd));

  if (watch == NULL)
    {
      watch = g_new0 (GtkloopFdWatch, 1);
      watch->ref_count = 1;
      watch->fd = fd;
      g_hash_table_insert (w->by_fd, GINT_TO_POINTER (fd), watch);
    }
  return watch;
}

static void
forget_if_unused (GtkloopFdWatches *w,
                  GtkloopFdWatch   *watch)
{
  if (wanted_events (watch) == 0)
    g_hash_table_remove (w->by_fd, GINT_TO_POINTER (watch->fd));
}

gboolean
gtkloop_fd_watches_set (GtkloopFdWatches   *w,
                        int                 fd,
                        GtkloopFdDirection  direction,
                        GtkloopCallback     cb,
                        gpointer            data,
                        GDestroyNotify      destroy,
                        int                *created_epoll_fd,
                        GError            **error)
{
  GtkloopFdWatch *watch;
  FdCallback *c;
  guint32 events;
  int failure;

  if (!ensure_epoll_fd (w, created_epoll_fd, error))
    {
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }
  watch = lookup_or_add (w, fd);
  events = wanted_events (watch) | (direction == GTKLOOP_FD_READ ? EPOLLIN : EPOLLOUT);
  failure = sync_epoll (w, watch, events);
  if (failure != 0)
    {
      set_fd_error (error, fd, failure);
      forget_if_unused (w, watch);
      gtkloop_destroy_notify_run (destroy, data);
      return FALSE;
    }

  c = &watch->callbacks[direction];
  if (c->cb != NULL)
    callback_clear (c);
  else
    c->generation++;
  c->cb = cb;
  c->data = data;
  c->destroy = destroy;
  return TRUE;
}

gboolean
gtkloop_fd_watches_remove (GtkloopFdWatches   *w,
                           int                 fd,
                           GtkloopFdDirection  direction)
{
  GtkloopFdWatch *watch;
  FdCallback *c;

  if (w->by_fd == NULL)
    return FALSE;
  watch = g_hash_table_lookup (w->by_fd, GINT_TO_POINTER (fd));
  if (watch == NULL || watch->callbacks[direction].cb == NULL)
    return FALSE;

  /* The table's reference keeps watch alive until forget_if_unused. */
  c = &watch->callbacks[direction];
  callback_clear (c);
  sync_epoll (w, watch, wanted_events (watch));
  forget_if_unused (w, watch);
  return TRUE;
}

static void
run_callback (GtkloopFdWatch    *watch,
              GtkloopFdDirection direction)
{
  FdCallback *c = &watch->callbacks[direction];
  GtkloopCallback cb = c->cb;
  gpointer data = c->data;

  /* One run is queued at a time, so this is it: the next events may
   * queue another, whatever this one finds. */
  c->queued = FALSE;
  if (c->queued_generation != c->generation || cb == NULL)
    return;   /* removed or replaced since it became ready */
  c->running = TRUE;
  cb (data);
  c->running = FALSE;
  if (c->deferred_destroy != NULL)
    {
      GDestroyNotify destroy = c->deferred_destroy;

      c->deferred_destroy = NULL;
      destroy (c->deferred_data);
    }
}

static void
run_reader (gpointer data)
{
  run_callback (data, GTKLOOP_FD_READ);
}

static void
run_writer (gpointer data)
{
  run_callback (data, GTKLOOP_FD_WRITE);
}

static void
queue_run (GtkloopFdWatch    *watch,
           GtkloopFdDirection direction,
           GtkloopFdSchedule  schedule,
           gpointer           loop)
{
  FdCallback *c = &watch->callbacks[direction];

  if (c->cb == NULL || c->queued)
    return;
  c->queued = TRUE;
  c->queued_generation = c->generation;
  schedule (loop, direction == GTKLOOP_FD_READ ? run_reader : run_writer,
            fd_watch_ref (watch), fd_watch_unref);
}

void
gtkloop_fd_watches_take_ready (GtkloopFdWatches  *w,
                               GtkloopFdSchedule  schedule,
                               gpointer           loop)
{
  struct epoll_event *events;
  guint want;
  int n;

  if (gtkloop_fd_watches_is_empty (w))
    return;
  want = MIN (g_hash_table_size (w->by_fd), MAX_EVENTS_PER_POLL);
  if (want > w->capacity)
    {
      w->capacity = want;
      w->events = g_renew (struct epoll_event, w->events, w->capacity);
    }
  events = w->events;
  do
    n = epoll_wait (w->epoll_fd, events, w->capacity, 0);
  while (n < 0 && errno == EINTR);

  /* Nothing runs between epoll_wait and here, so every watch named is
   * still in the table. A hang-up or error wakes both sides, as asyncio's
   * selectors report it to readers and writers alike. */
  for (int i = 0; i < n; i++)
    {
      GtkloopFdWatch *watch = events[i].data.ptr;
      guint32 got = events[i].events;

      if (got & (EPOLLIN | EPOLLHUP | EPOLLERR))
        queue_run (watch, GTKLOOP_FD_READ, schedule, loop);
      if (got & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        queue_run (watch, GTKLOOP_FD_WRITE, schedule, loop);
    }
}

void
gtkloop_fd_watches_clear (GtkloopFdWatches *w)
{
  if (w->by_fd != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, w->by_fd);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          GtkloopFdWatch *watch = value;

          for (int d = GTKLOOP_FD_READ; d <= GTKLOOP_FD_WRITE; d++)
            if (watch->callbacks[d].cb != NULL)
              callback_clear (&watch->callbacks[d]);
          g_hash_table_iter_remove (&iter);
        }
      g_clear_pointer (&w->by_fd, g_hash_table_unref);
    }
  if (w->epoll_fd >= 0)
    close (w->epoll_fd);
  w->epoll_fd = -1;
  g_clear_pointer (&w->events, g_free);
  w->capacity = 0;
}
