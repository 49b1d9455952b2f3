#!/usr/bin/python3
"""Gtkloop-1 and GtkloopGtk-1 from Python: the typelibs of the build tree,
loaded with PyGObject, drive a loop.

Run by `meson test --suite gir` with GI_TYPELIB_PATH and LD_LIBRARY_PATH
pointing into the build tree (tests/meson.build); the GTK part needs a
display (the suite runs under Xvfb, as the GTK tests do). Pass --no-gtk
for a build without GTK. Task bodies are C only, so no task is created
here: the calls that take one are (skip)ped in the typelib, and a test
checks that they are.
"""
import gc
import os
import sys
import threading
import unittest

try:
    import gi
except ImportError:
    sys.exit("test_typelib: PyGObject is missing: apt-get install python3-gi "
             "(scripts/setup-debian.sh installs it)")

gi.require_version('Gtkloop', '1')
from gi.repository import Gio, GLib, Gtkloop  # noqa: E402

WITH_GTK = '--no-gtk' not in sys.argv
if WITH_GTK:
    gi.require_version('Gtk', '4.0')
    gi.require_version('GtkloopGtk', '1')
    from gi.repository import Gtk, GtkloopGtk  # noqa: E402


def pointer_to_int(value):
    """A gpointer result holding GINT_TO_POINTER (n) arrives as an
    unsigned address; this gives n back."""
    value &= (1 << 64) - 1
    value &= (1 << 32) - 1
    return value - (1 << 32) if value >= 1 << 31 else value


def io_error(code, message):
    return GLib.Error.new_literal(Gio.io_error_quark(), message, code)


class LoopTest(unittest.TestCase):
    """A loop of its own on a fresh context, closed after each test."""

    def setUp(self):
        self.context = GLib.MainContext.new()
        self.loop = Gtkloop.Loop.new(self.context)

    def tearDown(self):
        self.loop.close()
        self.assertTrue(self.loop.is_closed())

    def run_briefly(self, seconds=0.0):
        """Runs the loop until @seconds have passed on its clock."""
        done = Gtkloop.Future.new(self.loop)
        self.loop.call_later(seconds, lambda: done.set_result(None, None))
        self.assertTrue(self.loop.run_until_complete(done))


class TestCallbacks(LoopTest):

    def test_call_soon_runs_in_order(self):
        order = []
        for i in range(10):
            self.loop.call_soon(order.append, i)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(order, list(range(10)))

    def test_callbacks_scheduled_by_callbacks_run_after(self):
        order = []

        def first():
            order.append('first')
            self.loop.call_soon(order.append, 'third')

        self.loop.call_soon(first)
        self.loop.call_soon(order.append, 'second')
        self.run_briefly()
        self.assertEqual(order, ['first', 'second', 'third'])

    def test_cancel_handle(self):
        ran = []
        handle = self.loop.call_soon(ran.append, 'cancelled')
        self.loop.call_soon(ran.append, 'kept')
        self.assertTrue(self.loop.cancel(handle))
        self.assertFalse(self.loop.cancel(handle))   # already cancelled
        self.run_briefly()
        self.assertEqual(ran, ['kept'])
        self.assertFalse(self.loop.cancel(handle))   # never a critical

    def test_cancel_timer(self):
        ran = []
        handle = self.loop.call_later(0.01, ran.append, 'timer')
        self.assertTrue(self.loop.cancel(handle))
        self.run_briefly(0.05)
        self.assertEqual(ran, [])

    def test_call_later_waits_and_orders_by_deadline(self):
        order = []
        start = self.loop.time()
        self.loop.call_later(0.06, lambda: order.append(('late', self.loop.time() - start)))
        self.loop.call_later(0.03, lambda: order.append(('early', self.loop.time() - start)))
        self.loop.call_at(start + 0.01, lambda: order.append(('at', self.loop.time() - start)))
        self.run_briefly(0.1)
        self.assertEqual([name for name, _ in order], ['at', 'early', 'late'])
        for (name, elapsed), least in zip(order, (0.01, 0.03, 0.06)):
            self.assertGreaterEqual(elapsed, least, name)

    def test_call_soon_threadsafe_from_a_thread(self):
        seen = []

        def post():
            self.loop.call_soon_threadsafe(
                lambda: seen.append(threading.current_thread() is threading.main_thread()))

        worker = threading.Thread(target=post)
        worker.start()
        worker.join()
        self.run_briefly(0.01)
        self.assertEqual(seen, [True])

    def test_exception_handler_sees_unretrieved_error(self):
        seen = []

        def handler(loop, context):
            seen.append((context.message, context.error.message))

        self.loop.set_exception_handler(handler)
        f = Gtkloop.Future.new(self.loop)
        f.set_error(io_error(Gio.IOErrorEnum.FAILED, 'nobody read me'))
        del f
        gc.collect()
        self.assertEqual(seen, [('Future exception was never retrieved', 'nobody read me')])
        self.loop.set_exception_handler(None)


