/* fd watches: asyncio's add_reader/add_writer on the loop's own source.
 *
 * Ordering against call_soon and timers, level triggering and a reader
 * removed before its turn (twin: twins/fd_reader_order.py); removing or
 * replacing a watch inside its own callback; an fd closed while watched;
 * writers; errors for fds that cannot be watched; close dropping every
 * watch; readiness waking a sleeping loop whoever iterates the context;
 * and 10,000 watched eventfds with a random 1 % fired. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "test-util.h"

static void
make_socketpair (int fds[2])
{
  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
}

/* The twin ---------------------------------------------------------------- */

typedef struct
{
  TestFixture *fx;
  int          r, w, r2, w2, r3, w3;
  int          rounds;
} OrderState;

static OrderState order_state;

static void
on_readable (gpointer data)
{
  OrderState *s = data;

  s->rounds++;
  test_print (s->fx, "reader %d", s->rounds);
  if (s->rounds == 2)
    {
      char buf[16];
      ssize_t n = read (s->r, buf, sizeof buf);

      test_print (s->fx, "read b'%.*s'", (int) MAX (n, 0), buf);
      gtkloop_loop_remove_reader (s->fx->loop, s->r);
    }
}

static void
remove_second_reader (gpointer data)
{
  OrderState *s = data;

  test_print (s->fx, "removed: %s", test_py_bool (gtkloop_loop_remove_reader (s->fx->loop, s->r2)));
}

static void
new_third_reader (gpointer data)
{
  OrderState *s = data;
  char buf[16];
  ssize_t n = read (s->r3, buf, sizeof buf);

  test_print (s->fx, "new reader read b'%.*s'", (int) MAX (n, 0), buf);
  gtkloop_loop_remove_reader (s->fx->loop, s->r3);
}

static void
replace_third_reader (gpointer data)
{
  OrderState *s = data;

  assert_true (gtkloop_loop_add_reader (s->fx->loop, s->r3, new_third_reader, s, NULL, NULL));
}

static void
order_task (GtkloopTask *task,
            gpointer     data)
{
  OrderState *s = data;
  int pair[2];

  make_socketpair (pair);
  s->r = pair[0];
  s->w = pair[1];
  assert_int_equal (write (s->w, "x", 1), 1);
  assert_true (gtkloop_loop_add_reader (s->fx->loop, s->r, on_readable, s, NULL, NULL));
  gtkloop_loop_call_soon (s->fx->loop, test_print_cb, "soon 1", NULL);
  gtkloop_loop_call_later (s->fx->loop, 0, test_print_cb, "later 0", NULL);
  gtkloop_sleep (0, NULL);
  test_print (s->fx, "after one iteration");
  gtkloop_sleep (0.05, NULL);

  make_socketpair (pair);
  s->r2 = pair[0];
  s->w2 = pair[1];
  assert_true (gtkloop_loop_add_reader (s->fx->loop, s->r2, test_print_cb, "never", NULL, NULL));
  assert_int_equal (write (s->w2, "y", 1), 1);
  gtkloop_loop_call_soon (s->fx->loop, test_print_cb, "soon 2", NULL);
  gtkloop_loop_call_soon (s->fx->loop, remove_second_reader, s, NULL);
  gtkloop_sleep (0.05, NULL);
  test_print (s->fx, "removed again: %s", test_py_bool (gtkloop_loop_remove_reader (s->fx->loop, s->r2)));

  make_socketpair (pair);
  s->r3 = pair[0];
  s->w3 = pair[1];
  assert_true (gtkloop_loop_add_reader (s->fx->loop, s->r3, test_print_cb, "old reader", NULL, NULL));
  assert_int_equal (write (s->w3, "z", 1), 1);
  gtkloop_loop_call_soon (s->fx->loop, replace_third_reader, s, NULL);
  gtkloop_loop_call_soon (s->fx->loop, test_print_cb, "soon 3", NULL);
  gtkloop_loop_call_later (s->fx->loop, 0, test_print_cb, "later 3", NULL);
  gtkloop_sleep (0.05, NULL);
  for (int *fd = &s->r; fd <= &s->w3; fd++)
    close (*fd);
}

static void
test_reader_order_twin (void **state)
{
  TestFixture *fx = *state;

  order_state = (OrderState) { .fx = fx };
  test_run_task (order_task, &order_state);
  test_assert_matches_twin ("fd_reader_order", fx->out->str);
}

