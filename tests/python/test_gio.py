"""gtkloop.gio(): any GIO *_async method awaited in one expression, its
GLib.Error raised from the await, and a cancelled task cancelling the GIO
call through its Gio.Cancellable."""

import asyncio
import os
import tempfile
import unittest

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

import gtkloop  # noqa: E402


class GioTests(unittest.TestCase):
    def setUp(self):
        self.loop = gtkloop.new_event_loop()
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.loop.close()
        self.dir.cleanup()

    def test_load_contents(self):
        path = os.path.join(self.dir.name, "f.txt")
        with open(path, "wb") as f:
            f.write(b"hello gio\n")
        file = Gio.File.new_for_path(path)

        async def main():
            ok, data, etag = await gtkloop.gio(file.load_contents_async)
            return ok, data

        self.assertEqual(self.loop.run_until_complete(main()), (True, b"hello gio\n"))

    def test_arguments_before_the_cancellable(self):
        path = os.path.join(self.dir.name, "g.txt")
        with open(path, "wb") as f:
            f.write(b"0123456789")
        file = Gio.File.new_for_path(path)

        async def main():
            stream = await gtkloop.gio(file.read_async, GLib.PRIORITY_DEFAULT)
            data = await gtkloop.gio(stream.read_bytes_async, 4, GLib.PRIORITY_DEFAULT)
            await gtkloop.gio(stream.close_async, GLib.PRIORITY_DEFAULT)
            return data.get_data()

        self.assertEqual(self.loop.run_until_complete(main()), b"0123")

    def test_error_is_raised(self):
        file = Gio.File.new_for_path(os.path.join(self.dir.name, "missing"))

        async def main():
            await gtkloop.gio(file.load_contents_async)

        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(main())
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))

    def test_cancelling_the_task_cancels_the_call(self):
        # A resolver lookup of a name that never answers quickly would do;
        # a wait on a subprocess that sleeps is local and certain.
        proc = Gio.Subprocess.new(["sleep", "10"], Gio.SubprocessFlags.NONE)
        cancellable = Gio.Cancellable()

        async def main():
            task = asyncio.ensure_future(gtkloop.gio(proc.wait_async, cancellable=cancellable))
            await asyncio.sleep(0.05)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            return cancellable.is_cancelled()

        self.assertTrue(self.loop.run_until_complete(main()))
        proc.force_exit()
        proc.wait()

    def test_sigchld_handler_beside_glib_child_watch(self):
        """docs/python.md's rule: GLib 2.74 watches children through
        pidfds, so a Python SIGCHLD handler (3.11's SafeChildWatcher
        style) and GLib's child watch both work in one program."""
        import signal
        sigchld = []

        async def main():
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGCHLD, sigchld.append, "chld")
            try:
                gproc = Gio.Subprocess.new(["sh", "-c", "exit 3"], Gio.SubprocessFlags.NONE)
                await gtkloop.gio(gproc.wait_async)
                aproc = await asyncio.create_subprocess_exec("sh", "-c", "exit 4")
                code = await aproc.wait()
                for _ in range(100):
                    if sigchld:
                        break
                    await asyncio.sleep(0.01)
            finally:
                loop.remove_signal_handler(signal.SIGCHLD)
            return gproc.get_exit_status(), code

        self.assertEqual(self.loop.run_until_complete(main()), (3, 4))
        self.assertTrue(sigchld)

    def test_not_an_async_method(self):
        with self.assertRaises(TypeError):
            gtkloop.gio(print)


if __name__ == "__main__":
    unittest.main(verbosity=2)
