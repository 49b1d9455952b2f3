"""gtkloop.EventLoop's scheduling on the C core: ordering as asyncio's,
O(1) timer cancellation in the C loop, threads, a fork, BaseException
out of a callback, debug mode, and that asyncio's _run_once and a Python
selector's select() never run while a gtkloop loop runs."""

import asyncio
import concurrent.futures
import errno
import gc
import logging
import os
import resource
import selectors
import socket
import sys
import threading
import time
import unittest
import warnings
import weakref
from unittest import mock

import gtkloop


class LoopTestCase(unittest.TestCase):
    def setUp(self):
        self.loop = gtkloop.new_event_loop()

    def tearDown(self):
        if not self.loop.is_closed():
            self.loop.close()


class SchedulingTests(LoopTestCase):
    def test_is_an_asyncio_loop_on_the_default_context(self):
        self.assertIsInstance(self.loop, asyncio.AbstractEventLoop)
        self.assertIsInstance(self.loop, asyncio.SelectorEventLoop)
        self.assertTrue(self.loop._core.is_default_context())

    def test_call_soon_order_and_context(self):
        import contextvars
        var = contextvars.ContextVar("var", default="none")
        ctx = contextvars.copy_context()
        ctx.run(var.set, "in ctx")
        out = []
        self.loop.call_soon(out.append, 1)
        self.loop.call_soon(lambda: out.append(var.get()), context=ctx)
        self.loop.call_soon(out.append, 3)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, [1, "in ctx", 3])

    def test_callbacks_added_while_running_wait_an_iteration(self):
        out = []

        def first():
            out.append("first")
            self.loop.call_soon(out.append, "added")

        self.loop.call_soon(first)
        self.loop.call_soon(out.append, "second")
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, ["first", "second"])
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, ["first", "second", "added"])

    def test_timers_in_order_never_early(self):
        out = []
        start = self.loop.time()
        for delay in (0.03, 0.01, 0.02):
            self.loop.call_later(delay, lambda d=delay: out.append((d, self.loop.time() - start)))
        self.loop.call_later(0.05, self.loop.stop)
        self.loop.run_forever()
        self.assertEqual([d for d, _ in out], [0.01, 0.02, 0.03])
        for delay, elapsed in out:
            self.assertGreaterEqual(elapsed, delay)
        self.assertAlmostEqual(self.loop.time(), time.monotonic(), delta=0.01)

    def test_cancelled_timer_leaves_the_c_loop_at_once(self):
        import gc
        import weakref
        ran = []
        handles = [self.loop.call_later(3600, ran.append, i) for i in range(1000)]
        refs = [weakref.ref(h) for h in handles]
        for h in handles:
            h.cancel()
            h.cancel()   # twice: the C timer goes once
        self.assertTrue(all(h.cancelled() and not h._scheduled for h in handles))
        del h, handles
        gc.collect()
        # The C loop let go of each handle when it was cancelled, not when
        # it would have come due an hour from now.
        self.assertEqual(sum(r() is not None for r in refs), 0)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(ran, [])

    def test_cancelled_handle_does_not_run(self):
        out = []
        h = self.loop.call_soon(out.append, "no")
        self.loop.call_soon(out.append, "yes")
        h.cancel()
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, ["yes"])

    def test_stop_before_run_runs_one_iteration(self):
        out = []
        self.loop.call_soon(out.append, 1)
        self.loop.stop()
        self.loop.run_forever()
        self.assertEqual(out, [1])

    def test_run_until_complete_and_tasks(self):
        async def add(a, b):
            await asyncio.sleep(0.001)
            return a + b

        async def main():
            return await asyncio.gather(*(add(i, i) for i in range(100)))

        self.assertEqual(self.loop.run_until_complete(main()), [2 * i for i in range(100)])

    def test_closed_loop_refuses(self):
        self.loop.close()
        with self.assertRaises(RuntimeError):
            self.loop.call_soon(print)
        with self.assertRaises(RuntimeError):
            self.loop.call_later(1, print)
        with self.assertRaises(RuntimeError):
            self.loop.run_forever()
        self.loop.close()   # twice is fine

    def test_negative_delay_runs_soon(self):
        out = []
        self.loop.call_later(-5, out.append, "late")
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, ["late"])

    def test_call_at_none_is_a_type_error(self):
        with self.assertRaises(TypeError):
            self.loop.call_at(None, print)

    def test_debug_rejects_non_callables_and_wrong_threads(self):
        self.loop.set_debug(True)
        with self.assertRaises(TypeError):
            self.loop.call_soon(42)
        errors = []

        def other_thread():
            try:
                self.loop.call_soon(print)
            except RuntimeError as exc:
                errors.append(exc)
            self.loop.call_soon_threadsafe(self.loop.stop)

        # asyncio checks the thread only while the loop runs.
        self.loop.call_soon(lambda: threading.Thread(target=other_thread).start())
        self.loop.run_forever()
        self.assertEqual(len(errors), 1)
        self.assertIn("other than the current one", str(errors[0]))

    def test_slow_callback_is_logged_in_debug_mode(self):
        self.loop.set_debug(True)
        self.loop.slow_callback_duration = 0.01
        with self.assertLogs("asyncio", logging.WARNING) as logs:
            self.loop.call_soon(time.sleep, 0.05)
            self.loop.call_soon(self.loop.stop)
            self.loop.run_forever()
        self.assertTrue(any("Executing <Handle sleep" in m and "took" in m for m in logs.output), logs.output)

    def test_base_exception_in_callback_stops_at_once(self):
        # The same program as tests/twins/stop_now.py, whose output is
        # stock asyncio's.
        out = []

        def boom():
            out.append("boom: interrupt")
            raise KeyboardInterrupt

        self.loop.call_soon(out.append, "a")
        self.loop.call_soon(boom)
        self.loop.call_soon(out.append, "c")
        with self.assertRaises(KeyboardInterrupt):
            self.loop.run_forever()
        out.append("run_forever returned")
        self.assertFalse(self.loop.is_running())
        self.loop.call_soon(out.append, "d")
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        out.append("done")
        twin = os.path.join(os.environ.get("GTKLOOP_SOURCE_ROOT", os.path.dirname(__file__) + "/../.."),
                            "tests", "twins", "stop_now.out")
        with open(twin) as f:
            self.assertEqual(out, f.read().splitlines())

    def test_exception_goes_to_the_handler(self):
        seen = []
        self.loop.set_exception_handler(lambda loop, ctx: seen.append(ctx["exception"]))
        self.loop.call_soon(lambda: 1 / 0)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(len(seen), 1)
        self.assertIsInstance(seen[0], ZeroDivisionError)


    def test_cycles_through_handles_are_collected(self):
        # Queued handles are hidden from the cyclic collector while the
        # C loop holds them; once it lets go they must be back, or a cycle
        # through one (an object that keeps its own handle) would leak.
        class Owner:
            def tick(self):
                pass

        def queue(kind):
            owner = Owner()
            if kind == "soon":
                owner.handle = self.loop.call_soon(owner.tick)
            elif kind == "threadsafe":
                owner.handle = self.loop.call_soon_threadsafe(owner.tick)
            else:
                owner.handle = self.loop.call_later(0, owner.tick)
            return weakref.ref(owner), weakref.ref(owner.handle)

        refs = [queue(kind) for kind in ("soon", "threadsafe", "later")]
        cancelled = Owner()
        cancelled.handle = self.loop.call_later(3600, cancelled.tick)
        cancelled.handle.cancel()
        refs.append((weakref.ref(cancelled), weakref.ref(cancelled.handle)))
        del cancelled
        gc.collect()
        # Queued, they are alive: the loop holds them.
        self.assertTrue(all(owner() is not None for owner, _ in refs[:3]))
        self.loop.run_until_complete(asyncio.sleep(0.01))
        gc.collect()
        for owner, handle in refs:
            self.assertIsNone(owner())
            self.assertIsNone(handle())


