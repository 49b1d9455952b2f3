"""gtkloop.EventLoop: asyncio's selector event loop on gtkloop's C core.

Everything asyncio builds on the loop (transports, SSL, sendfile,
subprocesses, signals, executors) is CPython's own code, taken by
subclassing the Unix selector event loop. What is replaced is the
scheduling: the ready queue, the timers, the thread inbox and fd
readiness are gtkloop's C loop (_gtkloop.Core) on a GMainContext, so GTK
and asyncio share one thread and one context, and asyncio's _run_once and
the selector's select() never run.
"""

import asyncio
import logging
import selectors
import sys
import threading

from asyncio import base_events, events, format_helpers, unix_events

from . import _gtkloop

__all__ = ("EventLoop",)

logger = logging.getLogger("asyncio")


class _TimerHandle(events.TimerHandle):
    """A TimerHandle that knows its C timer, so that cancel() removes it
    at once instead of leaving it to fire and be skipped."""

    __slots__ = ("_gtkloop_timer",)

    def _run(self):
        self._scheduled = False
        super()._run()


def _report_handle_exception(handle, exc):
    """What Handle._run does with an exception, for handles run from C."""
    cb = format_helpers._format_callback_source(handle._callback, handle._args)
    context = {"message": f"Exception in callback {cb}", "exception": exc, "handle": handle}
    if handle._source_traceback:
        context["source_traceback"] = handle._source_traceback
    handle._loop.call_exception_handler(context)


_gtkloop._set_handle_types(events.Handle, _TimerHandle, _report_handle_exception)


class _Selector(selectors._BaseSelectorImpl):
    """A selector whose readiness comes from the C loop's fd watches (one
    epoll set inside the loop's GSource). Nobody polls it: when an fd is
    ready, the C loop calls the registered reader or writer handle in its
    own turn, as asyncio's _process_events would have scheduled it."""

    def __init__(self, loop, core):
        super().__init__()
        self._loop = loop
        self._core = core

    def register(self, fileobj, events, data=None):
        key = super().register(fileobj, events, data)
        try:
            if events & selectors.EVENT_READ:
                self._core.add_reader(key.fd, self._dispatcher(key.fd, selectors.EVENT_READ))
            if events & selectors.EVENT_WRITE:
                self._core.add_writer(key.fd, self._dispatcher(key.fd, selectors.EVENT_WRITE))
        except BaseException:
            self._unwatch(key)
            super().unregister(fileobj)
            raise
        return key

    def unregister(self, fileobj):
        key = super().unregister(fileobj)
        self._unwatch(key)
        return key

    def _unwatch(self, key):
        if self._core.is_closed():
            return
        if key.events & selectors.EVENT_READ:
            self._core.remove_reader(key.fd)
        if key.events & selectors.EVENT_WRITE:
            self._core.remove_writer(key.fd)

    def _dispatcher(self, fd, mask):
        fd_to_key = self._fd_to_key
        loop = self._loop

        def ready():
            key = fd_to_key.get(fd)
            if key is None:
                return
            reader, writer = key.data
            handle = reader if mask == selectors.EVENT_READ else writer
            if handle is None:
                return
            if handle._cancelled:
                # asyncio's _process_events drops a cancelled watch.
                if mask == selectors.EVENT_READ:
                    loop._remove_reader(key.fileobj)
                else:
                    loop._remove_writer(key.fileobj)
                return
            # Outside run_forever (GTK iterating the context), the loop is
            # asyncio's running loop for the call.
            entered = events._get_running_loop() is None
            if entered:
                events._set_running_loop(loop)
            try:
                handle._run()
            except BaseException as exc:
                loop._gtkloop_callback_raised(exc)
            finally:
                if entered:
                    events._set_running_loop(None)

        return ready

    def select(self, timeout=None):
        raise RuntimeError("gtkloop's selector is never polled: the C loop watches its fds")

    def close(self):
        super().close()
        self._loop = None


