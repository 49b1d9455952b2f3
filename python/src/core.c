/* _gtkloop.Core: one GtkloopLoop, seen from Python.
 *
 * gtkloop.EventLoop (python/gtkloop/_loop.py) is asyncio's selector event
 * loop with its scheduling handed to this object: the ready queue, the
 * timers, the thread inbox and fd readiness are the C loop's, iterated by
 * whatever iterates its GMainContext (Core.run_forever, or GTK). What is
 * scheduled here is an asyncio Handle (or TimerHandle): when its turn
 * comes, Handle._run() is called unless the handle was cancelled; a
 * BaseException that _run() lets through (KeyboardInterrupt, SystemExit)
 * goes to the EventLoop's _gtkloop_callback_raised, which stops the loop
 * and re-raises it from run_forever, as asyncio's _run_once would.
 *
 * The GIL: callbacks take it (PyGILState_Ensure: already held when
 * Core.run_forever drives, taken when GTK's main loop, run by PyGObject
 * without the GIL, does). While this loop runs, the context's poll
 * function lets the GIL go around poll() itself, so worker threads run
 * while the loop sleeps; a signal that interrupts the poll runs its
 * Python handler there, and an exception it raises (KeyboardInterrupt)
 * stops the loop and comes out of run_forever. */
#include "module.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>


/* How many loops are in debug mode: while there are any, each handle's
 * run is timed for asyncio's slow-callback warning. */
static gint n_debug_loops;

/* Interned names, made at module init. */
static PyObject *str_loop;
static PyObject *str_callback_took;

/* An exception raised by a Python signal handler during the poll, on the
 * thread whose loop was polling; run_forever raises it. */
static __thread PyObject *poll_exception;

/* Whether Core.run_forever is iterating on this thread. When it is not,
 * something else iterates the context (GTK's Gtk.Application.run, a
 * GLib.MainLoop): each handle then runs with its loop set as asyncio's
 * running loop, so the coroutines it steps find it. */
static __thread gboolean in_run_forever;
static PyObject *set_running_loop;   /* asyncio.events._set_running_loop */
static PyObject *get_running_loop;   /* asyncio.events._get_running_loop */

/* Callbacks ---------------------------------------------------------------- */

/* Debug mode: the loop logs a handle that took too long. */
static void
report_duration (PyObject *handle,
                 double    seconds)
{
  PyObject *loop = PyObject_GetAttr (handle, str_loop);
  PyObject *duration = PyFloat_FromDouble (seconds);
  PyObject *result = NULL;

  if (loop != NULL && duration != NULL)
    result = PyObject_CallMethodObjArgs (loop, str_callback_took, handle, duration, NULL);
  if (result == NULL)
    PyErr_WriteUnraisable (handle);
  Py_XDECREF (result);
  Py_XDECREF (duration);
  Py_XDECREF (loop);
}

/* Outside run_forever: the handle's loop becomes asyncio's running loop
 * for the call, unless one is running already. Returns the loop set (a
 * new reference) or NULL. */
static PyObject *
enter_running_loop (PyObject *handle)
{
  PyObject *loop, *result, *running = PyObject_CallNoArgs (get_running_loop);

  if (running == NULL)
    {
      PyErr_WriteUnraisable (handle);
      return NULL;
    }
  Py_DECREF (running);
  if (running != Py_None)
    return NULL;
  loop = PyObject_GetAttr (handle, str_loop);
  if (loop == NULL)
    {
      PyErr_Clear ();
      return NULL;
    }
  result = PyObject_CallOneArg (set_running_loop, loop);
  if (result == NULL)
    {
      PyErr_WriteUnraisable (handle);
      Py_DECREF (loop);
      return NULL;
    }
  Py_DECREF (result);
  return loop;
}

static void
leave_running_loop (PyObject *loop)
{
  PyObject *result = PyObject_CallOneArg (set_running_loop, Py_None);

  if (result == NULL)
    PyErr_WriteUnraisable (loop);
  Py_XDECREF (result);
  Py_DECREF (loop);
}

