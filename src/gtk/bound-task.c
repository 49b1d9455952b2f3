/* Tasks bound to an object's lifetime.
 *
 * A weak reference on the object cancels the task when the object is
 * disposed; a done callback on the task drops the weak reference when the
 * task ends first. The object is never referenced, so binding a task to a
 * widget does not keep the widget alive: GTK 4 disposes a widget when its
 * last reference goes (its parent's, or the window list's), and that is
 * exactly when its tasks should stop. */
#include "config.h"

#include "destroy-notify-private.h"
#include "gtk-private.h"

typedef struct
{
  GtkloopTask *task;     /* (owned) */
  GObject     *object;   /* (nullable) weak: NULL once it was disposed */
  char        *type_name;
} Binding;

static void
object_disposed (gpointer  data,
                 GObject  *where_the_object_was)
{
  Binding *b = data;
  g_autofree char *msg = g_strdup_printf ("the %s the task was bound to was disposed", b->type_name);

  /* Weak notifies run during dispose: from here on the object may be
   * finalized at any moment. The task sees the cancellation at its current
   * (or next) suspension point. */
  b->object = NULL;
  gtkloop_task_cancel (b->task, msg);
}

static void
task_done (GtkloopFuture *f,
           gpointer       data)
{
}

/* Runs once, when the done callback ran or a closing loop dropped it. */
static void
binding_free (gpointer data)
{
  Binding *b = data;

  if (b->object != NULL)
    g_object_weak_unref (b->object, object_disposed, b);
  gtkloop_task_unref (b->task);
  g_free (b->type_name);
  g_free (b);
}

/**
 * gtkloop_task_bind_object:
 * @task: a task of the calling thread's loop
 * @object: (type GObject.Object): the object whose lifetime bounds @task
 *
 * Cancels @task when @object is disposed — for a widget, when the window
 * holding it is closed or the widget is removed from its parent and
 * nothing else references it. @object is not referenced: binding does not
 * keep it alive. A task may be bound to several objects; it is cancelled
 * when the first of them goes. Binding a finished task does nothing.
 *
 * The task learns of the cancellation at its current (or next) suspension
 * point, which returns %FALSE with %G_IO_ERROR_CANCELLED; by then @object
 * may already be finalized, so a task that sees a cancellation must not
 * touch it again. Code that only touches widgets between suspension points
 * that it checks is therefore never running on a finalized widget.
 *
 * |[<!-- language="C" -->
 * static void
 * blink (GtkloopTask *task, gpointer label)
 * {
 *   while (gtkloop_sleep (0.5, NULL))   // FALSE once the label is gone
 *     gtk_widget_set_visible (label, !gtk_widget_get_visible (label));
 * }
 * …
 * g_autoptr(GtkloopTask) task = gtkloop_spawn (blink, label, NULL);
 * gtkloop_task_bind_object (task, label);
 * ]|
 *
 * Loop thread only: GTK's thread.
 *
 * Since: 0.1
 */
void
gtkloop_task_bind_object (GtkloopTask *task,
                          gpointer     object)
{
  Binding *b;

  g_return_if_fail (task != NULL);
  g_return_if_fail (G_IS_OBJECT (object));

  if (gtkloop_future_is_done (GTKLOOP_FUTURE (task)))
    return;

  b = g_new0 (Binding, 1);
  b->task = gtkloop_task_ref (task);
  b->object = object;
  b->type_name = g_strdup (G_OBJECT_TYPE_NAME (object));
  g_object_weak_ref (object, object_disposed, b);
  gtkloop_future_add_done_callback (GTKLOOP_FUTURE (task), task_done, b, binding_free);
}

/**
 * gtkloop_spawn_bound: (skip)
 * @object: (type GObject.Object): the object whose lifetime bounds the task
 * @func: (scope notified) (closure data) (destroy destroy): the task body
 * @data: data for @func
 * @destroy: (nullable): frees @data when the task is done with it
 *
 * Calls gtkloop_spawn() followed by gtkloop_task_bind_object(): a task on
 * the calling thread's loop that is cancelled when @object is disposed.
 *
 * |[<!-- language="C" -->
 * // The window's work stops when the window is closed.
 * g_autoptr(GtkloopTask) task = gtkloop_spawn_bound (window, fill_progress, bar, NULL);
 * ]|
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only: GTK's thread. On a closed loop the task comes back already failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the task; dropping the reference at once is
 *   fine, the loop holds its own until the task is done
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_spawn_bound (gpointer        object,
                     GtkloopTaskFunc func,
                     gpointer        data,
                     GDestroyNotify  destroy)
{
  GtkloopTask *task;

  if (!G_IS_OBJECT (object))
    {
      g_critical ("%s: assertion 'G_IS_OBJECT (object)' failed", G_STRFUNC);
      gtkloop_destroy_notify_run (destroy, data);
      return NULL;
    }

  task = gtkloop_spawn (func, data, destroy);
  gtkloop_task_bind_object (task, object);
  return task;
}
