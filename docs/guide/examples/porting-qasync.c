/* Seed 000's quamash program (lines 804-840), ported from PyQt5 to GTK 4
 * (docs/guide/porting-qasync.md):
 *
 *   app = QApplication(sys.argv)
 *   loop = QEventLoop(app)              # the Qt loop is the asyncio loop
 *   asyncio.set_event_loop(loop)
 *   progress = QProgressBar(); progress.setRange(0, 99); progress.show()
 *
 *   async def master():
 *       await first_50()
 *       with QThreadExecutor(1) as exec:
 *           await loop.run_in_executor(exec, last_50)
 *   async def first_50():
 *       for i in range(50):
 *           progress.setValue(i)
 *           await asyncio.sleep(.1)
 *   def last_50():
 *       for i in range(50, 100):
 *           loop.call_soon_threadsafe(progress.setValue, i)
 *           time.sleep(.1)
 *
 *   with loop:
 *       loop.run_until_complete(master())
 *
 * GTK's loop needs no adapter: gtkloop's default loop runs on the context
 * g_application_run iterates. The program ends when master does, as the
 * seed's does. (The seed's 0.1 s steps are 0.01 s here.) */
#include <gtkloop/gtkloop-gtk.h>

typedef struct {
  GtkloopLoop    *loop;           /* the GUI loop */
  GtkProgressBar *progress;
  GApplication   *app;
  int             value;          /* the last value set */
  gboolean        in_order;
} Quamash;

static Quamash q = { .value = -1, .in_order = TRUE };

/* progress.setValue (i): on the GUI thread only. */
static void
set_value (int i)
{
  g_autofree char *text = g_strdup_printf ("%d / 99", i);

  q.in_order = q.in_order && i == q.value + 1;
  q.value = i;
  gtk_progress_bar_set_fraction (q.progress, i / 99.0);
  gtk_progress_bar_set_text (q.progress, text);
}

static void
set_value_cb (gpointer i)
{
  set_value (GPOINTER_TO_INT (i));
}

static gboolean
first_50 (void)
{
  for (int i = 0; i < 50; i++)
    {
      set_value (i);
      if (!gtkloop_sleep (0.01, NULL))
        return FALSE;                   /* cancelled: the window was closed */
    }
  return TRUE;
}

/* On the executor's worker thread: it never touches a widget. */
static gpointer
last_50 (gpointer      data,
         GCancellable *cancellable,
         GError      **error)
{
  for (int i = 50; i < 100 && !g_cancellable_is_cancelled (cancellable); i++)
    {
      gtkloop_loop_call_soon_threadsafe (q.loop, set_value_cb, GINT_TO_POINTER (i), NULL);
      g_usleep (10 * 1000);
    }
  return NULL;
}

static void
master (GtkloopTask *task,
        gpointer     data)
{
  if (first_50 ())
    {
      g_autoptr(GtkloopThreadExecutor) executor = gtkloop_thread_executor_new (1);   /* with QThreadExecutor(1) */
      g_autoptr(GtkloopFuture) job = gtkloop_loop_run_in_executor (q.loop, executor, last_50,
                                                                   NULL, NULL, NULL);
      gtkloop_await (job, NULL);
    }
  g_application_quit (q.app);           /* run_until_complete(master()) returns */
}

static void
activate (GtkApplication *app,
          gpointer        data)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *bar = gtk_progress_bar_new ();

  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (bar), TRUE);
  gtk_window_set_child (GTK_WINDOW (window), bar);
  gtk_window_set_default_size (GTK_WINDOW (window), 300, -1);
  gtk_window_present (GTK_WINDOW (window));
  q.progress = GTK_PROGRESS_BAR (bar);

  /* The task is cancelled if the window goes first; the loop holds it. */
  gtkloop_task_unref (gtkloop_spawn_bound (window, master, NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Guide.Quamash",
                                                       G_APPLICATION_NON_UNIQUE);
  int status;

  q.loop = gtkloop_gtk_get_loop ();     /* QEventLoop (app): GTK's own loop */
  q.app = G_APPLICATION (app);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  gtkloop_loop_close (q.loop);          /* finish what is still pending */
  g_print ("the bar reached %d, every value in order on the GUI thread: %s\n",
           q.value, q.in_order ? "yes" : "no");
  return status == 0 && q.value == 99 && q.in_order ? 0 : 1;
}
