#pragma once

/* The _gtkloop extension's pieces (python/src/). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <gtkloop/gtkloop.h>

/* core.c: adds the Core type to the module. */
int gtkloop_py_add_core_type (PyObject *module);
