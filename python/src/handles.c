/* asyncio's Handle and TimerHandle, made and run from C.
 *
 * The handles stay asyncio's own classes (events.Handle, and
 * gtkloop._loop._TimerHandle, a TimerHandle subclass), so isinstance,
 * cancel(), repr and everything CPython's tests look at are unchanged.
 * What is skipped is their Python __init__ and _run: a handle is allocated
 * by its type and its __slots__ are filled in directly, at the offsets
 * their member descriptors give; running one enters its context and calls
 * the callback, as Handle._run does, and only an exception goes back to
 * Python (_report_handle_exception, which words it as Handle._run would).
 * In debug mode handles are made by their Python constructors (which
 * record where they were made), and subclasses with their own _run are
 * run through it. */
#include "module.h"

typedef struct
{
  PyTypeObject *handle_type;     /* asyncio.events.Handle */
  PyTypeObject *timer_type;      /* gtkloop._loop._TimerHandle */
  PyObject     *report;          /* gtkloop._loop._report_handle_exception */
  Py_ssize_t    callback, args, cancelled, loop, source_traceback, repr, context;
  Py_ssize_t    when, scheduled, timer_id;
} HandleLayout;

static HandleLayout layout;

static PyObject *str_run;
static PyObject *str_loop;
static PyObject *str_callback_raised;

static inline PyObject *
get_slot (PyObject  *obj,
          Py_ssize_t offset)
{
  return *(PyObject **) ((char *) obj + offset);
}

/* Steals @value. */
static inline void
set_slot_steal (PyObject  *obj,
                Py_ssize_t offset,
                PyObject  *value)
{
  PyObject **slot = (PyObject **) ((char *) obj + offset);
  PyObject *old = *slot;

  *slot = value;
  Py_XDECREF (old);
}

static inline void
set_slot (PyObject  *obj,
          Py_ssize_t offset,
          PyObject  *value)
{
  Py_INCREF (value);
  set_slot_steal (obj, offset, value);
}

/* The offset of a __slots__ entry, from its member descriptor. */
static int
slot_offset (PyTypeObject *type,
             const char   *name,
             Py_ssize_t   *offset)
{
  PyObject *descr = PyObject_GetAttrString ((PyObject *) type, name);
  PyMemberDef *member;

  if (descr == NULL)
    return -1;
  if (!Py_IS_TYPE (descr, &PyMemberDescr_Type))
    {
      PyErr_Format (PyExc_TypeError, "%s.%s is not a __slots__ member", type->tp_name, name);
      Py_DECREF (descr);
      return -1;
    }
  member = ((PyMemberDescrObject *) descr)->d_member;
  if (member->type != T_OBJECT_EX)
    {
      PyErr_Format (PyExc_TypeError, "%s.%s is not an object slot", type->tp_name, name);
      Py_DECREF (descr);
      return -1;
    }
  *offset = member->offset;
  Py_DECREF (descr);
  return 0;
}

/* _set_handle_types(Handle, _TimerHandle, report): called once by
 * gtkloop._loop at import. */
PyObject *
gtkloop_py_set_handle_types (PyObject         *module,
                             PyObject * const *args,
                             Py_ssize_t        nargs)
{
  HandleLayout l = { 0 };

  if (nargs != 3 || !PyType_Check (args[0]) || !PyType_Check (args[1]) || !PyCallable_Check (args[2]))
    return PyErr_Format (PyExc_TypeError, "_set_handle_types(Handle, TimerHandle, report)");
  l.handle_type = (PyTypeObject *) args[0];
  l.timer_type = (PyTypeObject *) args[1];
  if (!PyType_IsSubtype (l.timer_type, l.handle_type))
    return PyErr_Format (PyExc_TypeError, "the timer type must subclass Handle");
  if (slot_offset (l.handle_type, "_callback", &l.callback) < 0 ||
      slot_offset (l.handle_type, "_args", &l.args) < 0 ||
      slot_offset (l.handle_type, "_cancelled", &l.cancelled) < 0 ||
      slot_offset (l.handle_type, "_loop", &l.loop) < 0 ||
      slot_offset (l.handle_type, "_source_traceback", &l.source_traceback) < 0 ||
      slot_offset (l.handle_type, "_repr", &l.repr) < 0 ||
      slot_offset (l.handle_type, "_context", &l.context) < 0 ||
      slot_offset (l.timer_type, "_when", &l.when) < 0 ||
      slot_offset (l.timer_type, "_scheduled", &l.scheduled) < 0 ||
      slot_offset (l.timer_type, "_gtkloop_timer", &l.timer_id) < 0)
    return NULL;
  if (str_run == NULL &&
      ((str_run = PyUnicode_InternFromString ("_run")) == NULL ||
       (str_loop = PyUnicode_InternFromString ("_loop")) == NULL ||
       (str_callback_raised = PyUnicode_InternFromString ("_gtkloop_callback_raised")) == NULL))
    return NULL;
  Py_INCREF (l.handle_type);
  Py_INCREF (l.timer_type);
  Py_INCREF (args[2]);
  l.report = args[2];
  Py_XDECREF (layout.handle_type);
  Py_XDECREF (layout.timer_type);
  Py_XDECREF (layout.report);
  layout = l;
  Py_RETURN_NONE;
}

gboolean
gtkloop_py_handles_ready (void)
{
  if (layout.handle_type != NULL)
    return TRUE;
  PyErr_SetString (PyExc_RuntimeError, "gtkloop._loop has not set the handle types");
  return FALSE;
}

