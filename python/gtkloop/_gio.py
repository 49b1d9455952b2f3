"""gtkloop.gio: any GIO *_async method, awaited in one expression.

    data, etag = await gtkloop.gio(file.load_contents_async)
    stream = await gtkloop.gio(file.read_async, GLib.PRIORITY_DEFAULT)

The method's own arguments come first; gio() adds the Gio.Cancellable and
the callback, calls the matching *_finish and returns what it returns (a
tuple when it has several out values, as PyGObject gives them). A
GLib.Error raised by *_finish comes out of the await. Cancelling the
awaiting task cancels the GIO call through its cancellable, and the await
raises asyncio.CancelledError. PyGObject 3.50 made GIO methods awaitable
by themselves; Debian 12 ships 3.42.

GIO calls back in the thread-default GMainContext of the moment of the
call: for a loop on the main thread that is GLib's default context, the
loop's own.
"""

import asyncio

__all__ = ("gio",)


class _GioFuture(asyncio.Future):
    """A future whose cancel() cancels the GIO call at once (a done
    callback would only run an iteration later)."""

    def __init__(self, cancellable, *, loop):
        super().__init__(loop=loop)
        self._cancellable = cancellable

    def cancel(self, msg=None):
        if self.done():
            return False
        self._cancellable.cancel()
        return super().cancel(msg=msg)


def gio(method, *args, cancellable=None):
    """Calls method(*args, cancellable, callback) and returns a future of
    what method's *_finish returns."""
    from gi.repository import Gio

    name = getattr(method, "__name__", "")
    if not name.endswith("_async") or not callable(method):
        raise TypeError(f"gtkloop.gio() takes a GIO *_async method, not {method!r}")
    finish_name = name[: -len("_async")] + "_finish"

    loop = asyncio.get_running_loop()
    if cancellable is None:
        cancellable = Gio.Cancellable()
    future = _GioFuture(cancellable, loop=loop)

    def finisher(source):
        # PyGObject's bound methods do not say whose they are: the
        # callback's source object does. A static *_async call (no source)
        # finishes through its class.
        if source is not None:
            return getattr(source, finish_name)
        import importlib
        namespace = importlib.import_module("gi.repository." + method.get_namespace())
        return getattr(getattr(namespace, method.get_container().get_name()), finish_name)

    def done(source, result, *user_data):
        if future.cancelled():
            return
        try:
            value = finisher(source)(result)
        except Exception as exc:  # GLib.Error, or a TypeError of a wrong call
            future.set_exception(exc)
        else:
            future.set_result(value)

    method(*args, cancellable, done, None)
    return future