/* asyncio's _run_once, for one handle: skipped once cancelled. */
static void
run_handle_cb (gpointer data)
{
  PyObject *handle = data;
  PyGILState_STATE gil = PyGILState_Ensure ();

  if (!gtkloop_py_handle_is_cancelled (handle))
    {
      gboolean timed = g_atomic_int_get (&n_debug_loops) > 0;
      gint64 start = timed ? g_get_monotonic_time () : 0;
      PyObject *loop = in_run_forever ? NULL : enter_running_loop (handle);

      gtkloop_py_handle_run (handle);
      if (loop != NULL)
        leave_running_loop (loop);
      if (timed)
        report_duration (handle, (g_get_monotonic_time () - start) / 1e6);
    }
  PyGILState_Release (gil);
}

/* fd readiness: the selector's dispatcher, which runs the reader or
 * writer handle itself (and hands on what it lets through). */
static void
call_cb (gpointer data)
{
  PyGILState_STATE gil = PyGILState_Ensure ();
  PyObject *result = PyObject_CallNoArgs (data);

  if (result == NULL)
    PyErr_WriteUnraisable (data);
  Py_XDECREF (result);
  PyGILState_Release (gil);
}

static void
decref_cb (gpointer data)
{
  PyGILState_STATE gil = PyGILState_Ensure ();

  Py_DECREF ((PyObject *) data);
  PyGILState_Release (gil);
}

/* A queued handle is kept alive by the C loop's reference, which the
 * cyclic collector cannot see, so walking it proves nothing: while it
 * waits it is taken off the collector's lists. With a million handles
 * queued (W1), the collections that promote and re-walk them were most of
 * call_soon's cost. Called with the GIL. */
static void
hide_queued_handle (PyObject *handle)
{
  if (PyObject_GC_IsTracked (handle))
    PyObject_GC_UnTrack (handle);
}

/* The destroy notify of a queued handle: back on the collector's lists
 * (someone else may still hold it, in a cycle) before the loop lets go. */
static void
release_handle_cb (gpointer data)
{
  PyObject *handle = data;
  PyGILState_STATE gil = PyGILState_Ensure ();

  if (!PyObject_GC_IsTracked (handle))
    PyObject_GC_Track (handle);
  Py_DECREF (handle);
  PyGILState_Release (gil);
}

/* The poll, without the GIL ------------------------------------------------- */

static gint
poll_without_gil (GPollFD *fds,
                  guint    nfds,
                  gint     timeout)
{
  gint ready;
  int errsv;

  if (!PyGILState_Check ())
    return g_poll (fds, nfds, timeout);
  Py_BEGIN_ALLOW_THREADS
  ready = g_poll (fds, nfds, timeout);
  errsv = errno;
  Py_END_ALLOW_THREADS
  if (ready < 0 && errsv == EINTR && PyErr_CheckSignals () < 0)
    {
      PyObject *type, *value, *tb;
      GtkloopLoop *running = gtkloop_loop_get_running ();

      PyErr_Fetch (&type, &value, &tb);
      PyErr_NormalizeException (&type, &value, &tb);
      if (tb != NULL)
        PyException_SetTraceback (value, tb);
      Py_XDECREF (type);
      Py_XDECREF (tb);
      if (poll_exception == NULL)
        poll_exception = value;
      else
        Py_DECREF (value);
      if (running != NULL)
        gtkloop_loop_stop (running);
    }
  errno = errsv;
  return ready;
}

/* Checks --------------------------------------------------------------------- */

gboolean
gtkloop_py_core_check_usable (CoreObject *self)
{
  if (self->loop == NULL || gtkloop_loop_is_closed (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
      return FALSE;
    }
  if (!gtkloop_loop_is_owner_thread (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError,
                       "Non-thread-safe operation invoked on an event loop other than the current one");
      return FALSE;
    }
  return TRUE;
}

/* Methods -------------------------------------------------------------------- */

/* GLib ends the process when a new context cannot have its wake-up fd;
 * asyncio's loops raise OSError (EMFILE) when out of fds: so probe one
 * first, made the way GLib makes it (src/context.c does the same for the
 * C calls). */
static GMainContext *
new_context (void)
{
  int probe = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);

  if (probe < 0)
    {
      PyErr_SetFromErrno (PyExc_OSError);
      return NULL;
    }
  close (probe);
  return g_main_context_new ();
}