/* A new Handle (@timer FALSE) or _TimerHandle, as their constructors
 * would make it outside debug mode. @args: a tuple; @context: nullable
 * (the current context is copied). */
PyObject *
gtkloop_py_handle_new (gboolean  timer,
                       PyObject *callback,
                       PyObject *args,
                       PyObject *loop,
                       PyObject *context)
{
  PyTypeObject *type = timer ? layout.timer_type : layout.handle_type;
  PyObject *handle = type->tp_alloc (type, 0);

  if (handle == NULL)
    return NULL;
  if (context == NULL || context == Py_None)
    {
      context = PyContext_CopyCurrent ();
      if (context == NULL)
        {
          Py_DECREF (handle);
          return NULL;
        }
      set_slot_steal (handle, layout.context, context);
    }
  else
    set_slot (handle, layout.context, context);
  set_slot (handle, layout.loop, loop);
  set_slot (handle, layout.callback, callback);
  set_slot (handle, layout.args, args);
  set_slot (handle, layout.cancelled, Py_False);
  set_slot (handle, layout.repr, Py_None);
  set_slot (handle, layout.source_traceback, Py_None);
  if (timer)
    set_slot (handle, layout.scheduled, Py_False);
  return handle;
}

void
gtkloop_py_timer_set (PyObject *timer,
                      PyObject *when,
                      PyObject *timer_id)
{
  set_slot (timer, layout.when, when);
  set_slot (timer, layout.timer_id, timer_id);
  set_slot (timer, layout.scheduled, Py_True);
}

/* For a _TimerHandle still scheduled: marks it not scheduled and returns
 * TRUE (its C timer is then to be cancelled). */
gboolean
gtkloop_py_timer_unschedule (PyObject *timer)
{
  if (!PyObject_TypeCheck (timer, layout.timer_type))
    return FALSE;
  if (get_slot (timer, layout.scheduled) != Py_True || get_slot (timer, layout.timer_id) == NULL)
    return FALSE;
  set_slot (timer, layout.scheduled, Py_False);
  return TRUE;
}

guint64
gtkloop_py_timer_id (PyObject *timer)
{
  return PyLong_AsUnsignedLongLong (get_slot (timer, layout.timer_id));
}

gboolean
gtkloop_py_handle_is_cancelled (PyObject *handle)
{
  return get_slot (handle, layout.cancelled) != Py_False;
}

/* A BaseException out of a handle: its loop stops and re-raises it. */
void
gtkloop_py_hand_to_loop (PyObject *handle)
{
  PyObject *type, *value, *tb, *loop, *result = NULL;

  PyErr_Fetch (&type, &value, &tb);
  PyErr_NormalizeException (&type, &value, &tb);
  if (tb != NULL)
    PyException_SetTraceback (value, tb);
  loop = PyObject_GetAttr (handle, str_loop);
  if (loop != NULL)
    result = PyObject_CallMethodOneArg (loop, str_callback_raised, value);
  if (result == NULL)
    PyErr_WriteUnraisable (handle);
  Py_XDECREF (result);
  Py_XDECREF (loop);
  Py_XDECREF (type);
  Py_XDECREF (value);
  Py_XDECREF (tb);
}

/* What Handle._run does with an exception: SystemExit and
 * KeyboardInterrupt go on (to the loop), the rest to the loop's exception
 * handler. */
static void
report_exception (PyObject *handle)
{
  PyObject *type, *value, *tb, *result;

  if (PyErr_ExceptionMatches (PyExc_SystemExit) || PyErr_ExceptionMatches (PyExc_KeyboardInterrupt))
    {
      gtkloop_py_hand_to_loop (handle);
      return;
    }
  PyErr_Fetch (&type, &value, &tb);
  PyErr_NormalizeException (&type, &value, &tb);
  if (tb != NULL)
    PyException_SetTraceback (value, tb);
  result = PyObject_CallFunctionObjArgs (layout.report, handle, value, NULL);
  Py_XDECREF (type);
  Py_XDECREF (value);
  Py_XDECREF (tb);
  if (result == NULL)
    gtkloop_py_hand_to_loop (handle);   /* the handler itself let something through */
  Py_XDECREF (result);
}

/* Runs a handle that is not cancelled: the C path for asyncio's Handle and
 * our _TimerHandle, handle._run() for anything else. */
void
gtkloop_py_handle_run (PyObject *handle)
{
  PyTypeObject *type = Py_TYPE (handle);
  PyObject *context, *result;

  if (type != layout.handle_type && type != layout.timer_type)
    {
      result = PyObject_CallMethodNoArgs (handle, str_run);
      if (result == NULL)
        gtkloop_py_hand_to_loop (handle);
      Py_XDECREF (result);
      return;
    }
  if (type == layout.timer_type)
    set_slot (handle, layout.scheduled, Py_False);
  context = get_slot (handle, layout.context);
  if (PyContext_Enter (context) < 0)
    {
      report_exception (handle);
      return;
    }
  result = PyObject_Call (get_slot (handle, layout.callback), get_slot (handle, layout.args), NULL);
  if (result == NULL)
    {
      /* Exit first, keeping the callback's exception. */
      PyObject *type_, *value, *tb;

      PyErr_Fetch (&type_, &value, &tb);
      PyContext_Exit (context);
      PyErr_Restore (type_, value, tb);
      report_exception (handle);
      return;
    }
  Py_DECREF (result);
  if (PyContext_Exit (context) < 0)
    report_exception (handle);
}
