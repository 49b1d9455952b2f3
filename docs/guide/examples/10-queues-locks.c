/* Locks and queues (seed 001, "coroutine locks" async_lock.py and
 * "message queues"): a lock keeps a section to one task at a time, even
 * across suspension points; a queue hands items from producers to
 * consumers, makes a producer wait while it is full, and counts finished
 * items for join. Both are bound to one loop, like asyncio's, and not
 * thread-safe. */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

static gboolean has_x;
static GtkloopLock *lock;

/* async with lock: C releases by hand, on every way out. */
static const char *
work (const char *name)
{
  g_print ("lalalalalalalala\n");
  if (!gtkloop_lock_acquire (lock, NULL))
    return NULL;                          /* cancelled while waiting: not held */
  g_print ("%s start\n", name);
  if (!has_x)
    {
      if (gtkloop_sleep (0, NULL))
        {
          g_print ("----------\n");
          has_x = TRUE;
          g_print ("%s end\n", name);
        }
      else
        name = NULL;                      /* cancelled: release, then return */
    }
  gtkloop_lock_release (lock);
  return name;
}

static void
one_or_two (GtkloopTask *task,
            gpointer     name)
{
  const char *result = work (name);

  if (result != NULL)
    g_print ("%s ok\n", result);
}

static gboolean
producer (GtkloopQueue *queue)
{
  for (int i = 0; i < 5; i++)
    {
      if (!gtkloop_queue_put (queue, g_strdup_printf ("job %d", i), NULL))
        return FALSE;                     /* the queue freed the item */
      g_print ("put job %d, %u queued\n", i, gtkloop_queue_size (queue));
    }
  return TRUE;
}

typedef struct {
  const char   *name;
  GtkloopQueue *queue;
} Consumer;

static void
consumer (GtkloopTask *task,
          gpointer     data)
{
  Consumer *c = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *job = gtkloop_queue_get (c->queue, &error);

      if (error != NULL)
        return;                           /* cancelled */
      g_print ("%s runs %s\n", c->name, job);
      if (!gtkloop_sleep (0, NULL))
        return;
      gtkloop_queue_task_done (c->queue);
    }
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_autoptr(GError) error = NULL;

  g_print ("-- a lock\n");
  {
    lock = gtkloop_lock_new ();            /* asyncio.Lock () */
    g_autoptr(GtkloopTask) t1 = gtkloop_spawn (one_or_two, "one", NULL);
    g_autoptr(GtkloopTask) t2 = gtkloop_spawn (one_or_two, "two", NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (t1), GTKLOOP_FUTURE (t2) };
    g_autoptr(GtkloopFuture) both = gtkloop_gather (fs, 2, FALSE);

    if (!gtkloop_await (both, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("locked: %s\n", PY_BOOL (gtkloop_lock_is_locked (lock)));
    g_clear_pointer (&lock, gtkloop_lock_unref);
  }

  g_print ("-- a queue of at most 2 items, two consumers\n");
  {
    g_autoptr(GtkloopQueue) queue = gtkloop_queue_new (2, g_free);   /* frees leftovers */
    Consumer c1 = { "c1", queue }, c2 = { "c2", queue };
    g_autoptr(GtkloopTask) t1 = gtkloop_spawn (consumer, &c1, NULL);
    g_autoptr(GtkloopTask) t2 = gtkloop_spawn (consumer, &c2, NULL);
    GtkloopFuture *consumers[] = { GTKLOOP_FUTURE (t1), GTKLOOP_FUTURE (t2) };

    if (!producer (queue) || !gtkloop_queue_join (queue, NULL))
      return;
    g_print ("all jobs done\n");
    gtkloop_task_cancel (t1, NULL);
    gtkloop_task_cancel (t2, NULL);
    g_autoptr(GtkloopFuture) both = gtkloop_gather (consumers, 2, TRUE);
    if (!gtkloop_await (both, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    gtkloop_queue_get_nowait (queue, &error);
    if (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_EMPTY))
      g_print ("get_nowait: QueueEmpty\n");
    g_clear_error (&error);
  }
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