static int
core_init (CoreObject *self,
           PyObject   *args,
           PyObject   *kwds)
{
  static char *keywords[] = { "main_thread", NULL };
  int main_thread = 1;
  GMainContext *context;

  if (!PyArg_ParseTupleAndKeywords (args, kwds, "|p:Core", keywords, &main_thread))
    return -1;
  if (self->loop != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "Core is already initialised");
      return -1;
    }
  /* The GUI thread's loop shares the global default context with GTK; a
   * loop for another thread gets the context pushed there, or its own. A
   * loop made on the main thread while this thread iterates the default
   * context (a GTK handler, another loop's callback) is for another
   * thread too: the main thread cannot run it there (seed 001's click
   * that starts a loop on a worker thread). */
  if (main_thread && !g_main_context_is_owner (g_main_context_default ()))
    context = g_main_context_ref (g_main_context_default ());
  else if (g_main_context_get_thread_default () != NULL && !main_thread)
    context = g_main_context_ref_thread_default ();
  else if ((context = new_context ()) == NULL)
    return -1;
  self->loop = gtkloop_loop_new (context);
  g_main_context_unref (context);
  return 0;
}

static void
core_dealloc (CoreObject *self)
{
  PyTypeObject *type = Py_TYPE (self);

  if (self->debug)
    g_atomic_int_add (&n_debug_loops, -1);
  if (self->loop != NULL)
    {
      if (!gtkloop_loop_is_running (self->loop))
        gtkloop_loop_close (self->loop);
      g_object_unref (self->loop);
    }
  type->tp_free (self);
  Py_DECREF (type);
}

static PyObject *
core_time (CoreObject *self,
           PyObject   *unused)
{
  return PyFloat_FromDouble (gtkloop_loop_time (self->loop));
}

/* Posts @handle (a new reference is taken) through the thread inbox. When
 * the loop is far behind, the C library asks the posting thread to pause:
 * here without the GIL, which the loop's thread needs to run handles. */
static void
post_handle (CoreObject *self,
             PyObject   *handle)
{
  guint pause_us;

  Py_INCREF (handle);
  hide_queued_handle (handle);
  pause_us = gtkloop_loop_call_soon_threadsafe_unpaced (self->loop, run_handle_cb, handle, release_handle_cb);
  if (pause_us > 0)
    {
      Py_BEGIN_ALLOW_THREADS
      g_usleep (pause_us);
      Py_END_ALLOW_THREADS
    }
}

/* Schedules @handle (a new reference is taken). From another thread
 * (asyncio allows it, unsafely, outside debug mode) it goes through the
 * thread inbox. FALSE with a Python error. */
gboolean
gtkloop_py_core_schedule_soon (CoreObject *self,
                               PyObject   *handle)
{
  if (self->loop != NULL && !gtkloop_loop_is_closed (self->loop) &&
      !gtkloop_loop_is_owner_thread (self->loop))
    {
      post_handle (self, handle);
      return TRUE;
    }
  if (!gtkloop_py_core_check_usable (self))
    return FALSE;
  Py_INCREF (handle);
  hide_queued_handle (handle);
  if (gtkloop_loop_call_soon (self->loop, run_handle_cb, handle, release_handle_cb) == 0)
    {
      PyErr_SetString (PyExc_RuntimeError, "gtkloop refused call_soon");
      return FALSE;
    }
  return TRUE;
}