class ThreadTests(LoopTestCase):
    def test_threadsafe_before_call_soon_runs_first(self):
        out = []
        posted = threading.Event()

        def worker():
            self.loop.call_soon_threadsafe(out.append, "from thread")
            posted.set()

        threading.Thread(target=worker).start()
        posted.wait()
        self.loop.call_soon(out.append, "from loop")
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, ["from thread", "from loop"])

    def test_threadsafe_wakes_a_sleeping_loop(self):
        def worker():
            time.sleep(0.05)
            self.loop.call_soon_threadsafe(self.loop.stop)

        t = threading.Thread(target=worker)
        start = time.monotonic()
        t.start()
        self.loop.run_forever()
        t.join()
        self.assertLess(time.monotonic() - start, 2)

    def test_flood_pauses_without_the_gil(self):
        # A worker far ahead of the loop is paced; the pause must let the
        # GIL go, or the loop's thread could not run a handle meanwhile.
        # With a switch interval of a minute, another thread gets the GIL
        # during the flood only through such a pause.
        n = 20000
        out = []
        flooding = [True]
        seen_while_flooding = []
        started = threading.Event()

        def flood():
            started.set()
            for i in range(n):
                self.loop.call_soon_threadsafe(out.append, i)
            flooding[0] = False

        def observer():
            started.wait()
            seen_while_flooding.append(flooding[0])

        interval = sys.getswitchinterval()
        sys.setswitchinterval(60)
        try:
            threads = [threading.Thread(target=observer), threading.Thread(target=flood)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            sys.setswitchinterval(interval)
        self.assertEqual(seen_while_flooding, [True])
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, list(range(n)))

    def test_stop_from_another_thread(self):
        t = threading.Timer(0.05, self.loop.stop)
        t.start()
        self.loop.run_forever()
        t.join()

    def test_run_in_executor_threads_and_processes(self):
        async def main():
            a = await self.loop.run_in_executor(None, sum, range(10))
            with concurrent.futures.ProcessPoolExecutor(2) as pool:
                b = await self.loop.run_in_executor(pool, pow, 2, 10)
                c = await asyncio.gather(*(self.loop.run_in_executor(pool, abs, -i) for i in range(8)))
            return a, b, c

        self.assertEqual(self.loop.run_until_complete(main()), (45, 1024, list(range(8))))

    def test_loop_in_a_worker_thread_has_its_own_context(self):
        result = []

        def worker():
            loop = gtkloop.new_event_loop()
            try:
                result.append(loop._core.is_default_context())
                result.append(loop.run_until_complete(asyncio.sleep(0.01, "done")))
            finally:
                loop.close()

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        self.assertEqual(result, [False, "done"])

    def test_loop_made_in_a_running_loop_runs_on_a_worker_thread(self):
        # The seeds' pattern (seed 000 lines 766-783, tests/python/seeds):
        # a coroutine makes a loop, runs it on a new thread, hands it a
        # coroutine and blocks on the result; then closes it from here,
        # as asyncio allows once it is stopped.
        async def main():
            new_loop = gtkloop.new_event_loop()
            self.assertFalse(new_loop._core.is_default_context())
            t = threading.Thread(target=new_loop.run_forever)
            t.start()
            future = asyncio.run_coroutine_threadsafe(asyncio.sleep(0.01, "A"), new_loop)
            try:
                return future.result(timeout=10)
            finally:
                new_loop.call_soon_threadsafe(new_loop.stop)
                t.join()
                new_loop.close()

        self.assertEqual(self.loop.run_until_complete(main()), "A")

    def test_run_forever_where_another_thread_iterates_the_context(self):
        # Both loops are on the default context, which the main thread
        # iterates: the worker gets an error, not a critical.
        other = gtkloop.new_event_loop()
        self.addCleanup(other.close)
        self.assertTrue(other._core.is_default_context())
        errors = []

        def worker():
            try:
                other.run_forever()
            except RuntimeError as exc:
                errors.append(exc)
            self.loop.call_soon_threadsafe(self.loop.stop)

        t = threading.Thread(target=worker)
        self.loop.call_soon(t.start)
        self.loop.run_forever()
        t.join()
        self.assertEqual(len(errors), 1)
        self.assertIn("another thread is iterating its GMainContext", str(errors[0]))
        self.assertFalse(other.is_running())

    def test_fork_child_gets_a_fresh_loop_parent_unaffected(self):
        r, w = os.pipe()
        out = []
        self.loop.add_reader(r, lambda: out.append(os.read(r, 100)))

        pid = os.fork()
        if pid == 0:
            # The child: the parent's loop is inert here; a new one works
            # and does not read the parent's pipe.
            code = 1
            try:
                child = gtkloop.new_event_loop()
                if child.run_until_complete(asyncio.sleep(0.01, 7)) == 7:
                    code = 0
                child.close()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        os.write(w, b"for the parent")
        self.loop.call_later(0.2, self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(out, [b"for the parent"])
        self.loop.remove_reader(r)
        os.close(r)
        os.close(w)


class NoStockSchedulingTests(LoopTestCase):
    def test_run_once_and_select_never_called(self):
        calls = []
        real_run_once = asyncio.BaseEventLoop._run_once

        def spy(name, original):
            def wrapper(self, *args, **kwargs):
                calls.append(name)
                return original(self, *args, **kwargs)
            return wrapper

        patches = [mock.patch.object(asyncio.BaseEventLoop, "_run_once", spy("_run_once", real_run_once))]
        for name in ("SelectSelector", "PollSelector", "EpollSelector"):
            cls = getattr(selectors, name)
            patches.append(mock.patch.object(cls, "select", spy(name, cls.select)))
        for p in patches:
            p.start()
        self.addCleanup(lambda: [p.stop() for p in patches])

        async def echo_server():
            async def handle(reader, writer):
                writer.write(await reader.readline())
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"ping\n")
            line = await reader.readline()
            writer.close()
            await writer.wait_closed()
            server.close()
            await server.wait_closed()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "print('child')", stdout=asyncio.subprocess.PIPE)
            out, _ = await proc.communicate()
            slept = await asyncio.wait_for(asyncio.sleep(0.01, "slept"), 1)
            executed = await asyncio.get_running_loop().run_in_executor(None, len, "four")
            return line, out, slept, executed

        result = self.loop.run_until_complete(echo_server())
        self.assertEqual(result, (b"ping\n", b"child\n", "slept", 4))
        self.assertEqual(calls, [])
        with self.assertRaises(RuntimeError):
            self.loop._run_once()
        with self.assertRaises(RuntimeError):
            self.loop._selector.select(0)


