"""What the Python demos share with the C ones (demos/demo-common.c): the
command line (--self-test, --screenshot=FILE, --close-after=SECONDS),
what it does to the window, printing with timestamps, self-test checks,
screenshots and frame counting. Everything here runs on the GUI thread,
in tasks of the gtkloop loop that shares GTK's context."""

import argparse
import asyncio
import ctypes
import os
import sys
import threading
import time

from gi.repository import GLib

_start = time.monotonic()


def say(text):
    print("[%7.3f s] %s" % (time.monotonic() - _start, text), flush=True)


def on_gui_thread():
    return threading.current_thread() is threading.main_thread()


class Options:
    """--self-test, --screenshot, --close-after, plus a demo's own flags."""

    def __init__(self, description, extra=None, argv=None):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--self-test", action="store_true",
                            help="run by itself: check the results, save a screenshot, exit (non-zero on failure)")
        parser.add_argument("--screenshot", metavar="FILE",
                            help="save a PNG of the window as it closes, and at the end of --self-test "
                                 "(default with --self-test: <program>.png)")
        parser.add_argument("--close-after", metavar="SECONDS", type=float, default=-1,
                            help="close the window after SECONDS, as a user would")
        if extra is not None:
            extra(parser)
        self.args = parser.parse_args(argv)
        self.self_test = self.args.self_test
        self.close_after = self.args.close_after
        self.screenshot = self.args.screenshot
        if self.self_test and self.screenshot is None:
            self.screenshot = os.path.splitext(os.path.basename(sys.argv[0]))[0] + ".png"
        self.failures = 0
        self.window = None
        self._closing = False

    def check(self, ok, text):
        """A self-test check: says PASS/FAIL and counts failures."""
        say("%s: %s" % ("PASS" if ok else "FAIL", text))
        if not ok:
            self.failures += 1
        return ok

    async def save_screenshot(self, window, when):
        """Saves the window to the --screenshot file right after its next
        paint and says so ("screenshot saved to FILE (WxH, when)"); a
        failure is a failed check. Nothing without --screenshot."""
        if self.screenshot is None:
            return False
        try:
            await asyncio.wait_for(_next_paint(window), 5.0)
            width, height = window.get_width(), window.get_height()
            if not _render_png(window, width, height, self.screenshot):
                raise OSError("cannot write " + self.screenshot)
        except (asyncio.TimeoutError, OSError) as exc:
            self.check(False, "screenshot %s: %s" % (self.screenshot, exc or "the window was not painted"))
            return False
        say("screenshot saved to %s (%dx%d, %s)" % (self.screenshot, width, height, when))
        return True

    def watch(self, window):
        """--close-after closes the window after that long, as a user
        would; with --screenshot, the window is saved as it closes."""
        self.window = window
        window.connect("unrealize", self._gone)   # gtk_window_destroy unrealizes; Python keeps the object
        if self.screenshot is not None:
            window.connect("close-request", self._save_before_closing)
        if self.close_after > 0:
            asyncio.get_event_loop().call_later(self.close_after, self._close_later)

    def _gone(self, window):
        self.window = None

    def _close_later(self):
        if self.window is not None:
            say("closing the window after %g s, as a user would" % self.close_after)
            self.window.close()

    def _save_before_closing(self, window):
        # Held back until it is saved, then let go.
        if not self._closing:
            self._closing = True
            asyncio.get_event_loop().create_task(self._save_then_destroy(window))
        return True

    async def _save_then_destroy(self, window):
        await self.save_screenshot(window, "as the window closed")
        if self.window is not None:
            window.destroy()


async def _next_paint(widget):
    loop = asyncio.get_running_loop()
    painted = loop.create_future()
    clock = widget.get_frame_clock()
    if clock is None:
        raise OSError("the window is not mapped")
    handler = clock.connect("after-paint", lambda c: painted.done() or painted.set_result(None))
    widget.queue_draw()
    try:
        await painted
    finally:
        clock.disconnect(handler)


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_float), ("y", ctypes.c_float),
                ("width", ctypes.c_float), ("height", ctypes.c_float)]


def _c_functions():
    # What gtkloop_widget_screenshot_future_new does in C (src/gtk/
    # screenshot.c). Through ctypes: PyGObject 3.42 (Debian 12) cannot
    # hold a GskRenderNode, so Gtk.Snapshot.to_node() fails there.
    gtk = ctypes.CDLL("libgtk-4.so.1")
    gobject = ctypes.CDLL("libgobject-2.0.so.0")
    p = ctypes.c_void_p
    for lib, name, restype, argtypes in [
            (gtk, "gtk_widget_paintable_new", p, [p]),
            (gtk, "gtk_snapshot_new", p, []),
            (gtk, "gdk_paintable_snapshot", None, [p, p, ctypes.c_double, ctypes.c_double]),
            (gtk, "gtk_snapshot_free_to_node", p, [p]),
            (gtk, "gtk_native_get_renderer", p, [p]),
            (gtk, "gsk_renderer_render_texture", p, [p, p, ctypes.POINTER(_Rect)]),
            (gtk, "gdk_texture_save_to_png", ctypes.c_int, [p, ctypes.c_char_p]),
            (gtk, "gsk_render_node_unref", None, [p]),
            (gobject, "g_object_unref", None, [p])]:
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    capsule_pointer.restype, capsule_pointer.argtypes = p, [ctypes.py_object, ctypes.c_char_p]
    return gtk, gobject, capsule_pointer


def _render_png(widget, width, height, filename):
    """The widget as GTK last drew it, rendered by its window's renderer
    to a width x height PNG."""
    gtk, gobject, capsule_pointer = _c_functions()
    pointer = capsule_pointer(widget.__gpointer__, None)
    paintable = gtk.gtk_widget_paintable_new(pointer)
    snapshot = gtk.gtk_snapshot_new()
    gtk.gdk_paintable_snapshot(paintable, snapshot, width, height)
    node = gtk.gtk_snapshot_free_to_node(snapshot)
    gobject.g_object_unref(paintable)
    if node is None:
        return False
    rect = _Rect(0, 0, width, height)
    texture = gtk.gsk_renderer_render_texture(gtk.gtk_native_get_renderer(pointer), node, ctypes.byref(rect))
    gtk.gsk_render_node_unref(node)
    saved = bool(gtk.gdk_texture_save_to_png(texture, os.fsencode(filename)))
    gobject.g_object_unref(texture)
    return saved


class Frames:
    """The moments the widget's frame clock ticked (a tick callback)."""

    def __init__(self, widget):
        self.times = []
        widget.add_tick_callback(self._tick)

    def _tick(self, widget, clock):
        self.times.append(time.monotonic())
        return GLib.SOURCE_CONTINUE

    def stats(self, since=None):
        """(frames, fps, longest gap in ms) since that moment."""
        times = [t for t in self.times if since is None or t >= since]
        if len(times) < 2:
            return len(times), 0.0, float("inf")
        gaps = [b - a for a, b in zip(times, times[1:])]
        return len(times), (len(times) - 1) / (times[-1] - times[0]), max(gaps) * 1000