class TestFutures(LoopTest):

    def test_result_and_done_callback(self):
        f = Gtkloop.Future.new(self.loop)
        seen = []
        f.add_done_callback(lambda fut, data: seen.append((fut.is_done(), fut.get_result(), data)),
                            'data')
        self.assertFalse(f.is_done())
        self.loop.call_later(0.01, lambda: f.set_result(42, None))
        self.assertTrue(self.loop.run_until_complete(f))
        self.assertTrue(f.is_done())
        self.assertEqual(f.get_result(), 42)
        # Done callbacks run on a later iteration, as asyncio's.
        self.run_briefly()
        self.assertEqual(seen, [(True, 42, 'data')])

    def test_pending_result_is_an_error(self):
        f = Gtkloop.Future.new(self.loop)
        with self.assertRaises(GLib.Error) as cm:
            f.get_result()
        self.assertEqual(cm.exception.code, int(Gtkloop.Error.INVALID_STATE))
        f.cancel(None)

    def test_error(self):
        f = Gtkloop.Future.new(self.loop)
        self.loop.call_soon(lambda: f.set_error(io_error(Gio.IOErrorEnum.FAILED, 'boom')))
        with self.assertRaises(GLib.Error) as cm:
            self.loop.run_until_complete(f)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED))
        self.assertEqual(cm.exception.message, 'boom')
        self.assertEqual(f.get_error().message, 'boom')

    def test_cancel(self):
        f = Gtkloop.Future.new(self.loop)
        seen = []
        f.add_done_callback(lambda fut: seen.append(fut.is_cancelled()))
        self.loop.call_soon(lambda: f.cancel('stop'))
        with self.assertRaises(GLib.Error) as cm:
            self.loop.run_until_complete(f)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertTrue(f.is_cancelled())
        self.run_briefly()
        self.assertEqual(seen, [True])

    def test_gather(self):
        a = Gtkloop.Future.new(self.loop)
        b = Gtkloop.Future.new(self.loop)
        both = Gtkloop.gather([a, b], False)
        self.loop.call_soon(lambda: b.set_result(2, None))
        self.loop.call_later(0.01, lambda: a.set_result(1, None))
        self.assertTrue(self.loop.run_until_complete(both))
        self.assertEqual((a.get_result(), b.get_result()), (1, 2))

    def test_shield(self):
        inner = Gtkloop.Future.new(self.loop)
        outer = Gtkloop.shield(inner)
        outer.cancel(None)
        self.assertTrue(outer.is_cancelled())
        self.assertFalse(inner.is_done())
        inner.set_result(7, None)
        self.assertTrue(self.loop.run_until_complete(inner))


class TestBindingSurface(LoopTest):

    def test_task_bodies_are_c_only(self):
        # Every call that takes a task body is (skip)ped.
        for name in ('spawn', 'run', 'run_task_threadsafe', 'start_server', 'start_unix_server'):
            self.assertFalse(hasattr(Gtkloop, name), name)
        self.assertFalse(hasattr(self.loop, 'create_task'))
        self.assertFalse(hasattr(self.loop, 'create_task_full'))
        self.assertFalse(hasattr(Gtkloop.TaskGroup, 'create_task'))
        if WITH_GTK:
            self.assertFalse(hasattr(GtkloopGtk, 'signal_connect_task'))
            self.assertFalse(hasattr(GtkloopGtk, 'spawn_bound'))

    def test_task_is_usable_as_a_future(self):
        self.assertTrue(hasattr(Gtkloop.Task, 'get_future'))
        self.assertIsNone(Gtkloop.Task.get_current())
        self.assertEqual(self.loop.all_tasks(), [])

    def test_suspension_point_outside_a_task_fails_cleanly(self):
        with self.assertRaises(GLib.Error) as cm:
            Gtkloop.sleep(0.01)
        self.assertEqual(cm.exception.code, int(Gtkloop.Error.NOT_IN_TASK))

    def test_loop_thread(self):
        thread = Gtkloop.LoopThread.start('py-loop')
        ran_on = []
        posted = threading.Event()

        def on_loop_thread():
            ran_on.append(threading.get_ident())
            posted.set()

        thread.get_loop().call_soon_threadsafe(on_loop_thread)
        self.assertTrue(posted.wait(5))
        self.assertNotEqual(ran_on, [threading.get_ident()])
        loop = thread.get_loop()
        thread.stop()          # stops and joins; the wrapper keeps its reference
        self.assertTrue(loop.is_closed())
        del thread
        gc.collect()