/* Changing a watch from its own callback ------------------------------------ */

typedef struct
{
  GtkloopLoop   *loop;
  int            fd;
  int            runs;
  int            replacement_runs;
  DestroyCounter destroyed;
  DestroyCounter replacement_destroyed;
  gboolean       destroyed_during_callback;
} SelfChange;

static void
replacement_cb (gpointer data)
{
  SelfChange *s = data;
  eventfd_t value;

  s->replacement_runs++;
  eventfd_read (s->fd, &value);
}

/* The destroy notifies get the whole struct: count into its fields. */
static void
count_destroyed (gpointer data)
{
  ((SelfChange *) data)->destroyed.count++;
}

static void
count_replacement_destroyed (gpointer data)
{
  ((SelfChange *) data)->replacement_destroyed.count++;
}

static void
remove_self_counted_cb (gpointer data)
{
  SelfChange *s = data;

  s->runs++;
  assert_true (gtkloop_loop_remove_reader (s->loop, s->fd));
  s->destroyed_during_callback = s->destroyed.count != 0;
}

static void
test_remove_inside_own_callback (void **state)
{
  TestFixture *fx = *state;
  SelfChange s = { .loop = fx->loop, .fd = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC) };

  assert_true (gtkloop_loop_add_reader (fx->loop, s.fd, remove_self_counted_cb, &s,
                                        count_destroyed, NULL));
  test_iterate_for (fx->loop, 0.05);
  assert_int_equal (s.runs, 1);
  assert_false (s.destroyed_during_callback);
  assert_int_equal (s.destroyed.count, 1);
  close (s.fd);
}

static void
replace_self_counted_cb (gpointer data)
{
  SelfChange *s = data;

  s->runs++;
  assert_true (gtkloop_loop_add_reader (s->loop, s->fd, replacement_cb, s,
                                        count_replacement_destroyed, NULL));
  s->destroyed_during_callback = s->destroyed.count != 0;
}

static void
test_replace_inside_own_callback (void **state)
{
  TestFixture *fx = *state;
  SelfChange s = { .loop = fx->loop, .fd = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC) };

  assert_true (gtkloop_loop_add_reader (fx->loop, s.fd, replace_self_counted_cb, &s,
                                        count_destroyed, NULL));
  test_iterate_for (fx->loop, 0.05);
  assert_int_equal (s.runs, 1);
  assert_false (s.destroyed_during_callback);
  assert_int_equal (s.destroyed.count, 1);
  assert_int_equal (s.replacement_runs, 1);   /* it read the eventfd: not again */
  assert_int_equal (s.replacement_destroyed.count, 0);
  assert_true (gtkloop_loop_remove_reader (fx->loop, s.fd));
  assert_int_equal (s.replacement_destroyed.count, 1);
  close (s.fd);
}

/* Replacing from outside ----------------------------------------------------- */

static void
test_replace_runs_old_destroy_once (void **state)
{
  TestFixture *fx = *state;
  int fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  DestroyCounter first = { 0 }, second = { 0 };
  int runs = 0;

  assert_true (gtkloop_loop_add_reader (fx->loop, fd, test_fail_if_run_cb, &first, test_destroy_count, NULL));
  assert_true (gtkloop_loop_add_reader (fx->loop, fd, test_increment_int_cb, &runs, NULL, NULL));
  assert_int_equal (first.count, 1);
  assert_true (gtkloop_loop_add_writer (fx->loop, fd, test_fail_if_run_cb, &second, test_destroy_count, NULL));
  assert_true (gtkloop_loop_remove_writer (fx->loop, fd));
  assert_int_equal (second.count, 1);
  eventfd_write (fd, 1);
  test_iterate_for (fx->loop, 0.02);
  assert_true (runs >= 2);   /* level-triggered: never read, so every iteration */
  assert_true (gtkloop_loop_remove_reader (fx->loop, fd));
  assert_false (gtkloop_loop_remove_reader (fx->loop, fd));
  assert_int_equal (first.count, 1);
  close (fd);
}

/* Writers ----------------------------------------------------------------- */

typedef struct
{
  GtkloopLoop *loop;
  int          fd;
  int          writes;
} Writer;

