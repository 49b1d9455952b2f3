/* A console tour of the gtkloop core: callbacks in FIFO order, timers in
 * deadline order, and a worker thread reporting progress back to the loop
 * thread with call_soon_threadsafe — the pattern GUI programs use to keep
 * widgets on the GUI thread. */
#include <gtkloop/gtkloop.h>

typedef struct
{
  GtkloopLoop *loop;
  int          percent;
} Progress;

static double start_time;

static void
say (gpointer text)
{
  g_print ("[%7.3f s] %s\n",
           gtkloop_loop_time (gtkloop_loop_get_running ()) - start_time, (const char *) text);
}

static void
report_progress (gpointer data)
{
  Progress *p = data;

  /* Runs on the loop thread: the one place a GUI program may touch widgets. */
  g_print ("[%7.3f s] worker progress: %3d%%%s\n",
           gtkloop_loop_time (p->loop) - start_time, p->percent,
           p->percent == 100 ? ", done: stopping the loop" : "");
  if (p->percent == 100)
    gtkloop_loop_stop (p->loop);
}

static gpointer
worker (gpointer data)
{
  GtkloopLoop *loop = data;

  for (int i = 0; i <= 100; i += 20)
    {
      Progress *p = g_new (Progress, 1);

      g_usleep (150 * 1000);   /* blocking work: fine on a worker thread */
      p->loop = loop;
      p->percent = i;
      gtkloop_loop_call_soon_threadsafe (loop, report_progress, p, g_free);
    }
  return NULL;
}

int
main (void)
{
  g_autoptr(GtkloopLoop) loop = gtkloop_loop_new (NULL);
  GThread *thread;

  start_time = gtkloop_loop_time (loop);
  g_print ("gtkloop console demo: callbacks, timers and a worker thread on one loop\n");

  gtkloop_loop_call_later (loop, 0.3, say, "timer: 0.3 s (scheduled second)", NULL);
  gtkloop_loop_call_later (loop, 0.1, say, "timer: 0.1 s (scheduled third)", NULL);
  gtkloop_loop_call_later (loop, 0.3, say, "timer: 0.3 s (scheduled fourth: equal deadlines keep their order)", NULL);
  gtkloop_loop_call_soon (loop, say, "call_soon: first", NULL);
  gtkloop_loop_call_soon (loop, say, "call_soon: second", NULL);
  gtkloop_loop_cancel (loop, gtkloop_loop_call_later (loop, 0.2, say, "never printed: cancelled", NULL));

  thread = g_thread_new ("worker", worker, loop);
  gtkloop_loop_run_forever (loop);
  g_thread_join (thread);

  gtkloop_loop_close (loop);
  g_print ("loop closed; bye\n");
  return 0;
}
