#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <glib-object.h>

#include "gtkloop-types.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/**
 * GTKLOOP_TYPE_LOOP:
 *
 * The #GType of #GtkloopLoop, a final GObject class.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_LOOP (gtkloop_loop_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GtkloopLoop, gtkloop_loop, GTKLOOP, LOOP, GObject)

/* Creation and lookup. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop  *gtkloop_loop_new          (GMainContext *context) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop  *gtkloop_loop_get_default  (void);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop  *gtkloop_loop_get_running  (void);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop  *gtkloop_loop_ref          (GtkloopLoop  *loop);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_loop_unref        (GtkloopLoop  *loop);
GTKLOOP_AVAILABLE_IN_ALL
GMainContext *gtkloop_loop_get_context  (GtkloopLoop  *loop);
/* Whether the calling thread may make loop-bound calls on @loop now: it
 * made the loop, or ran or closed it last. For bindings, which must
 * refuse (or forward) a call from another thread before the library's
 * critical. Any thread. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_loop_is_owner_thread (GtkloopLoop *loop);
GTKLOOP_AVAILABLE_IN_ALL
double        gtkloop_loop_time         (GtkloopLoop  *loop);

/* Scheduling. Every destroy notify runs exactly once: after the callback,
 * when the handle is cancelled, or when the loop is closed. */
GTKLOOP_AVAILABLE_IN_ALL
guint64  gtkloop_loop_call_soon   (GtkloopLoop     *loop,
                                   GtkloopCallback  cb,
                                   gpointer         data,
                                   GDestroyNotify   destroy);
GTKLOOP_AVAILABLE_IN_ALL
guint64  gtkloop_loop_call_later  (GtkloopLoop     *loop,
                                   double           delay,
                                   GtkloopCallback  cb,
                                   gpointer         data,
                                   GDestroyNotify   destroy);
GTKLOOP_AVAILABLE_IN_ALL
guint64  gtkloop_loop_call_at     (GtkloopLoop     *loop,
                                   double           when,
                                   GtkloopCallback  cb,
                                   gpointer         data,
                                   GDestroyNotify   destroy);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_cancel      (GtkloopLoop     *loop,
                                   guint64          handle_id);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_call_soon_threadsafe (GtkloopLoop     *loop,
                                            GtkloopCallback  cb,
                                            gpointer         data,
                                            GDestroyNotify   destroy);
GTKLOOP_AVAILABLE_IN_ALL
guint    gtkloop_loop_call_soon_threadsafe_unpaced (GtkloopLoop     *loop,
                                                    GtkloopCallback  cb,
                                                    gpointer         data,
                                                    GDestroyNotify   destroy);

/* fd readiness (asyncio's add_reader / add_writer); loop-thread only. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_add_reader    (GtkloopLoop     *loop,
                                     int              fd,
                                     GtkloopCallback  cb,
                                     gpointer         data,
                                     GDestroyNotify   destroy,
                                     GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_add_writer    (GtkloopLoop     *loop,
                                     int              fd,
                                     GtkloopCallback  cb,
                                     gpointer         data,
                                     GDestroyNotify   destroy,
                                     GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_remove_reader (GtkloopLoop     *loop,
                                     int              fd);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_remove_writer (GtkloopLoop     *loop,
                                     int              fd);

/* Running and stopping. */
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_run_forever        (GtkloopLoop    *loop);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_run_until_complete (GtkloopLoop    *loop,
                                          GtkloopFuture  *future,
                                          GError        **error);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_stop               (GtkloopLoop    *loop);
/* Returns from run_forever after the running callback, the rest of the
 * iteration kept for the next run (asyncio after a KeyboardInterrupt). */
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_stop_now           (GtkloopLoop    *loop);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_is_running         (GtkloopLoop    *loop);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_close              (GtkloopLoop    *loop);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_is_closed          (GtkloopLoop    *loop);

/* Debugging and error reporting. */
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_set_debug          (GtkloopLoop    *loop,
                                          gboolean        enabled);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_get_debug          (GtkloopLoop    *loop);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_set_slow_callback_duration (GtkloopLoop *loop,
                                                  double       seconds);
GTKLOOP_AVAILABLE_IN_ALL
double   gtkloop_loop_get_slow_callback_duration (GtkloopLoop *loop);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_set_dispatch_budget (GtkloopLoop   *loop,
                                           double         seconds);
GTKLOOP_AVAILABLE_IN_ALL
double   gtkloop_loop_get_dispatch_budget (GtkloopLoop   *loop);

/**
 * GtkloopErrorContext:
 * @message: what happened, e.g. "Task exception was never retrieved"
 * @error: (nullable): the error concerned
 * @future: (nullable): the future or task concerned
 * @callback_name: (nullable): the callback concerned, when known
 *
 * What an exception handler receives (asyncio's context dict). The
 * library fills it in; never allocate one yourself, as fields may be
 * added at the end.
 *
 * Since: 0.1
 */
typedef struct {
  const char    *message;   /* e.g. "Task exception was never retrieved" */
  const GError  *error;     /* nullable */
  GtkloopFuture *future;    /* nullable: the future or task concerned */
  /* more fields may follow; never allocate this struct yourself */
  const char    *callback_name;  /* nullable: the callback concerned, when known */
} GtkloopErrorContext;

/**
 * GtkloopExceptionHandler:
 * @loop: the loop reporting
 * @context: what happened; valid during the call only
 * @user_data: the data given to gtkloop_loop_set_exception_handler()
 *
 * Receives the errors nobody else could (asyncio's exception handler).
 * Runs on the thread that met the error, which is the loop's thread
 * except for a future freed elsewhere.
 *
 * Since: 0.1
 */
typedef void (*GtkloopExceptionHandler) (GtkloopLoop               *loop,
                                         const GtkloopErrorContext *context,
                                         gpointer                   user_data);

GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_set_exception_handler     (GtkloopLoop               *loop,
                                                 GtkloopExceptionHandler    handler,
                                                 gpointer                   data,
                                                 GDestroyNotify             destroy);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_call_exception_handler    (GtkloopLoop               *loop,
                                                 const GtkloopErrorContext *context);
GTKLOOP_AVAILABLE_IN_ALL
void     gtkloop_loop_default_exception_handler (GtkloopLoop               *loop,
                                                 const GtkloopErrorContext *context);

G_END_DECLS
