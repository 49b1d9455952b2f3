/* A signal connected to a task: qasync's asyncSlot, in C.
 *
 * Each emission copies the signal's arguments and starts a task on the loop
 * that was current when the connection was made. The connection is a
 * refcounted record held by the signal's closure and by every task it
 * started, so the user data lives until the handler is gone *and* the last
 * task has finished. When the closure is invalidated — the handler was
 * disconnected or the instance disposed — the connection cancels every task
 * it still runs: a task started by a widget's signal never outlives the
 * widget's handlers. */
#include "config.h"

#include "destroy-notify-private.h"
#include "gtk-private.h"

typedef struct
{
  gint                   ref_count;  /* (atomic) */
  GtkloopLoop           *loop;       /* (owned) */
  GThread               *thread;     /* the loop's thread: emissions from others are posted */
  GtkloopSignalTaskFunc  func;
  gpointer               user_data;
  GDestroyNotify         destroy;
  GtkloopReentryPolicy   policy;
  char                  *label;      /* (owned) "GtkButton::clicked", the tasks' name */
  GQueue                 running;    /* (loop-thread) GtkloopTask, each referenced, oldest first */
  gboolean               ended;      /* (loop-thread) the closure was invalidated */
} Connection;

typedef struct
{
  Connection  *conn;      /* (owned) */
  gpointer     instance;  /* not referenced: the task is cancelled when it goes */
  GArray      *args;      /* (owned) */
  GPtrArray   *previous;  /* (owned) (nullable) RESTART: the tasks to let finish first */
} Emission;

typedef struct
{
  Connection *conn;       /* (owned) */
  gpointer    instance;   /* (owned) a reference taken on the emitting thread */
  GArray     *args;       /* (owned) */
} PostedEmission;

static Connection *
connection_ref (Connection *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

static void
connection_unref (gpointer data)
{
  Connection *conn = data;

  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  g_assert (g_queue_is_empty (&conn->running));
  gtkloop_destroy_notify_run (conn->destroy, conn->user_data);
  g_object_unref (conn->loop);
  g_free (conn->label);
  g_free (conn);
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_clear_pointer (&e->previous, g_ptr_array_unref);
  g_array_unref (e->args);
  connection_unref (e->conn);
  g_free (e);
}

static void
resolve_when_finished (GtkloopFuture *previous,
                       gpointer       finished)
{
  gtkloop_future_set_result (finished, NULL, NULL);
}

/* Waits until @previous is done. It waits on a future of its own rather
 * than on @previous, whose cancellation would otherwise read as ours.
 * FALSE: the waiting task itself was cancelled. */
static gboolean
wait_finished (GtkloopLoop *loop,
               GtkloopTask *previous)
{
  g_autoptr(GtkloopFuture) finished = NULL;

  if (gtkloop_future_is_done (GTKLOOP_FUTURE (previous)))
    return TRUE;
  finished = gtkloop_future_new (loop);
  gtkloop_future_add_done_callback (GTKLOOP_FUTURE (previous), resolve_when_finished,
                                    gtkloop_future_ref (finished),
                                    (GDestroyNotify) gtkloop_future_unref);
  return gtkloop_await (finished, NULL);
}

/* The task body: for RESTART, first wait until every task it cancelled has
 * wound down. A task cancelled before its first step never runs this, so
 * each restart waits for all of them, not only for the newest. */
static void
run_emission (GtkloopTask *task,
              gpointer     data)
{
  Emission *e = data;

  for (guint i = 0; e->previous != NULL && i < e->previous->len; i++)
    if (!wait_finished (e->conn->loop, g_ptr_array_index (e->previous, i)))
      return;   /* cancelled while waiting: restarted again, or the connection ended */
  g_clear_pointer (&e->previous, g_ptr_array_unref);

  e->conn->func (task, e->instance, (const GValue *) e->args->data, e->args->len,
                 e->conn->user_data);
}

typedef struct
{
  Connection  *conn;   /* (owned) */
  GtkloopTask *task;   /* the reference conn->running holds */
} RunningLink;

static void
task_finished (GtkloopFuture *f,
               gpointer       data)
{
}

/* The done callback's destroy notify, not the callback, lets go of the
 * task: it runs also when a closing loop drops the callback, which would
 * otherwise leave a task <-> connection cycle behind. */
static void
running_link_free (gpointer data)
{
  RunningLink *link = data;

  if (g_queue_remove (&link->conn->running, link->task))
    gtkloop_task_unref (link->task);
  connection_unref (link->conn);
  g_free (link);
}

static gboolean
any_unfinished (Connection *conn)
{
  for (GList *l = conn->running.head; l != NULL; l = l->next)
    if (!gtkloop_future_is_done (l->data))
      return TRUE;
  return FALSE;
}

/* RESTART: cancels every unfinished task and returns them, referenced. */
static GPtrArray *
cancel_unfinished (Connection *conn)
{
  GPtrArray *cancelled = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_task_unref);

  for (GList *l = conn->running.head; l != NULL; l = l->next)
    if (!gtkloop_future_is_done (l->data))
      {
        gtkloop_task_cancel (l->data, "restarted by a new emission");
        g_ptr_array_add (cancelled, gtkloop_task_ref (l->data));
      }
  return cancelled;
}