static void
write_once_cb (gpointer data)
{
  Writer *wr = data;

  assert_int_equal (write (wr->fd, "z", 1), 1);
  wr->writes++;
  gtkloop_loop_remove_writer (wr->loop, wr->fd);
}

static void
test_writer (void **state)
{
  TestFixture *fx = *state;
  int pipe_fds[2];
  Writer wr = { .loop = fx->loop };
  char c = 0;

  assert_int_equal (pipe2 (pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
  wr.fd = pipe_fds[1];
  assert_true (gtkloop_loop_add_writer (fx->loop, wr.fd, write_once_cb, &wr, NULL, NULL));
  test_iterate_for (fx->loop, 0.02);
  assert_int_equal (wr.writes, 1);
  assert_int_equal (read (pipe_fds[0], &c, 1), 1);
  assert_int_equal (c, 'z');
  /* A reader and a writer on one fd are independent. */
  close (pipe_fds[0]);
  close (pipe_fds[1]);
}

/* An fd closed while watched ------------------------------------------------ */

static void
test_fd_closed_while_watched (void **state)
{
  TestFixture *fx = *state;
  int fd = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC);
  DestroyCounter destroyed = { 0 };
  int runs = 0;
  int again;

  assert_true (gtkloop_loop_add_reader (fx->loop, fd, test_fail_if_run_cb, &destroyed,
                                        test_destroy_count, NULL));
  close (fd);   /* epoll forgets it; nothing runs */
  test_iterate_for (fx->loop, 0.02);
  assert_int_equal (destroyed.count, 0);

  /* A new fd under the same number is watched afresh. */
  again = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC);
  assert_int_equal (again, fd);
  assert_true (gtkloop_loop_add_reader (fx->loop, again, test_increment_int_cb, &runs, NULL, NULL));
  assert_int_equal (destroyed.count, 1);
  test_iterate_for (fx->loop, 0.02);
  assert_true (runs >= 1);
  assert_true (gtkloop_loop_remove_reader (fx->loop, again));
  close (again);

  /* Closed and then removed: the removal still reports the watch. */
  fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  assert_true (gtkloop_loop_add_reader (fx->loop, fd, test_fail_if_run_cb, NULL, NULL, NULL));
  close (fd);
  assert_true (gtkloop_loop_remove_reader (fx->loop, fd));
}

/* Errors -------------------------------------------------------------------- */

