#pragma once

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

typedef enum {
  FUTURE_PENDING,
  FUTURE_FINISHED,   /* with a result or an error */
  FUTURE_CANCELLED,
} FutureState;

/* What a kind of future (plain, task, …) adds to the base behaviour. A task
 * embeds GtkloopFuture first, so GTKLOOP_FUTURE (task) is the same pointer. */
typedef struct
{
  gsize        instance_size;
  const char  *unretrieved_error_message;   /* "Future exception was never retrieved" */
  /* Called by gtkloop_future_cancel (); a plain future just finishes cancelled. */
  gboolean   (*cancel)   (GtkloopFuture *f, const char *msg);
  /* Frees what the kind added; the base part is freed after it. */
  void       (*finalize) (GtkloopFuture *f);
  /* gtkloop_future_is_task (): other kinds (gather, shield) are not tasks. */
  gboolean     is_task;
} GtkloopFutureClass;

typedef struct
{
  GtkloopFutureCallback cb;
  gpointer              data;
  GDestroyNotify        destroy;
} GtkloopDoneCallback;

struct _GtkloopFuture
{
  const GtkloopFutureClass *klass;
  gint                ref_count;         /* (atomic) */
  guint8              state;             /* FutureState; (loop-thread) */
  guint8              error_retrieved;   /* someone looked at the error */
  GtkloopLoop        *loop;              /* (unowned): the loop's futures share one
                                          * hold on it (gtkloop_loop_hold_for_future) */
  gpointer            result;            /* (owned by result_destroy) */
  GDestroyNotify      result_destroy;
  GError             *error;             /* (owned) (nullable): failure, or the cancellation */
  GtkloopDoneCallback first_callback;    /* most futures have one waiter: no allocation */
  GArray             *more_callbacks;    /* (owned) (nullable) of GtkloopDoneCallback */
  guint               n_callbacks;
};

extern const GtkloopFutureClass gtkloop_plain_future_class;

GtkloopFuture *gtkloop_future_new_of_class (const GtkloopFutureClass *klass,
                                            GtkloopLoop              *loop);

/* Completion without the public checks (a task's own outcome, internal
 * futures). FALSE, with value/error freed, if f is already done. */
gboolean gtkloop_future_resolve          (GtkloopFuture  *f,
                                          gpointer        value,
                                          GDestroyNotify  destroy);
gboolean gtkloop_future_reject           (GtkloopFuture  *f,
                                          GError         *error);

/* The base cancellation: finish cancelled with msg, schedule callbacks. */
gboolean gtkloop_future_finish_cancelled (GtkloopFuture *f,
                                          const char    *msg);

/* A new G_IO_ERROR_CANCELLED error carrying msg (or a default text). */
GError  *gtkloop_cancelled_error_new     (const char    *msg);

/* The loop-thread check that all future calls share. */
gboolean gtkloop_future_check_thread     (GtkloopFuture *f,
                                          const char    *function);

static inline gboolean
gtkloop_future_is_pending (GtkloopFuture *f)
{
  return f->state == FUTURE_PENDING;
}

G_END_DECLS