class FdExhaustionTests(unittest.TestCase):
    """A loop for a worker thread needs a context of its own, and GLib
    ends the process when it cannot make the context's wake-up fd: with
    RLIMIT_NOFILE reached, making one raises OSError (EMFILE), as stock
    asyncio's does (its self-pipe), and works again once fds are free."""

    def make_loop_in_thread(self, new_event_loop):
        outcome = []

        def worker():
            try:
                loop = new_event_loop()
            except OSError as exc:
                outcome.append(exc.errno)
                return
            try:
                outcome.append(loop.run_until_complete(asyncio.sleep(0, "ran")))
            finally:
                loop.close()

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        return outcome

    def test_loop_for_a_thread_with_no_fd_left(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        fds = []
        resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 32, hard))
        try:
            with self.assertRaises(OSError) as cm:
                while True:
                    fds.append(os.eventfd(0))
            self.assertEqual(cm.exception.errno, errno.EMFILE)
            # Stock asyncio's half-made loop complains from __del__ (no
            # _ssock to close): keep that out of the log.
            with warnings.catch_warnings(), mock.patch("sys.unraisablehook"):
                warnings.simplefilter("ignore", ResourceWarning)
                stock = self.make_loop_in_thread(asyncio.new_event_loop)
                gc.collect()
            ours = self.make_loop_in_thread(gtkloop.new_event_loop)
        finally:
            for fd in fds:
                os.close(fd)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        self.assertEqual(stock, [errno.EMFILE])
        self.assertEqual(ours, [errno.EMFILE])
        self.assertEqual(self.make_loop_in_thread(gtkloop.new_event_loop), ["ran"])


