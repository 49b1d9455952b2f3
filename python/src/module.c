/* gtkloop._gtkloop: the C part of the gtkloop Python package, built with
 * multi-phase init and heap types. The package's Python modules
 * (python/gtkloop/) build asyncio's event loop on it. */
#include "module.h"

static PyMethodDef module_methods[] = {
  { "_set_handle_types", (PyCFunction) (void (*) (void)) gtkloop_py_set_handle_types, METH_FASTCALL,
    "_set_handle_types(Handle, TimerHandle, report): the handle classes made and run from C." },
  { NULL, NULL, 0, NULL },
};

static int
exec_module (PyObject *module)
{
  if (gtkloop_py_add_core_type (module) < 0 || gtkloop_py_add_loop_base_type (module) < 0)
    return -1;
  if (PyModule_AddStringConstant (module, "GTKLOOP_VERSION", GTKLOOP_VERSION_S) < 0)
    return -1;
  return 0;
}

static PyModuleDef_Slot module_slots[] = {
  { Py_mod_exec, exec_module },
  { 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "gtkloop._gtkloop",
  .m_doc = "The C core of gtkloop.EventLoop: gtkloop's loop on a GMainContext.",
  .m_size = 0,
  .m_methods = module_methods,
  .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit__gtkloop (void);

PyMODINIT_FUNC
PyInit__gtkloop (void)
{
  return PyModuleDef_Init (&module_def);
}
