/* _gtkloop.LoopBase: the C base class of gtkloop.EventLoop.
 *
 * It holds the hot methods, so that scheduling a callback is one C call:
 * time(), call_soon(), call_later() and call_at() make asyncio's handle in
 * C (handles.c) and hand it to the loop's Core; call_soon_threadsafe
 * the same through the thread inbox. EventLoop
 * (python/gtkloop/_loop.py) puts LoopBase first among its bases, before
 * asyncio's selector loop, whose versions of these it replaces; in debug
 * mode they call back into Python (_gtkloop_call_soon_checked,
 * _gtkloop_call_at_checked), which check the thread and the callback and
 * record where each handle was made, as asyncio does. */
#include "module.h"

#include <math.h>

typedef struct
{
  PyObject_HEAD
  CoreObject *core;     /* (owned) (nullable) until _gtkloop_attach */
  gboolean    debug;
  gboolean    closed;
} LoopBaseObject;

static PyObject *str_call_soon_checked;
static PyObject *str_call_at_checked;
static PyObject *str_call_soon_threadsafe_checked;

static void
loop_base_dealloc (LoopBaseObject *self)
{
  PyTypeObject *type = Py_TYPE (self);

  Py_CLEAR (self->core);
  type->tp_free (self);
  Py_DECREF (type);
}

static gboolean
check_open (LoopBaseObject *self)
{
  if (self->closed)
    {
      PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
      return FALSE;
    }
  if (self->core == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "gtkloop.EventLoop was not initialised");
      return FALSE;
    }
  return gtkloop_py_handles_ready ();
}

