#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <glib.h>

#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/**
 * GTKLOOP_ERROR:
 *
 * The error domain of gtkloop's own conditions. Cancellation is always
 * `G_IO_ERROR_CANCELLED` and a timeout `G_IO_ERROR_TIMED_OUT`, so GIO code
 * and gtkloop code test errors the same way.
 *
 * Since: 0.1
 */
#define GTKLOOP_ERROR (gtkloop_error_quark ())

/**
 * GtkloopError:
 * @GTKLOOP_ERROR_INVALID_STATE: asyncio's InvalidStateError: the result
 *   of a pending future, a bounded semaphore released too often, an
 *   object bound to another loop
 * @GTKLOOP_ERROR_CLOSED: the loop is closed, or the executor shut down
 * @GTKLOOP_ERROR_NOT_IN_TASK: a suspension point called outside a task
 * @GTKLOOP_ERROR_WRONG_THREAD: a loop-bound call made from another thread
 * @GTKLOOP_ERROR_QUEUE_EMPTY: asyncio's QueueEmpty: get_nowait on an
 *   empty queue
 * @GTKLOOP_ERROR_QUEUE_FULL: asyncio's QueueFull: put_nowait on a full
 *   queue
 * @GTKLOOP_ERROR_BROKEN_BARRIER: asyncio's BrokenBarrierError: waiting on
 *   a barrier that was reset or aborted
 * @GTKLOOP_ERROR_REENTRANT: a nested run_*, or a suspension point inside a
 *   nested main-loop iteration
 * @GTKLOOP_ERROR_RESOURCES: no stack, thread or fd could be had
 * @GTKLOOP_ERROR_QUEUE_SHUT_DOWN: asyncio's QueueShutDown (Python 3.13):
 *   put or get on a shut-down queue
 *
 * The codes of %GTKLOOP_ERROR, gtkloop's own conditions. Cancellation is
 * %G_IO_ERROR_CANCELLED and a timeout %G_IO_ERROR_TIMED_OUT, as in GIO.
 *
 * Since: 0.1
 */
typedef enum {
  GTKLOOP_ERROR_INVALID_STATE,
  GTKLOOP_ERROR_CLOSED,
  GTKLOOP_ERROR_NOT_IN_TASK,
  GTKLOOP_ERROR_WRONG_THREAD,
  GTKLOOP_ERROR_QUEUE_EMPTY,
  GTKLOOP_ERROR_QUEUE_FULL,
  GTKLOOP_ERROR_BROKEN_BARRIER,
  GTKLOOP_ERROR_REENTRANT,
  GTKLOOP_ERROR_RESOURCES,
  GTKLOOP_ERROR_QUEUE_SHUT_DOWN,
} GtkloopError;

GTKLOOP_AVAILABLE_IN_ALL
GQuark gtkloop_error_quark (void);

G_END_DECLS
