#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <glib-object.h>

#include "gtkloop-types.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/**
 * GTKLOOP_TYPE_FUTURE:
 *
 * The #GType of #GtkloopFuture, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_FUTURE (gtkloop_future_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType gtkloop_future_get_type (void) G_GNUC_CONST;

/**
 * GtkloopFutureCallback:
 * @f: the future that is done
 * @user_data: the data given with the callback
 *
 * A done callback (gtkloop_future_add_done_callback()); runs on the
 * future's loop, on an iteration after the future finished.
 *
 * Since: 0.1
 */
typedef void (*GtkloopFutureCallback) (GtkloopFuture *f,
                                       gpointer       user_data);

GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_future_new   (GtkloopLoop   *loop) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_future_ref   (GtkloopFuture *f);
GTKLOOP_AVAILABLE_IN_ALL
void           gtkloop_future_unref (GtkloopFuture *f);

GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_set_result  (GtkloopFuture  *f,
                                           gpointer        value,
                                           GDestroyNotify  destroy);
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_set_error   (GtkloopFuture  *f,
                                           GError         *error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_cancel      (GtkloopFuture  *f,
                                           const char     *msg);
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_is_done      (GtkloopFuture *f);
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_is_cancelled (GtkloopFuture *f);
GTKLOOP_AVAILABLE_IN_ALL
gpointer       gtkloop_future_get_result   (GtkloopFuture  *f,
                                            GError        **error);
GTKLOOP_AVAILABLE_IN_ALL
const GError  *gtkloop_future_get_error    (GtkloopFuture  *f);
GTKLOOP_AVAILABLE_IN_ALL
void           gtkloop_future_add_done_callback    (GtkloopFuture         *f,
                                                    GtkloopFutureCallback  cb,
                                                    gpointer               data,
                                                    GDestroyNotify         destroy);
GTKLOOP_AVAILABLE_IN_ALL
guint          gtkloop_future_remove_done_callback (GtkloopFuture         *f,
                                                    GtkloopFutureCallback  cb,
                                                    gpointer               data);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop   *gtkloop_future_get_loop     (GtkloopFuture *f);

GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_future_is_task      (GtkloopFuture *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopFuture, gtkloop_future_unref)

G_END_DECLS
