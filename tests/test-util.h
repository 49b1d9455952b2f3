#pragma once

/* Shared helpers for gtkloop's cmocka tests: a fixture that checks for
 * leaks, critical counting, loop driving with a deadline, and the Python
 * twins that keep expected output honest. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gtkloop/gtkloop.h>

#include "debug-private.h"
#include "loop-private.h"

G_BEGIN_DECLS

typedef struct
{
  GtkloopLoop          *loop;
  GtkloopDebugCounters  before;
  GString              *out;        /* what the test "prints", to compare with a twin */
  GArray               *order;      /* ints appended by test_append_index_cb */
} TestFixture;

int  test_fixture_setup    (void **state);   /* a fresh loop on a fresh context */
int  test_fixture_teardown (void **state);   /* closes, frees, asserts no leaks */

/* Fails the test, naming what leaked, unless the debug counters are back
 * to `before`. */
void test_assert_no_leaks (const GtkloopDebugCounters *before);

/* The fixture of the test running now (NULL between tests), for callbacks
 * that have no other way to reach it. */
extern TestFixture *test_current;

/* Callbacks many tests need. */
void     test_print_cb          (gpointer text);      /* prints text into test_current */
void     test_print_and_stop_cb (gpointer text);      /* the same, then stops test_current's loop */
void     test_set_flag_cb       (gpointer flag);      /* *(gboolean *) flag = TRUE */
void     test_increment_int_cb  (gpointer counter);   /* (*(int *) counter)++ */
void     test_stop_loop_cb      (gpointer loop);      /* gtkloop_loop_stop (loop) */
void     test_fail_if_run_cb    (gpointer data);      /* fails the test: must not run */
void     test_append_index_cb   (gpointer index);     /* appends it to test_current->order */
void     test_noop_cb           (gpointer data);      /* only its destroy notify matters */
gboolean test_count_source_cb   (gpointer counter);   /* GSourceFunc: (*(guint *) counter)++ */

/* A task that returns at once. */
void test_noop_task (GtkloopTask *task, gpointer data);

/* Appends one line (printf-style) to fx->out. */
void test_print (TestFixture *fx, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Appends one line (vprintf-style) to out. */
void test_append_line_va (GString *out, const char *format, va_list args) G_GNUC_PRINTF (2, 0);

/* How Python prints a boolean, for lines compared with a twin. */
const char *test_py_bool (gboolean b);
/* How Python prints bytes (short ASCII with newlines), newly allocated. */
char *test_py_bytes (GBytes *bytes);

/* Iterates the loop's context until *flag is TRUE; fails the test after
 * timeout_s seconds. */
void test_iterate_until (GtkloopLoop *loop, const gboolean *flag, double timeout_s);

/* Iterates the loop's context until a timer of `seconds`, scheduled on the
 * loop now, has fired (what is due by then has run); fails the test after
 * 5 s. */
void test_iterate_for (GtkloopLoop *loop, double seconds);

/* gtkloop_loop_run_forever with a watchdog: after timeout_s seconds a
 * G_PRIORITY_HIGH source stops the loop and the test fails; if the loop does
 * not stop even then, the program aborts rather than hang. */
void test_run_forever (GtkloopLoop *loop, double timeout_s);

/* The same for gtkloop_loop_run_until_complete. */
gboolean test_run_until_complete (GtkloopLoop   *loop,
                                  GtkloopFuture *future,
                                  GError       **error,
                                  double         timeout_s);

/* Tasks on test_current's loop ------------------------------------------ */

/* Creates a task running func (data) on test_current's loop. */
GtkloopFuture *test_spawn (GtkloopTaskFunc func,
                           gconstpointer   data);

/* Runs func (data) as a task on test_current's loop until it ends; fails
 * the test, with what was printed so far, unless the task succeeded within
 * 10 s. */
void test_run_task (GtkloopTaskFunc func,
                    gpointer        data);

/* From a task: awaits the gather of fs (return_exceptions). */
void test_gather_and_await (GtkloopFuture **fs,
                            guint           n,
                            gboolean        return_exceptions);
/* Drops one reference to each of fs. */
void test_unref_futures    (GtkloopFuture **fs,
                            guint           n);
/* From a task: awaits them all, errors and cancellations included, then
 * drops one reference to each. */
void test_gather_and_unref (GtkloopFuture **fs,
                            guint           n);

/* Seed 000's coroutines a and b: print "Suspending x", sleep 0.1 s (a) or
 * 0.01 s (b), print "Resuming x" and return "A" or "B". */
void test_seed_a_task (GtkloopTask *task, gpointer data);
void test_seed_b_task (GtkloopTask *task, gpointer data);

/* Prints "spin 0", "spin 1", ... yielding after each, for
 * GPOINTER_TO_INT (n_rounds) rounds: shows where another task ran. */
void test_spin_task (GtkloopTask *task, gpointer n_rounds);

/* Seed 000's examples: a callback marks a future done (printing "Set to:
 * RESULT"), another plays the task resuming after `await asyncio.sleep`
 * (printing "Done: True|False, Result: RESULT") and stops the loop. */
typedef struct
{
  GtkloopFuture *future;
  const char    *result;
} TestMarkDone;

void test_mark_done_cb   (gpointer mark);   /* TestMarkDone* */
void test_after_sleep_cb (gpointer mark);   /* TestMarkDone* */

/* Criticals: while counting, g_critical does not abort the test program
 * (which runs with G_DEBUG=fatal-criticals) and is counted instead. */
void  test_criticals_begin (void);
guint test_criticals_end   (void);                 /* returns how many were logged */
const char *test_criticals_last (void);            /* message of the last one */

/* Warnings from the library (slow callbacks, unretrieved errors). */
void  test_warnings_begin (void);
guint test_warnings_end   (void);
const char *test_warnings_last (void);

/* Runs tests/twins/<name>.py with /usr/bin/python3, asserts its output is
 * the committed tests/twins/<name>.out, and asserts `actual` equals it. */
void test_assert_matches_twin (const char *name, const char *actual);

/* Destroy-notify counting. */
typedef struct { gint count; } DestroyCounter;
void test_destroy_count (gpointer counter);   /* GDestroyNotify: ((DestroyCounter*) data)->count++ */

/* Open fds of this process (from /proc/self/fd), to check that a test
 * closed all it opened. */
guint test_count_open_fds (void);

/* Raises RLIMIT_NOFILE to at least want (the hard limit too where the
 * process may, as root can); fails the test where it cannot. */
void  test_raise_fd_limit (guint want);

G_END_DECLS