/* On the loop's thread. Takes args. */
static void
start_task (Connection *conn,
            gpointer    instance,
            GArray     *args)
{
  GtkloopTaskOptions options = { .name = conn->label };
  gboolean busy = any_unfinished (conn);
  GtkloopTask *task;
  RunningLink *link;
  Emission *e;

  if (conn->ended || (conn->policy == GTKLOOP_REENTRY_IGNORE && busy))
    {
      g_array_unref (args);
      return;
    }

  e = g_new0 (Emission, 1);
  e->conn = connection_ref (conn);
  e->instance = instance;
  e->args = args;
  if (conn->policy == GTKLOOP_REENTRY_RESTART && busy)
    e->previous = cancel_unfinished (conn);

  task = gtkloop_loop_create_task_full (conn->loop, run_emission, e, emission_free, &options);
  g_queue_push_tail (&conn->running, task);
  link = g_new (RunningLink, 1);
  link->conn = connection_ref (conn);
  link->task = task;
  gtkloop_future_add_done_callback (GTKLOOP_FUTURE (task), task_finished, link, running_link_free);
}

static void
start_posted (gpointer data)
{
  PostedEmission *p = data;

  start_task (p->conn, p->instance, g_steal_pointer (&p->args));
}

static void
posted_free (gpointer data)
{
  PostedEmission *p = data;

  g_clear_pointer (&p->args, g_array_unref);
  /* Dropped on the loop's thread: if this was the last reference, the
   * instance is disposed there, after the task it started was set up. */
  g_object_unref (p->instance);
  connection_unref (p->conn);
  g_free (p);
}

static void
marshal_emission (GClosure     *closure,
                  GValue       *return_value,
                  guint         n_param_values,
                  const GValue *param_values,
                  gpointer      invocation_hint,
                  gpointer      marshal_data)
{
  Connection *conn = closure->data;
  gpointer instance = g_value_peek_pointer (&param_values[0]);
  GArray *args = gtkloop_gtk_copy_signal_args (n_param_values, param_values);

  /* return_value keeps its zero default (FALSE for ::close-request): the
   * task's outcome is not known until later. */
  if (g_thread_self () == conn->thread)
    {
      start_task (conn, instance, args);
    }
  else
    {
      PostedEmission *p = g_new0 (PostedEmission, 1);

      p->conn = connection_ref (conn);
      p->instance = g_object_ref (instance);
      p->args = args;
      gtkloop_loop_call_soon_threadsafe (conn->loop, start_posted, p, posted_free);
    }
}

/* On the loop's thread. */
static void
end_connection (gpointer data)
{
  Connection *conn = data;
  g_autofree char *msg = g_strdup_printf ("%s: the signal handler was disconnected or the instance disposed",
                                          conn->label);

  conn->ended = TRUE;
  for (GList *l = conn->running.head; l != NULL; l = l->next)
    gtkloop_task_cancel (l->data, msg);
}

static void
closure_invalidated (gpointer  data,
                     GClosure *closure)
{
  Connection *conn = data;

  if (g_thread_self () == conn->thread)
    end_connection (conn);
  else
    gtkloop_loop_call_soon_threadsafe (conn->loop, end_connection,
                                       connection_ref (conn), connection_unref);
}

