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


def gio(method, *args, cancellable=None):
    """Calls method(*args, cancellable, callback) and returns a future of
    what method's *_finish returns."""
    from gi.repository import Gio

    name = getattr(method, "__name__", "")
    owner = getattr(method, "__self__", None)
    if not name.endswith("_async") or owner is None:
        raise TypeError(f"gtkloop.gio() takes a bound GIO *_async method, not {method!r}")
    finish = getattr(owner, name[: -len("_async")] + "_finish", None)
    if finish is None:
        raise TypeError(f"{type(owner).__name__} has no {name[:-6]}_finish")

    loop = asyncio.get_running_loop()
    future = loop.create_future()
    if cancellable is None:
        cancellable = Gio.Cancellable()

    def done(source, result, *user_data):
        if future.cancelled():
            return
        try:
            value = finish(result)
        except Exception as exc:  # GLib.Error, or a TypeError of a wrong call
            future.set_exception(exc)
        else:
            future.set_result(value)

    def on_cancelled(fut):
        if fut.cancelled():
            cancellable.cancel()

    future.add_done_callback(on_cancelled)
    method(*args, cancellable, done, None)
    return future
