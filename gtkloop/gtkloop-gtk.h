#pragma once

/* The umbrella header of gtkloop-gtk-1, gtkloop's GTK 4 integration.
 * Programs include this one header; it brings <gtk/gtk.h> and
 * <gtkloop/gtkloop.h> along. See docs/gtk.md for a tour with examples. */

#include <gtk/gtk.h>
#include <gtkloop/gtkloop.h>

#define GTKLOOP_GTK_INSIDE
# include "gtkloop-version-macros.h"
#undef GTKLOOP_GTK_INSIDE

G_BEGIN_DECLS

/* The loop ---------------------------------------------------------------- */

GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop   *gtkloop_gtk_get_loop                (void);

/* Signals to tasks (qasync's asyncSlot) ------------------------------------ */

/**
 * GtkloopReentryPolicy:
 * @GTKLOOP_REENTRY_CONCURRENT: every emission starts a task of its own,
 *   whatever is still running
 * @GTKLOOP_REENTRY_IGNORE: an emission while a task of this connection is
 *   still running is dropped (a button that does nothing until its job ends)
 * @GTKLOOP_REENTRY_RESTART: an emission cancels the running tasks and starts
 *   a new one; the new one's function begins only once every cancelled one
 *   has finished, so two of them never touch the same widgets at once
 *
 * What gtkloop_signal_connect_task() does when the signal is emitted again
 * while a task it started is still running.
 *
 * Since: 0.1
 */
typedef enum {
  GTKLOOP_REENTRY_CONCURRENT,
  GTKLOOP_REENTRY_IGNORE,
  GTKLOOP_REENTRY_RESTART,
} GtkloopReentryPolicy;

/**
 * GtkloopSignalTaskFunc:
 * @task: the task running this call
 * @instance: the object that emitted the signal; not referenced (see
 *   gtkloop_signal_connect_task())
 * @args: (array length=n_args): copies of the signal's other arguments
 * @n_args: how many there are
 * @user_data: the data given to gtkloop_signal_connect_task()
 *
 * The body of a task started by a signal emission. Task bodies are C
 * only (see #GtkloopTaskFunc): gtkloop_signal_connect_task() is not
 * available to language bindings.
 *
 * Since: 0.1
 */
typedef void (*GtkloopSignalTaskFunc) (GtkloopTask  *task,
                                       gpointer      instance,
                                       const GValue *args,
                                       guint         n_args,
                                       gpointer      user_data);

GTKLOOP_AVAILABLE_IN_ALL
gulong         gtkloop_signal_connect_task         (gpointer               instance,
                                                    const char            *detailed_signal,
                                                    GtkloopSignalTaskFunc  func,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy,
                                                    GtkloopReentryPolicy   policy);

/* Tasks bound to an object's lifetime ------------------------------------- */

GTKLOOP_AVAILABLE_IN_ALL
void           gtkloop_task_bind_object            (GtkloopTask     *task,
                                                    gpointer         object);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask   *gtkloop_spawn_bound                 (gpointer         object,
                                                    GtkloopTaskFunc  func,
                                                    gpointer         data,
                                                    GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;

/* Awaiting a signal, a frame, a dialog ------------------------------------- */

GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_signal_future_new           (gpointer         instance,
                                                    const char      *detailed_signal,
                                                    double           timeout,
                                                    GCancellable    *cancellable) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_await_signal                (gpointer         instance,
                                                    const char      *detailed_signal,
                                                    double           timeout,
                                                    GArray         **args,
                                                    GError         **error);

GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_widget_frame_future_new     (GtkWidget       *widget) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_await_frame                 (GtkWidget       *widget,
                                                    gint64          *frame_time,
                                                    GError         **error);

GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_dialog_response_future_new  (GtkDialog       *dialog) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
int            gtkloop_await_dialog_response       (GtkDialog       *dialog,
                                                    GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_native_dialog_response_future_new (GtkNativeDialog *dialog) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
int            gtkloop_await_native_dialog_response (GtkNativeDialog *dialog,
                                                     GError         **error);

/* Progress from worker threads ---------------------------------------------- */

GTKLOOP_AVAILABLE_IN_ALL
GtkloopProgress *gtkloop_progress_new_for_bar      (GtkProgressBar  *bar) G_GNUC_WARN_UNUSED_RESULT;

/* Screenshots (self-tests, documentation) --------------------------------- */

GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_widget_save_png             (GtkWidget       *widget,
                                                    const char      *filename,
                                                    GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_widget_screenshot_future_new (GtkWidget      *widget,
                                                     const char     *filename) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_await_screenshot            (GtkWidget       *widget,
                                                    const char      *filename,
                                                    GError         **error);

G_END_DECLS
