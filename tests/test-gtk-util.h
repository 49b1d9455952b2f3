#pragma once

/* Shared by the GTK tests (tests/test-gtk-*.c): a real GTK under Xvfb, the
 * GUI loop on the global default context as in an application, and a
 * fixture that checks every test leaves no window, task or future behind.
 * cmocka's assertions longjmp, so tasks only record what happened; the
 * test function asserts after the loop has run. */

#include <gtkloop/gtkloop-gtk.h>

#include "test-util.h"

G_BEGIN_DECLS

/* Group setup: gtk_init_check () or the whole program fails — a GTK test
 * without a display must fail, not skip. */
int  gtk_test_group_setup (void **state);

/* Per test: snapshot the debug counters; at teardown destroy every window,
 * let the loop settle and assert nothing leaked. */
int  gtk_test_setup       (void **state);
int  gtk_test_teardown    (void **state);

/* Iterate the default context until *flag, failing after timeout_s. */
void gtk_test_run_until   (const gboolean *flag,
                           double          timeout_s);
/* Until the future is done. */
/* Iterates until *counter reaches at_least; fails after timeout_s. */
void gtk_test_run_until_count (const int *counter,
                               int        at_least,
                               double     timeout_s);
void gtk_test_run_until_done (GtkloopFuture *future,
                              double         timeout_s);
/* Just iterate for a while. */
void gtk_test_run_for     (double seconds);

/* A presented window with @child, default size width x height, and one
 * frame drawn. */
GtkWindow *gtk_test_window_new (GtkWidget *child,
                                int        width,
                                int        height);

/* Saves a screenshot of widget into the build directory as name.png. */
void gtk_test_screenshot  (GtkWidget  *widget,
                           const char *name);

/* Monotonic seconds. */
double gtk_test_now       (void);

G_END_DECLS