static void
test_errors (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter destroyed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int file_fd = g_file_open_tmp ("gtkloop-fd-XXXXXX", &path, NULL);
  int closed_fd = eventfd (0, EFD_CLOEXEC);

  close (closed_fd);
  assert_false (gtkloop_loop_add_reader (fx->loop, file_fd, test_fail_if_run_cb, &destroyed,
                                         test_destroy_count, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  assert_int_equal (destroyed.count, 1);
  g_clear_error (&error);

  assert_false (gtkloop_loop_add_writer (fx->loop, -1, test_fail_if_run_cb, &destroyed,
                                         test_destroy_count, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  assert_int_equal (destroyed.count, 2);
  g_clear_error (&error);

  assert_false (gtkloop_loop_add_reader (fx->loop, closed_fd, test_fail_if_run_cb, &destroyed,
                                         test_destroy_count, &error));
  assert_true (error != NULL && error->domain == G_IO_ERROR);
  assert_int_equal (destroyed.count, 3);
  g_clear_error (&error);

  assert_false (gtkloop_loop_remove_reader (fx->loop, file_fd));
  assert_false (gtkloop_loop_remove_writer (fx->loop, 12345));
  test_iterate_for (fx->loop, 0.01);
  close (file_fd);
  unlink (path);
}

static void
test_closed_loop (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopLoop) loop = gtkloop_loop_new (g_main_context_get_thread_default ());
  g_autoptr(GError) error = NULL;
  DestroyCounter early = { 0 }, late = { 0 };
  guint fds_before = test_count_open_fds ();
  int fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);

  (void) fx;
  assert_true (gtkloop_loop_add_reader (loop, fd, test_fail_if_run_cb, &early, test_destroy_count, NULL));
  assert_true (gtkloop_loop_add_writer (loop, fd, test_noop_cb, &early, test_destroy_count, NULL));
  assert_int_equal (test_count_open_fds (), fds_before + 2);   /* the eventfd and the epoll fd */
  gtkloop_loop_close (loop);
  assert_int_equal (early.count, 2);   /* every watch dropped, each notify once */
  assert_int_equal (test_count_open_fds (), fds_before + 1);   /* the epoll fd is gone */

  assert_false (gtkloop_loop_add_reader (loop, fd, test_fail_if_run_cb, &late, test_destroy_count, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  assert_int_equal (late.count, 1);
  assert_false (gtkloop_loop_remove_reader (loop, fd));
  close (fd);
}

/* Who iterates ------------------------------------------------------------- */

typedef struct
{
  GtkloopLoop *loop;
  int          fd;
  gboolean     woke;
} Wake;

static void
stop_on_readable (gpointer data)
{
  Wake *w = data;
  eventfd_t value;

  eventfd_read (w->fd, &value);
  w->woke = TRUE;
  gtkloop_loop_stop (w->loop);
}

static gpointer
write_later (gpointer data)
{
  g_usleep (20000);
  eventfd_write (GPOINTER_TO_INT (data), 1);
  return NULL;
}

/* A loop asleep in poll () wakes for a watched fd, under run_forever and
 * under a plain g_main_context_iteration (GTK's way), with nothing else
 * to do: the epoll fd is the source's GPollFD. */
static void
test_readiness_wakes_sleeping_loop (void **state)
{
  TestFixture *fx = *state;
  Wake w = { .loop = fx->loop, .fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC) };
  GThread *writer;

  assert_true (gtkloop_loop_add_reader (fx->loop, w.fd, stop_on_readable, &w, NULL, NULL));
  writer = g_thread_new ("writer", write_later, GINT_TO_POINTER (w.fd));
  test_run_forever (fx->loop, 5.0);
  g_thread_join (writer);
  assert_true (w.woke);

  w.woke = FALSE;
  writer = g_thread_new ("writer", write_later, GINT_TO_POINTER (w.fd));
  while (!w.woke)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), TRUE);
  g_thread_join (writer);
  assert_true (gtkloop_loop_remove_reader (fx->loop, w.fd));
  close (w.fd);
}

/* Many fds ------------------------------------------------------------------ */

#define MANY_FDS 10000

typedef struct
{
  int fd;
  int runs;
} Watched;

static void
read_eventfd_cb (gpointer data)
{
  Watched *w = data;
  eventfd_t value;

  w->runs++;
  assert_int_equal (eventfd_read (w->fd, &value), 0);
}

static void
test_ten_thousand_fds (void **state)
{
  TestFixture *fx = *state;
  Watched *watched = g_new0 (Watched, MANY_FDS);
  gboolean *fired = g_new0 (gboolean, MANY_FDS);
  GRand *rand = g_rand_new_with_seed (20261204);
  guint n_fired = 0;

  test_raise_fd_limit (MANY_FDS + 256);
  for (int i = 0; i < MANY_FDS; i++)
    {
      watched[i].fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
      assert_true (watched[i].fd >= 0);
      assert_true (gtkloop_loop_add_reader (fx->loop, watched[i].fd, read_eventfd_cb, &watched[i],
                                            NULL, NULL));
    }
  test_iterate_for (fx->loop, 0.02);   /* nothing is ready */

  while (n_fired < MANY_FDS / 100)
    {
      int i = g_rand_int_range (rand, 0, MANY_FDS);

      if (fired[i])
        continue;
      fired[i] = TRUE;
      n_fired++;
      eventfd_write (watched[i].fd, 1);
    }
  test_iterate_for (fx->loop, 0.1);

  for (int i = 0; i < MANY_FDS; i++)
    {
      if (watched[i].runs != (fired[i] ? 1 : 0))
        fail_msg ("fd #%d ran %d times, fired: %d", i, watched[i].runs, fired[i]);
      assert_true (gtkloop_loop_remove_reader (fx->loop, watched[i].fd));
      close (watched[i].fd);
    }
  g_rand_free (rand);
  g_free (fired);
  g_free (watched);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_reader_order_twin, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_remove_inside_own_callback, test_fixture_setup,
                                     test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_replace_inside_own_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_replace_runs_old_destroy_once, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_writer, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_fd_closed_while_watched, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_errors, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_closed_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_readiness_wakes_sleeping_loop, test_fixture_setup,
                                     test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_ten_thousand_fds, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