/* callback, *args, context=None: the positional part after @first. */
static gboolean
parse_callback (const char        *method,
                PyObject * const  *args,
                Py_ssize_t         nargs,
                PyObject          *kwnames,
                Py_ssize_t         first,
                PyObject         **callback,
                PyObject         **cb_args,
                PyObject         **context)
{
  Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE (kwnames) : 0;

  *context = NULL;
  for (Py_ssize_t i = 0; i < nkw; i++)
    {
      PyObject *name = PyTuple_GET_ITEM (kwnames, i);

      if (!PyUnicode_Check (name) || PyUnicode_CompareWithASCIIString (name, "context") != 0)
        {
          PyErr_Format (PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", method, name);
          return FALSE;
        }
      *context = args[nargs + i];
    }
  if (nargs <= first)
    {
      PyErr_Format (PyExc_TypeError, "%s() missing required positional argument: 'callback'", method);
      return FALSE;
    }
  *callback = args[first];
  *cb_args = PyTuple_New (nargs - first - 1);
  if (*cb_args == NULL)
    return FALSE;
  for (Py_ssize_t i = first + 1; i < nargs; i++)
    {
      Py_INCREF (args[i]);
      PyTuple_SET_ITEM (*cb_args, i - first - 1, args[i]);
    }
  return TRUE;
}

static PyObject *
loop_base_time (LoopBaseObject *self,
                PyObject       *unused)
{
  if (self->core == NULL)
    return PyErr_Format (PyExc_RuntimeError, "gtkloop.EventLoop was not initialised");
  return PyFloat_FromDouble (gtkloop_loop_time (self->core->loop));
}

/* asyncio's call_soon(callback, *args, context=None). */
static PyObject *
loop_base_call_soon (LoopBaseObject   *self,
                     PyObject * const *args,
                     size_t            nargsf,
                     PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  PyObject *callback, *cb_args, *context, *handle;

  if (!parse_callback ("call_soon", args, nargs, kwnames, 0, &callback, &cb_args, &context))
    return NULL;
  if (!check_open (self))
    {
      Py_DECREF (cb_args);
      return NULL;
    }
  if (self->debug)
    handle = PyObject_CallMethodObjArgs ((PyObject *) self, str_call_soon_checked, callback, cb_args,
                                         context != NULL ? context : Py_None, NULL);
  else
    {
      handle = gtkloop_py_handle_new (FALSE, callback, cb_args, (PyObject *) self, context);
      if (handle != NULL && !gtkloop_py_core_schedule_soon (self->core, handle))
        Py_CLEAR (handle);
    }
  Py_DECREF (cb_args);
  return handle;
}

/* asyncio's call_soon_threadsafe(callback, *args, context=None): any
 * thread. */
static PyObject *
loop_base_call_soon_threadsafe (LoopBaseObject   *self,
                                PyObject * const *args,
                                size_t            nargsf,
                                PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  PyObject *callback, *cb_args, *context, *handle;

  if (!parse_callback ("call_soon_threadsafe", args, nargs, kwnames, 0, &callback, &cb_args, &context))
    return NULL;
  if (!check_open (self))
    {
      Py_DECREF (cb_args);
      return NULL;
    }
  if (self->debug)
    handle = PyObject_CallMethodObjArgs ((PyObject *) self, str_call_soon_threadsafe_checked, callback,
                                         cb_args, context != NULL ? context : Py_None, NULL);
  else
    {
      handle = gtkloop_py_handle_new (FALSE, callback, cb_args, (PyObject *) self, context);
      if (handle != NULL && !gtkloop_py_core_schedule_threadsafe (self->core, handle))
        Py_CLEAR (handle);
    }
  Py_DECREF (cb_args);
  return handle;
}

static PyObject *
schedule_timer (LoopBaseObject *self,
                PyObject       *when,
                PyObject       *callback,
                PyObject       *cb_args,
                PyObject       *context)
{
  PyObject *timer, *id;
  double at;
  guint64 timer_id;

  if (self->debug)
    return PyObject_CallMethodObjArgs ((PyObject *) self, str_call_at_checked, when, callback, cb_args,
                                       context != NULL ? context : Py_None, NULL);
  at = PyFloat_AsDouble (when);
  if (at == -1.0 && PyErr_Occurred ())
    return NULL;
  if (isnan (at))   /* asyncio runs a NaN deadline at once (NaN >= now is false) */
    at = gtkloop_loop_time (self->core->loop);
  timer = gtkloop_py_handle_new (TRUE, callback, cb_args, (PyObject *) self, context);
  if (timer == NULL)
    return NULL;
  timer_id = gtkloop_py_core_schedule_at (self->core, at, timer);
  if (timer_id == 0 || (id = PyLong_FromUnsignedLongLong (timer_id)) == NULL)
    {
      Py_DECREF (timer);
      return NULL;
    }
  gtkloop_py_timer_set (timer, when, id);
  Py_DECREF (id);
  return timer;
}

/* asyncio's call_at(when, callback, *args, context=None). */
static PyObject *
loop_base_call_at (LoopBaseObject   *self,
                   PyObject * const *args,
                   size_t            nargsf,
                   PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  PyObject *callback, *cb_args, *context, *timer;

  if (nargs >= 1 && args[0] == Py_None)
    return PyErr_Format (PyExc_TypeError, "when cannot be None");
  if (!parse_callback ("call_at", args, nargs, kwnames, 1, &callback, &cb_args, &context))
    return NULL;
  if (!check_open (self))
    {
      Py_DECREF (cb_args);
      return NULL;
    }
  timer = schedule_timer (self, args[0], callback, cb_args, context);
  Py_DECREF (cb_args);
  return timer;
}

/* asyncio's call_later(delay, callback, *args, context=None): call_at
 * (time() + delay). */
static PyObject *
loop_base_call_later (LoopBaseObject   *self,
                      PyObject * const *args,
                      size_t            nargsf,
                      PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  PyObject *callback, *cb_args, *context, *now, *when, *timer;

  if (!parse_callback ("call_later", args, nargs, kwnames, 1, &callback, &cb_args, &context))
    return NULL;
  if (!check_open (self))
    {
      Py_DECREF (cb_args);
      return NULL;
    }
  now = PyFloat_FromDouble (gtkloop_loop_time (self->core->loop));
  when = now != NULL ? PyNumber_Add (now, args[0]) : NULL;   /* asyncio's TypeError for a bad delay */
  Py_XDECREF (now);
  timer = when != NULL ? schedule_timer (self, when, callback, cb_args, context) : NULL;
  Py_XDECREF (when);
  Py_DECREF (cb_args);
  return timer;
}

/* TimerHandle.cancel() calls this: the C timer goes at once (O(1) for
 * the handle; the loop frees its entry). From another thread, or once
 * closed, the handle is only marked, and skipped when it comes due. */
static PyObject *
loop_base_timer_handle_cancelled (LoopBaseObject *self,
                                  PyObject       *timer)
{
  if (self->core != NULL && !self->closed && gtkloop_py_handles_ready () &&
      gtkloop_py_timer_unschedule (timer) &&
      gtkloop_loop_is_owner_thread (self->core->loop) && !gtkloop_loop_is_closed (self->core->loop))
    gtkloop_loop_cancel (self->core->loop, gtkloop_py_timer_id (timer));
  Py_RETURN_NONE;
}

static PyObject *
loop_base_attach (LoopBaseObject *self,
                  PyObject       *core)
{
  if (!PyObject_TypeCheck (core, gtkloop_py_core_type))
    return PyErr_Format (PyExc_TypeError, "_gtkloop_attach takes a Core");
  Py_INCREF (core);
  Py_XSETREF (self->core, (CoreObject *) core);
  Py_RETURN_NONE;
}

static PyObject *
loop_base_mark_closed (LoopBaseObject *self,
                       PyObject       *unused)
{
  self->closed = TRUE;
  Py_RETURN_NONE;
}

static PyObject *
loop_base_set_fast_debug (LoopBaseObject *self,
                          PyObject       *enabled)
{
  int debug = PyObject_IsTrue (enabled);

  if (debug < 0)
    return NULL;
  self->debug = debug;
  Py_RETURN_NONE;
}

static PyMethodDef loop_base_methods[] = {
  { "time", (PyCFunction) loop_base_time, METH_NOARGS,
    "The loop's clock: CLOCK_MONOTONIC in seconds, as time.monotonic()." },
  { "call_soon", (PyCFunction) (void (*) (void)) loop_base_call_soon, METH_FASTCALL | METH_KEYWORDS,
    "asyncio's call_soon(callback, *args, context=None)." },
  { "call_soon_threadsafe", (PyCFunction) (void (*) (void)) loop_base_call_soon_threadsafe,
    METH_FASTCALL | METH_KEYWORDS, "asyncio's call_soon_threadsafe(callback, *args, context=None)." },
  { "call_at", (PyCFunction) (void (*) (void)) loop_base_call_at, METH_FASTCALL | METH_KEYWORDS,
    "asyncio's call_at(when, callback, *args, context=None)." },
  { "call_later", (PyCFunction) (void (*) (void)) loop_base_call_later, METH_FASTCALL | METH_KEYWORDS,
    "asyncio's call_later(delay, callback, *args, context=None)." },
  { "_timer_handle_cancelled", (PyCFunction) loop_base_timer_handle_cancelled, METH_O,
    "Called by TimerHandle.cancel(): removes the C timer." },
  { "_gtkloop_attach", (PyCFunction) loop_base_attach, METH_O, "Gives the loop its Core." },
  { "_gtkloop_mark_closed", (PyCFunction) loop_base_mark_closed, METH_NOARGS, "Refuses scheduling from now on." },
  { "_gtkloop_set_fast_debug", (PyCFunction) loop_base_set_fast_debug, METH_O,
    "Debug mode: scheduling goes through the checked Python methods." },
  { NULL, NULL, 0, NULL },
};

static PyType_Slot loop_base_slots[] = {
  { Py_tp_doc, (void *) "The C base class of gtkloop.EventLoop: its scheduling methods." },
  { Py_tp_new, PyType_GenericNew },
  { Py_tp_dealloc, loop_base_dealloc },
  { Py_tp_methods, loop_base_methods },
  { 0, NULL },
};

static PyType_Spec loop_base_spec = {
  .name = "gtkloop._gtkloop.LoopBase",
  .basicsize = sizeof (LoopBaseObject),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE,
  .slots = loop_base_slots,
};

int
gtkloop_py_add_loop_base_type (PyObject *module)
{
  PyObject *type;

  if (str_call_soon_checked == NULL &&
      ((str_call_soon_checked = PyUnicode_InternFromString ("_gtkloop_call_soon_checked")) == NULL ||
       (str_call_at_checked = PyUnicode_InternFromString ("_gtkloop_call_at_checked")) == NULL ||
       (str_call_soon_threadsafe_checked =
          PyUnicode_InternFromString ("_gtkloop_call_soon_threadsafe_checked")) == NULL))
    return -1;
  type = PyType_FromModuleAndSpec (module, &loop_base_spec, NULL);
  if (type == NULL)
    return -1;
  if (PyModule_AddObjectRef (module, "LoopBase", type) < 0)
    {
      Py_DECREF (type);
      return -1;
    }
  Py_DECREF (type);
  return 0;
}
