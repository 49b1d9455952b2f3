#pragma once

/* fd readiness for one loop: asyncio's add_reader/add_writer on an epoll
 * set. The loop's GSource polls the epoll fd as its one GPollFD, so an
 * iteration costs the same with ten thousand idle fds as with one (GLib's
 * own poll walks every GPollFD it is given).
 *
 * This room knows nothing of the loop: at the start of an asyncio
 * iteration the loop asks it for what became ready, and it hands back one
 * callback per ready reader or writer through the loop's schedule
 * function. Level-triggered, as asyncio's selectors: a reader whose fd
 * stays readable runs on every iteration until it reads or is removed.
 * Loop-thread only. */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

typedef enum
{
  GTKLOOP_FD_READ,
  GTKLOOP_FD_WRITE,
} GtkloopFdDirection;

typedef struct
{
  int         epoll_fd;    /* -1 until the first watch */
  GHashTable *by_fd;       /* (owned) (nullable) fd -> GtkloopFdWatch (owned) */
  gpointer    events;      /* (owned) (nullable) struct epoll_event[capacity] */
  guint       capacity;
} GtkloopFdWatches;

/* How the loop queues a ready callback: like call_soon, with @destroy run
 * once after @cb ran or when the loop drops it. */
typedef void (*GtkloopFdSchedule) (gpointer        loop,
                                   GtkloopCallback cb,
                                   gpointer        data,
                                   GDestroyNotify  destroy);

void     gtkloop_fd_watches_init   (GtkloopFdWatches  *w);

/* Watches @fd for @direction, replacing a callback already there (whose
 * destroy notify runs: after it returns, if it is running now). FALSE
 * with an error, @destroy run at once and nothing changed, if the fd
 * cannot be watched (not open, a regular file, no epoll fd to be had).
 * *created_epoll_fd is set to the new epoll fd when this call made it,
 * else to -1: the loop then adds it to its source. */
gboolean gtkloop_fd_watches_set    (GtkloopFdWatches   *w,
                                    int                 fd,
                                    GtkloopFdDirection  direction,
                                    GtkloopCallback     cb,
                                    gpointer            data,
                                    GDestroyNotify      destroy,
                                    int                *created_epoll_fd,
                                    GError            **error);

/* TRUE if @fd had a callback for @direction, which is gone now (its
 * destroy notify as above). A callback that was ready and not run yet
 * does not run. */
gboolean gtkloop_fd_watches_remove (GtkloopFdWatches   *w,
                                    int                 fd,
                                    GtkloopFdDirection  direction);

static inline gboolean
gtkloop_fd_watches_is_empty (const GtkloopFdWatches *w)
{
  return w->by_fd == NULL || g_hash_table_size (w->by_fd) == 0;
}

/* Asks the epoll set, without waiting, what is ready now, and schedules
 * one run of each ready callback (readers first within a fd). */
void     gtkloop_fd_watches_take_ready (GtkloopFdWatches  *w,
                                        GtkloopFdSchedule  schedule,
                                        gpointer           loop);

/* Every watch removed, their destroy notifies run, the epoll fd closed. */
void     gtkloop_fd_watches_clear  (GtkloopFdWatches  *w);

G_END_DECLS