class EventLoop(_gtkloop.LoopBase, unix_events.SelectorEventLoop):
    """asyncio's event loop on gtkloop's C core, sharing the GMainContext
    with GTK: the thread's main context on the main thread (the one GTK
    uses), on another thread the context pushed there, or a new one. A
    loop made on the main thread while another loop runs there, or while
    GTK iterates the default context there (a click handler: the seeds'
    "new loop for a worker thread"), gets a context of its own.

    time(), call_soon(), call_later(), call_at(), call_soon_threadsafe()
    and _timer_handle_cancelled() come from the C base class
    (_gtkloop.LoopBase); the methods below are the rest."""

    def __init__(self):
        # A loop made while another runs on this thread is for another
        # thread (asyncio runs one loop per thread at a time): on GTK's
        # context it could not run there, and the running loop's
        # iterations would dispatch its callbacks.
        main = (threading.current_thread() is threading.main_thread()
                and events._get_running_loop() is None)
        try:
            self._core = _gtkloop.Core(main_thread=main)
        except OSError:
            # No fd left for a context of its own (EMFILE): no loop was
            # made, so asyncio's __del__ has nothing to warn about.
            self._closed = True
            raise
        self._gtkloop_attach(self._core)
        self._gtkloop_exception = None
        super().__init__(selector=_Selector(self, self._core))
        # BaseEventLoop.__init__ sets _debug itself (PYTHONASYNCIODEBUG,
        # -X dev), not through set_debug.
        self._core.set_debug(self._debug)
        self._gtkloop_set_fast_debug(self._debug)

    # Debug mode: LoopBase's scheduling methods come here, to check the
    # thread and the callback and record where each handle was made.
    def _gtkloop_call_soon_checked(self, callback, args, context):
        self._check_closed()
        self._check_thread()
        self._check_callback(callback, "call_soon")
        handle = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]   # this method (LoopBase, in C, has no frame)
        self._core.call_soon(handle)
        return handle

    def _gtkloop_call_at_checked(self, when, callback, args, context):
        self._check_closed()
        self._check_thread()
        self._check_callback(callback, "call_at")
        timer = _TimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        timer._gtkloop_timer = self._core.call_at(when if when == when else self.time(), timer)
        timer._scheduled = True
        return timer

    # Scheduling, on the C loop (asyncio's _call_soon has no caller left:
    # call_soon and call_soon_threadsafe are LoopBase's).
    def _add_callback(self, handle):
        if not handle._cancelled:
            self._core.call_soon(handle)

    def _gtkloop_call_soon_threadsafe_checked(self, callback, args, context):
        self._check_closed()
        self._check_callback(callback, "call_soon_threadsafe")
        handle = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._core.call_soon_threadsafe(handle)
        return handle

    def _run_once(self):
        raise RuntimeError("gtkloop.EventLoop never runs asyncio's _run_once: the C loop iterates")

    # Running.
    def run_forever(self):
        self._check_closed()
        self._check_running()
        self._set_coroutine_origin_tracking(self._debug)
        old_agen_hooks = sys.get_asyncgen_hooks()
        try:
            self._thread_id = threading.get_ident()
            sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                                   finalizer=self._asyncgen_finalizer_hook)
            events._set_running_loop(self)
            if self._stopping:
                self._core.stop()
            self._core.run_forever()
            exc, self._gtkloop_exception = self._gtkloop_exception, None
            if exc is not None:
                try:
                    raise exc
                finally:
                    exc = None
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            self._set_coroutine_origin_tracking(False)
            sys.set_asyncgen_hooks(*old_agen_hooks)

    def stop(self):
        self._stopping = True
        if self._core.is_closed():
            return
        if self._core.is_owner_thread():
            self._core.stop()
        else:
            self._core.call_soon_threadsafe(events.Handle(self._core.stop, (), self, None))

    def close(self):
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self.is_closed():
            return
        self._gtkloop_mark_closed()
        if not self._core.is_owner_thread():
            # asyncio lets any thread close a stopped loop (one a worker
            # ran, say). Closing the C loop makes this thread its owner;
            # the selector then has no fd watches left to remove.
            self._core.close()
        super().close()
        self._core.close()

    def set_debug(self, enabled):
        super().set_debug(enabled)
        self._core.set_debug(bool(enabled))
        self._gtkloop_set_fast_debug(bool(enabled))

    # Called by the C core.
    def _gtkloop_callback_raised(self, exc):
        """A BaseException out of a callback (KeyboardInterrupt,
        SystemExit): run_forever returns at once and raises it, the rest
        of the iteration kept for the next run, as asyncio does. While GTK
        iterates the context instead, there is no run_forever to raise it
        from: it goes to the exception handler."""
        if not self.is_running():
            self.call_exception_handler({
                "message": "Exception in callback while GTK (not run_forever) iterated the loop",
                "exception": exc,
            })
            return
        if self._gtkloop_exception is None:
            self._gtkloop_exception = exc
        if self._core.is_owner_thread() and not self._core.is_closed():
            self._core.stop_now()

    def _gtkloop_callback_took(self, handle, seconds):
        if self._debug and seconds >= self.slow_callback_duration:
            logger.warning("Executing %s took %.3f seconds",
                           base_events._format_handle(handle), seconds)