@unittest.skipUnless(WITH_GTK, 'built without GTK')
class TestGtkHelpers(unittest.TestCase):
    """The GTK helpers that take no task body, on a real window."""

    @classmethod
    def setUpClass(cls):
        cls.loop = GtkloopGtk.gtk_get_loop()
        cls.window = Gtk.Window(title='typelib', default_width=240, default_height=120)
        cls.button = Gtk.Button(label='Go')
        cls.bar = Gtk.ProgressBar(show_text=True)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
        box.append(cls.button)
        box.append(cls.bar)
        cls.window.set_child(box)
        cls.window.present()

    @classmethod
    def tearDownClass(cls):
        cls.window.destroy()

    def run_briefly(self, seconds):
        done = Gtkloop.Future.new(self.loop)
        self.loop.call_later(seconds, lambda: done.set_result(None, None))
        self.assertTrue(self.loop.run_until_complete(done))

    def test_gtk_loop_is_the_default_loop(self):
        self.assertEqual(self.loop, Gtkloop.Loop.get_default())
        self.assertEqual(self.loop.get_context(), GLib.MainContext.default())

    def test_frame_future(self):
        frame = GtkloopGtk.widget_frame_future_new(self.window)
        self.assertTrue(self.loop.run_until_complete(frame))
        self.assertTrue(frame.is_done())

    def test_signal_future(self):
        clicked = GtkloopGtk.signal_future_new(self.button, 'clicked', 5.0, None)
        self.loop.call_soon(lambda: self.button.emit('clicked'))
        self.assertTrue(self.loop.run_until_complete(clicked))

    def test_signal_future_timeout(self):
        never = GtkloopGtk.signal_future_new(self.button, 'clicked', 0.02, None)
        with self.assertRaises(GLib.Error) as cm:
            self.loop.run_until_complete(never)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT))

    def test_signal_future_cancellable(self):
        cancellable = Gio.Cancellable()
        waiting = GtkloopGtk.signal_future_new(self.button, 'clicked', -1, cancellable)
        self.loop.call_soon(cancellable.cancel)
        with self.assertRaises(GLib.Error):
            self.loop.run_until_complete(waiting)
        self.assertTrue(waiting.is_cancelled())

    def test_dialog_response_future(self):
        dialog = Gtk.Dialog(transient_for=self.window, title='question')
        answer = GtkloopGtk.dialog_response_future_new(dialog)
        dialog.present()
        self.loop.call_soon(lambda: dialog.response(Gtk.ResponseType.OK))
        self.assertTrue(self.loop.run_until_complete(answer))
        self.assertEqual(pointer_to_int(answer.get_result()), int(Gtk.ResponseType.OK))
        dialog.destroy()

    def test_progress_bar(self):
        progress = GtkloopGtk.progress_new_for_bar(self.bar)
        progress.report(0.25, 'quarter')
        progress.report(0.5, 'half')      # coalesced: the latest wins
        self.run_briefly(0.05)
        self.assertAlmostEqual(self.bar.get_fraction(), 0.5)
        self.assertEqual(self.bar.get_text(), 'half')
        self.assertEqual(progress.get_n_reports(), 2)
        self.assertEqual(progress.get_n_updates(), 1)
        progress.disconnect()

    def test_progress_bar_from_a_thread(self):
        progress = GtkloopGtk.progress_new_for_bar(self.bar)

        def work():
            for i in range(1, 101):
                progress.report(i / 100, '%d%%' % i)

        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        self.run_briefly(0.05)
        self.assertAlmostEqual(self.bar.get_fraction(), 1.0)
        self.assertEqual(self.bar.get_text(), '100%')
        progress.disconnect()

    def test_screenshot_future(self):
        outdir = os.environ.get('GTKLOOP_TEST_OUTDIR', GLib.get_tmp_dir())
        path = os.path.join(outdir, 'test-typelib-window.png')
        if os.path.exists(path):
            os.unlink(path)
        shot = GtkloopGtk.widget_screenshot_future_new(self.window, path)
        self.assertTrue(self.loop.run_until_complete(shot))
        with open(path, 'rb') as png:
            self.assertEqual(png.read(8), b'\x89PNG\r\n\x1a\n')

    def test_await_frame_outside_a_task_fails_cleanly(self):
        with self.assertRaises(GLib.Error) as cm:
            GtkloopGtk.await_frame(self.window)
        self.assertEqual(cm.exception.code, int(Gtkloop.Error.NOT_IN_TASK))


if __name__ == '__main__':
    argv = [a for a in sys.argv if a != '--no-gtk']
    # unittest prints its summary ("Ran N tests", "OK" or "FAILED (...)").
    result = unittest.main(argv=argv, exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
