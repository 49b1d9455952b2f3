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
} TestFixture;

int  test_fixture_setup    (void **state);   /* a fresh loop on a fresh context */
int  test_fixture_teardown (void **state);   /* closes, frees, asserts no leaks */

/* The fixture of the test running now (NULL between tests), for callbacks
 * that have no other way to reach it. */
extern TestFixture *test_current;

/* Callbacks many tests need. */
void test_print_cb          (gpointer text);   /* prints text into test_current */
void test_print_and_stop_cb (gpointer text);   /* the same, then stops test_current's loop */
void test_set_flag_cb       (gpointer flag);   /* *(gboolean *) flag = TRUE */

/* Appends one line (printf-style) to fx->out. */
void test_print (TestFixture *fx, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Iterates the loop's context until *flag is TRUE; fails the test after
 * timeout_s seconds. */
void test_iterate_until (GtkloopLoop *loop, const gboolean *flag, double timeout_s);

/* gtkloop_loop_run_forever with a watchdog: after timeout_s seconds a
 * G_PRIORITY_HIGH source stops the loop and the test fails; if the loop does
 * not stop even then, the program aborts rather than hang. */
void test_run_forever (GtkloopLoop *loop, double timeout_s);

/* The same for gtkloop_loop_run_until_complete. */
gboolean test_run_until_complete (GtkloopLoop   *loop,
                                  GtkloopFuture *future,
                                  GError       **error,
                                  double         timeout_s);

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

G_END_DECLS