/* Schedules @handle from any thread, through the thread inbox. */
gboolean
gtkloop_py_core_schedule_threadsafe (CoreObject *self,
                                     PyObject   *handle)
{
  if (self->loop == NULL || gtkloop_loop_is_closed (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
      return FALSE;
    }
  post_handle (self, handle);
  return TRUE;
}

/* Schedules @handle at @when; returns the timer id, or 0 with a Python
 * error. */
guint64
gtkloop_py_core_schedule_at (CoreObject *self,
                             double      when,
                             PyObject   *handle)
{
  guint64 id;

  if (!gtkloop_py_core_check_usable (self))
    return 0;
  Py_INCREF (handle);
  hide_queued_handle (handle);
  id = gtkloop_loop_call_at (self->loop, when, run_handle_cb, handle, release_handle_cb);
  if (id == 0)
    PyErr_SetString (PyExc_RuntimeError, "gtkloop refused call_at");
  return id;
}

/* call_soon(handle) */
static PyObject *
core_call_soon (CoreObject *self,
                PyObject   *handle)
{
  if (!gtkloop_py_core_schedule_soon (self, handle))
    return NULL;
  Py_RETURN_NONE;
}

/* call_at(when, handle) -> timer id */
static PyObject *
core_call_at (CoreObject       *self,
              PyObject * const *args,
              Py_ssize_t        nargs)
{
  double when;
  guint64 id;

  if (nargs != 2)
    return PyErr_Format (PyExc_TypeError, "call_at takes (when, handle)");
  when = PyFloat_AsDouble (args[0]);
  if (when == -1.0 && PyErr_Occurred ())
    return NULL;
  id = gtkloop_py_core_schedule_at (self, when, args[1]);
  if (id == 0)
    return NULL;
  return PyLong_FromUnsignedLongLong (id);
}

/* cancel(timer_id): O(1); the handle's reference goes now. */
static PyObject *
core_cancel (CoreObject *self,
             PyObject   *id)
{
  unsigned long long value = PyLong_AsUnsignedLongLong (id);

  if (value == (unsigned long long) -1 && PyErr_Occurred ())
    return NULL;
  if (!gtkloop_py_core_check_usable (self))
    return NULL;
  return PyBool_FromLong (gtkloop_loop_cancel (self->loop, value));
}

/* call_soon_threadsafe(handle): any thread. */
static PyObject *
core_call_soon_threadsafe (CoreObject *self,
                           PyObject   *handle)
{
  if (!gtkloop_py_core_schedule_threadsafe (self, handle))
    return NULL;
  Py_RETURN_NONE;
}

typedef gboolean (*AddFd) (GtkloopLoop *, int, GtkloopCallback, gpointer, GDestroyNotify, GError **);
typedef gboolean (*RemoveFd) (GtkloopLoop *, int);

static PyObject *
add_fd (CoreObject       *self,
        PyObject * const *args,
        Py_ssize_t        nargs,
        AddFd             add)
{
  g_autoptr(GError) error = NULL;
  int fd;

  if (nargs != 2)
    return PyErr_Format (PyExc_TypeError, "takes (fd, callback)");
  fd = PyLong_AsLong (args[0]);
  if (fd == -1 && PyErr_Occurred ())
    return NULL;
  if (!gtkloop_py_core_check_usable (self))
    return NULL;
  Py_INCREF (args[1]);
  if (!add (self->loop, fd, call_cb, args[1], decref_cb, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return PyErr_Format (PyExc_ValueError, "%s", error->message);
      return PyErr_Format (PyExc_OSError, "%s", error->message);
    }
  Py_RETURN_NONE;
}

static PyObject *
remove_fd (CoreObject *self,
           PyObject   *arg,
           RemoveFd    remove)
{
  long fd = PyLong_AsLong (arg);

  if (fd == -1 && PyErr_Occurred ())
    return NULL;
  if (!gtkloop_py_core_check_usable (self))
    return NULL;
  return PyBool_FromLong (remove (self->loop, (int) fd));
}

static PyObject *
core_add_reader (CoreObject *self, PyObject * const *args, Py_ssize_t nargs)
{
  return add_fd (self, args, nargs, gtkloop_loop_add_reader);
}

static PyObject *
core_add_writer (CoreObject *self, PyObject * const *args, Py_ssize_t nargs)
{
  return add_fd (self, args, nargs, gtkloop_loop_add_writer);
}

static PyObject *
core_remove_reader (CoreObject *self, PyObject *fd)
{
  return remove_fd (self, fd, gtkloop_loop_remove_reader);
}

static PyObject *
core_remove_writer (CoreObject *self, PyObject *fd)
{
  return remove_fd (self, fd, gtkloop_loop_remove_writer);
}

static PyObject *
core_run_forever (CoreObject *self,
                  PyObject   *unused)
{
  GMainContext *context;
  GPollFunc poll_before;
  gboolean was_in_run_forever;
  PyObject *raised;

  if (self->loop == NULL || gtkloop_loop_is_closed (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
      return NULL;
    }
  if (gtkloop_loop_is_running (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "This event loop is already running");
      return NULL;
    }
  if (gtkloop_loop_get_running () != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError,
                       "Cannot run the event loop while another loop is running");
      return NULL;
    }
  context = gtkloop_loop_get_context (self->loop);
  /* Owned before its poll function changes: only one thread iterates a
   * context, and a loop made on the main thread is on GTK's default one. */
  if (!g_main_context_acquire (context))
    {
      PyErr_SetString (PyExc_RuntimeError,
                       "Cannot run the event loop: another thread is iterating its GMainContext "
                       "(a loop made on the main thread shares the default context with GTK; "
                       "make the loop on the thread that runs it)");
      return NULL;
    }
  poll_before = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, poll_without_gil);
  was_in_run_forever = in_run_forever;
  in_run_forever = TRUE;
  gtkloop_loop_run_forever (self->loop);
  in_run_forever = was_in_run_forever;
  g_main_context_set_poll_func (context, poll_before);
  g_main_context_release (context);
  raised = g_steal_pointer (&poll_exception);
  if (raised != NULL)
    {
      PyErr_SetObject ((PyObject *) Py_TYPE (raised), raised);
      Py_DECREF (raised);
      return NULL;
    }
  Py_RETURN_NONE;
}

static PyObject *
core_stop (CoreObject *self,
           PyObject   *unused)
{
  if (!gtkloop_py_core_check_usable (self))
    return NULL;
  gtkloop_loop_stop (self->loop);
  Py_RETURN_NONE;
}

/* stop_now(): run_forever returns after the running callback. */
static PyObject *
core_stop_now (CoreObject *self,
               PyObject   *unused)
{
  if (!gtkloop_py_core_check_usable (self))
    return NULL;
  gtkloop_loop_stop_now (self->loop);
  Py_RETURN_NONE;
}

static PyObject *
core_close (CoreObject *self,
            PyObject   *unused)
{
  if (self->loop == NULL || gtkloop_loop_is_closed (self->loop))
    Py_RETURN_NONE;
  if (gtkloop_loop_is_running (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "Cannot close a running event loop");
      return NULL;
    }
  gtkloop_loop_close (self->loop);
  Py_RETURN_NONE;
}

/* set_debug(bool): times each handle for the slow-callback warning. */
static PyObject *
core_set_debug (CoreObject *self,
                PyObject   *enabled)
{
  int debug = PyObject_IsTrue (enabled);

  if (debug < 0)
    return NULL;
  if (debug != self->debug)
    g_atomic_int_add (&n_debug_loops, debug ? 1 : -1);
  self->debug = debug;
  Py_RETURN_NONE;
}

static PyObject *
core_is_closed (CoreObject *self,
                PyObject   *unused)
{
  return PyBool_FromLong (self->loop == NULL || gtkloop_loop_is_closed (self->loop));
}

static PyObject *
core_is_owner_thread (CoreObject *self,
                      PyObject   *unused)
{
  return PyBool_FromLong (self->loop != NULL && gtkloop_loop_is_owner_thread (self->loop));
}

/* The GMainContext's address, for PyGObject: GLib.MainContext is not
 * constructible from it, but tests and demos compare it with
 * GLib.MainContext.default(). */
static PyObject *
core_is_default_context (CoreObject *self,
                         PyObject   *unused)
{
  return PyBool_FromLong (gtkloop_loop_get_context (self->loop) == g_main_context_default ());
}

static PyMethodDef core_methods[] = {
  { "time", (PyCFunction) core_time, METH_NOARGS, "The loop's clock (CLOCK_MONOTONIC, seconds)." },
  { "call_soon", (PyCFunction) core_call_soon, METH_O, "Runs handle._run() in the loop's turn." },
  { "call_at", (PyCFunction) (void (*) (void)) core_call_at, METH_FASTCALL, "Runs handle._run() at when; returns a timer id." },
  { "cancel", (PyCFunction) core_cancel, METH_O, "Cancels a timer by id." },
  { "call_soon_threadsafe", (PyCFunction) core_call_soon_threadsafe, METH_O, "call_soon from any thread." },
  { "add_reader", (PyCFunction) (void (*) (void)) core_add_reader, METH_FASTCALL, "Calls callback() when fd is readable." },
  { "add_writer", (PyCFunction) (void (*) (void)) core_add_writer, METH_FASTCALL, "Calls callback() when fd is writable." },
  { "remove_reader", (PyCFunction) core_remove_reader, METH_O, "Stops watching fd for reading." },
  { "remove_writer", (PyCFunction) core_remove_writer, METH_O, "Stops watching fd for writing." },
  { "run_forever", (PyCFunction) core_run_forever, METH_NOARGS, "Iterates the context until stop()." },
  { "stop", (PyCFunction) core_stop, METH_NOARGS, "Ends run_forever after this iteration." },
  { "stop_now", (PyCFunction) core_stop_now, METH_NOARGS,
    "Ends run_forever after the running callback; the rest of the iteration waits." },
  { "close", (PyCFunction) core_close, METH_NOARGS, "Closes the C loop; pending callbacks are dropped." },
  { "is_closed", (PyCFunction) core_is_closed, METH_NOARGS, NULL },
  { "set_debug", (PyCFunction) core_set_debug, METH_O, "Times each handle (loop._gtkloop_callback_took)." },
  { "is_owner_thread", (PyCFunction) core_is_owner_thread, METH_NOARGS, "Whether this thread may make loop-bound calls." },
  { "is_default_context", (PyCFunction) core_is_default_context, METH_NOARGS, "Whether the loop runs on GLib's global default context." },
  { NULL, NULL, 0, NULL },
};

static PyType_Slot core_slots[] = {
  { Py_tp_doc, (void *) "One gtkloop C loop on a GMainContext: the scheduling core of gtkloop.EventLoop." },
  { Py_tp_new, PyType_GenericNew },
  { Py_tp_init, core_init },
  { Py_tp_dealloc, core_dealloc },
  { Py_tp_methods, core_methods },
  { 0, NULL },
};

static PyType_Spec core_spec = {
  .name = "gtkloop._gtkloop.Core",
  .basicsize = sizeof (CoreObject),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
  .slots = core_slots,
};

PyTypeObject *gtkloop_py_core_type;

int
gtkloop_py_add_core_type (PyObject *module)
{
  PyObject *type;

  if ((str_loop == NULL && (str_loop = PyUnicode_InternFromString ("_loop")) == NULL) ||
      (str_callback_took == NULL &&
       (str_callback_took = PyUnicode_InternFromString ("_gtkloop_callback_took")) == NULL))
    return -1;
  if (set_running_loop == NULL)
    {
      PyObject *events = PyImport_ImportModule ("asyncio.events");

      if (events == NULL)
        return -1;
      set_running_loop = PyObject_GetAttrString (events, "_set_running_loop");
      get_running_loop = PyObject_GetAttrString (events, "_get_running_loop");
      Py_DECREF (events);
      if (set_running_loop == NULL || get_running_loop == NULL)
        return -1;
    }
  type = PyType_FromModuleAndSpec (module, &core_spec, NULL);
  if (type == NULL)
    return -1;
  gtkloop_py_core_type = (PyTypeObject *) type;
  if (PyModule_AddObjectRef (module, "Core", type) < 0)
    {
      Py_DECREF (type);
      return -1;
    }
  Py_DECREF (type);
  return 0;
}