class BadInputTests(unittest.TestCase):
    """Each misuse gives the exception stock asyncio gives (differential:
    the same call on both loops), and never a crash."""

    def outcome(self, loop, action):
        try:
            action(loop)
        except BaseException as exc:   # noqa: B902 - the type is the point
            return type(exc)
        return None

    def assertSameAsAsyncio(self, action, debug=False):
        stock = asyncio.SelectorEventLoop()
        ours = gtkloop.new_event_loop()
        try:
            stock.set_debug(debug)
            ours.set_debug(debug)
            expected = self.outcome(stock, action)
            self.assertEqual(self.outcome(ours, action), expected)
            return expected
        finally:
            for loop in (stock, ours):
                if not loop.is_closed():
                    loop.close()

    def test_misuse(self):
        import signal
        unused_fd = 19999   # below RLIMIT_NOFILE here, never open in this test
        cases = {
            "closed fd reader": lambda loop: loop.add_reader(unused_fd, print),
            "negative fd": lambda loop: loop.add_reader(-1, print),
            "not an fd": lambda loop: loop.add_reader("nope", print),
            "remove unknown reader": lambda loop: loop.remove_reader(12345),
            "SIGKILL handler": lambda loop: loop.add_signal_handler(signal.SIGKILL, print),
            "bad signal number": lambda loop: loop.add_signal_handler(0, print),
            "coroutine as callback": lambda loop: loop.add_signal_handler(signal.SIGUSR2, asyncio.sleep),
            "call_at None": lambda loop: loop.call_at(None, print),
            "nan delay": lambda loop: loop.call_later(float("nan"), print).cancel(),
            "run after close": lambda loop: (loop.close(), loop.run_forever()),
            "call_soon after close": lambda loop: (loop.close(), loop.call_soon(print)),
            "threadsafe after close": lambda loop: (loop.close(), loop.call_soon_threadsafe(print)),
            "run_until_complete non-awaitable": lambda loop: loop.run_until_complete(42),
            "nested run": lambda loop: loop.run_until_complete(
                loop.create_task(asyncio.sleep(0)).get_loop().create_task(
                    _nested_run(loop))),
        }
        for name, action in cases.items():
            with self.subTest(name):
                self.assertSameAsAsyncio(action)
        with self.subTest("non-callable in debug mode"):
            self.assertIs(self.assertSameAsAsyncio(lambda loop: loop.call_soon(42), debug=True), TypeError)


async def _nested_run(loop):
    loop.run_forever()


class PolicyTests(unittest.TestCase):
    def tearDown(self):
        asyncio.set_event_loop_policy(None)

    def test_policy_and_run(self):
        asyncio.set_event_loop_policy(gtkloop.EventLoopPolicy())

        async def main():
            return type(asyncio.get_running_loop())

        self.assertIs(asyncio.run(main()), gtkloop.EventLoop)
        self.assertIs(gtkloop.run(main()), gtkloop.EventLoop)
        with asyncio.Runner(loop_factory=gtkloop.new_event_loop) as runner:
            self.assertIs(runner.run(main()), gtkloop.EventLoop)

    def test_signal_handler(self):
        import signal
        got = []

        async def main():
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGUSR1, got.append, "usr1")
            os.kill(os.getpid(), signal.SIGUSR1)
            for _ in range(100):
                if got:
                    break
                await asyncio.sleep(0.01)
            loop.remove_signal_handler(signal.SIGUSR1)

        gtkloop.run(main())
        self.assertEqual(got, ["usr1"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
