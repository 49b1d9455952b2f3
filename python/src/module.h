#pragma once

/* The _gtkloop extension's pieces (python/src/). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <gtkloop/gtkloop.h>

#include <structmember.h>

/* core.c: Core, one GtkloopLoop seen from Python. */
typedef struct
{
  PyObject_HEAD
  GtkloopLoop *loop;
  gboolean     debug;
} CoreObject;

extern PyTypeObject *gtkloop_py_core_type;

int      gtkloop_py_add_core_type       (PyObject   *module);
gboolean gtkloop_py_core_check_usable   (CoreObject *core);
gboolean gtkloop_py_core_schedule_soon  (CoreObject *core,
                                         PyObject   *handle);
gboolean gtkloop_py_core_schedule_threadsafe (CoreObject *core,
                                              PyObject   *handle);
guint64  gtkloop_py_core_schedule_at    (CoreObject *core,
                                         double      when,
                                         PyObject   *handle);

/* handles.c: asyncio's Handle and TimerHandle made and run from C. */
PyObject *gtkloop_py_set_handle_types    (PyObject         *module,
                                          PyObject * const *args,
                                          Py_ssize_t        nargs);
gboolean  gtkloop_py_handles_ready       (void);
PyObject *gtkloop_py_handle_new          (gboolean  timer,
                                          PyObject *callback,
                                          PyObject *args,
                                          PyObject *loop,
                                          PyObject *context);
void      gtkloop_py_timer_set           (PyObject *timer,
                                          PyObject *when,
                                          PyObject *timer_id);
gboolean  gtkloop_py_timer_unschedule    (PyObject *timer);
guint64   gtkloop_py_timer_id            (PyObject *timer);
gboolean  gtkloop_py_handle_is_cancelled (PyObject *handle);
void      gtkloop_py_handle_run          (PyObject *handle);
void      gtkloop_py_hand_to_loop        (PyObject *handle);

/* loop-base.c: LoopBase, the C base class of gtkloop.EventLoop. */
int gtkloop_py_add_loop_base_type (PyObject *module);
