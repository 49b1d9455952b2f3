/* Seed 001's Tkinter form (lines 2642-2681), ported to GTK 4
 * (docs/guide/porting-tkinter.md):
 *
 *   class Form:
 *       def __init__(self):
 *           self.root = tk.Tk(); self.root.geometry('500x300')
 *           self.root.title('窗体程序')
 *           self.button = tk.Button(self.root, text="开始计算",
 *                                   command=self.change_form_state)
 *           self.label = tk.Label(master=self.root, text="等待计算结果")
 *           ...; self.root.mainloop()
 *       async def calculate(self):
 *           await asyncio.sleep(3)
 *           self.label["text"] = 300
 *       def get_loop(self, loop):
 *           self.loop = loop; asyncio.set_event_loop(self.loop)
 *           self.loop.run_forever()
 *       def change_form_state(self):
 *           coroutine1 = self.calculate()
 *           new_loop = asyncio.new_event_loop()
 *           t = threading.Thread(target=self.get_loop, args=(new_loop,))
 *           t.start()
 *           asyncio.run_coroutine_threadsafe(coroutine1, new_loop)
 *
 * Here the click starts a task on the GUI's own loop: no thread, no second
 * loop, the label set on the GUI thread, a click during a calculation
 * ignored, nothing left running when the window closes. A second button
 * does what a worker thread is really for: blocking work, run on an
 * executor while the task awaits it.
 *
 * With --click the program clicks both buttons itself (the first one
 * twice), waits for the results and quits: meson test runs it that way. */
#include <gtkloop/gtkloop-gtk.h>

typedef struct {
  GtkLabel *label;
  int       calculations;       /* how many clicks started one */
} Form;

/* async def calculate(self): on the GUI loop. */
static void
calculate (GtkloopTask  *task,
           gpointer      button,
           const GValue *args,
           guint         n_args,
           gpointer      data)
{
  Form *form = data;

  form->calculations++;
  gtk_label_set_text (form->label, "Calculating…");
  if (!gtkloop_sleep (3.0, NULL))
    return;                     /* cancelled: the window closed; touch nothing */
  gtk_label_set_text (form->label, "300");
}

/* Blocking work: on a worker thread, touching no widget. */
static gpointer
sum_squares (gpointer      data,
             GCancellable *cancellable,
             GError      **error)
{
  guint64 sum = 0;

  for (guint64 i = 1; i <= 1000000 && !g_cancellable_is_cancelled (cancellable); i++)
    sum += i * i;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, sum);
}

static void
crunch (GtkloopTask  *task,
        gpointer      button,
        const GValue *args,
        guint         n_args,
        gpointer      data)
{
  Form *form = data;
  g_autoptr(GError) error = NULL;

  gtk_label_set_text (form->label, "Crunching on a worker thread…");
  g_autoptr(GtkloopFuture) job = gtkloop_to_thread (sum_squares, NULL, NULL, g_free);
  const char *sum = gtkloop_await_result (job, &error);
  if (sum == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (form->label, error->message);   /* errors are shown, not lost */
      return;
    }
  gtk_label_set_text (form->label, sum);
}

static gboolean click, clicked_ok;

static gboolean
still_crunching (GtkLabel *label)
{
  const char *text = gtk_label_get_text (label);

  return g_str_equal (text, "300") || g_str_has_prefix (text, "Crunching");
}

/* --click: what a user would do, then quit. The tasks a click starts begin
 * on the loop's next turn; this one polls the label as a user would. */
static void
click_through (GtkloopTask *task,
               gpointer     data)
{
  GtkWidget **widgets = data;
  GtkWidget *window = gtk_widget_get_ancestor (widgets[0], GTK_TYPE_WINDOW);
  GtkLabel *label = GTK_LABEL (widgets[2]);
  gboolean ok;

  gtk_widget_activate (widgets[0]);
  gtk_widget_activate (widgets[0]);     /* ignored: one is running */
  ok = gtkloop_sleep (3.5, NULL);
  g_print ("label after a calculation: %s\n", gtk_label_get_text (label));
  clicked_ok = ok && g_str_equal (gtk_label_get_text (label), "300");

  gtk_widget_activate (widgets[1]);
  for (int i = 0; ok && i < 600 && still_crunching (label); i++)   /* 30 s at most */
    ok = gtkloop_sleep (0.05, NULL);
  g_print ("label after crunching: %s\n", gtk_label_get_text (label));
  clicked_ok = clicked_ok && g_str_equal (gtk_label_get_text (label), "333333833333500000");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
activate (GtkApplication *app,
          gpointer        data)
{
  Form *form = data;
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *button = gtk_button_new_with_label ("Start calculation");   /* 开始计算 */
  GtkWidget *crunch_button = gtk_button_new_with_label ("Crunch on a thread");
  GtkWidget *label = gtk_label_new ("Waiting for the result");           /* 等待计算结果 */

  gtk_window_set_title (GTK_WINDOW (window), "Window program");          /* 窗体程序 */
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 300);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), crunch_button);
  gtk_box_append (GTK_BOX (box), label);
  gtk_window_set_child (GTK_WINDOW (window), box);
  form->label = GTK_LABEL (label);

  /* command=self.change_form_state: each click runs calculate as a task;
   * a click while one runs is ignored. Closing the window disposes the
   * buttons, which cancels their tasks. */
  gtkloop_signal_connect_task (button, "clicked", calculate, form, NULL, GTKLOOP_REENTRY_IGNORE);
  gtkloop_signal_connect_task (crunch_button, "clicked", crunch, form, NULL, GTKLOOP_REENTRY_IGNORE);
  gtk_window_present (GTK_WINDOW (window));

  if (click)
    {
      GtkWidget **widgets = g_new (GtkWidget *, 3);

      widgets[0] = button;
      widgets[1] = crunch_button;
      widgets[2] = label;
      gtkloop_task_unref (gtkloop_spawn_bound (window, click_through, widgets, g_free));
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Guide.Form",
                                                       G_APPLICATION_NON_UNIQUE);
  Form form = { 0 };
  int status;

  click = argc > 1 && g_str_equal (argv[1], "--click");
  g_signal_connect (app, "activate", G_CALLBACK (activate), &form);
  status = g_application_run (G_APPLICATION (app), 1, argv);   /* root.mainloop () */
  gtkloop_loop_close (gtkloop_gtk_get_loop ());
  if (click)
    g_print ("calculations started by 2 clicks: %d\n", form.calculations);
  return status == 0 && (!click || (clicked_ok && form.calculations == 1)) ? 0 : 1;
}