static void
closure_finalized (gpointer  data,
                   GClosure *closure)
{
  connection_unref (data);
}

/**
 * gtkloop_signal_connect_task: (skip)
 * @instance: (type GObject.Object): the object whose signal to connect
 * @detailed_signal: "signal-name" or "signal-name::detail"
 * @func: (scope notified) (closure user_data) (destroy destroy): the task body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the handler is gone and the
 *   last task it started has finished
 * @policy: what a new emission does while a task of this connection runs
 *
 * Connects @detailed_signal so that each emission starts a task running
 * @func on the loop of the calling thread (gtkloop_gtk_get_loop() on GTK's
 * main thread): qasync's `asyncSlot`. The task gets copies of the signal's
 * arguments after the instance (objects referenced, strings and boxed
 * values copied; plain pointers are only addresses, and the emission is
 * over by the time the task starts). The handler returns the return type's
 * zero value (FALSE, NULL) at once.
 *
 * Disconnecting the handler (g_signal_handler_disconnect() with the
 * returned id) or disposing @instance cancels the tasks still running.
 * @instance is not referenced, so a widget goes away as it normally would:
 * once a suspension point of the task has failed with
 * %G_IO_ERROR_CANCELLED, the task must not touch @instance again — return.
 *
 * An emission on another thread than the loop's is posted to the loop with
 * gtkloop_loop_call_soon_threadsafe() (holding a reference on @instance
 * until the task is set up). A task's error nobody retrieved is reported
 * through the loop's exception handler, as for any task nobody awaits.
 *
 * |[<!-- language="C" -->
 * static void
 * on_fetch_clicked (GtkloopTask *task, gpointer button, const GValue *args,
 *                   guint n_args, gpointer label)
 * {
 *   gtk_label_set_text (label, "Fetching…");
 *   if (!gtkloop_sleep (3.0, NULL))   // FALSE: cancelled; the button may be gone
 *     return;
 *   gtk_label_set_text (label, "300");
 * }
 * …
 * gtkloop_signal_connect_task (button, "clicked", on_fetch_clicked, label, NULL,
 *                              GTKLOOP_REENTRY_IGNORE);
 * ]|
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only: GTK's thread. An emission after GTK's loop is closed starts a task that is already failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: the handler id (for g_signal_handler_disconnect()), or 0 when
 *   @detailed_signal is not a signal of @instance (a critical; @destroy has
 *   then run)
 *
 * Since: 0.1
 */
gulong
gtkloop_signal_connect_task (gpointer               instance,
                             const char            *detailed_signal,
                             GtkloopSignalTaskFunc  func,
                             gpointer               user_data,
                             GDestroyNotify         destroy,
                             GtkloopReentryPolicy   policy)
{
  Connection *conn;
  GClosure *closure;
  guint signal_id;
  GQuark detail;

  if (!G_IS_OBJECT (instance) || detailed_signal == NULL || func == NULL ||
      policy > GTKLOOP_REENTRY_RESTART ||
      !g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance), &signal_id, &detail, TRUE))
    {
      g_critical ("%s: invalid arguments (no signal '%s' on %s, or a NULL function)",
                  G_STRFUNC, detailed_signal ? detailed_signal : "(null)",
                  G_IS_OBJECT (instance) ? G_OBJECT_TYPE_NAME (instance) : "a non-object");
      gtkloop_destroy_notify_run (destroy, user_data);
      return 0;
    }

  conn = g_new0 (Connection, 1);
  conn->ref_count = 1;   /* the closure's */
  conn->loop = g_object_ref (gtkloop_gtk_get_loop ());
  conn->thread = g_thread_self ();
  conn->func = func;
  conn->user_data = user_data;
  conn->destroy = destroy;
  conn->policy = policy;
  conn->label = gtkloop_gtk_signal_label (instance, detailed_signal);
  g_queue_init (&conn->running);

  closure = g_closure_new_simple (sizeof (GClosure), conn);
  g_closure_set_marshal (closure, marshal_emission);
  g_closure_add_invalidate_notifier (closure, conn, closure_invalidated);
  g_closure_add_finalize_notifier (closure, conn, closure_finalized);

  return g_signal_connect_closure_by_id (instance, signal_id, detail, closure, FALSE);
}
