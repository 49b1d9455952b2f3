"""gtkloop for Python: asyncio's event loop on gtkloop's C core, sharing
GLib's main context with GTK 4, so asyncio tasks and a PyGObject GTK
window run on one thread and the window keeps painting.

    import gtkloop
    gtkloop.run(main())                      # like asyncio.run

    asyncio.set_event_loop_policy(gtkloop.EventLoopPolicy())
    asyncio.run(main())                      # the same, through the policy

See docs/python.md.
"""

from ._gtkloop import GTKLOOP_VERSION as __version__
from ._loop import EventLoop
from ._policy import EventLoopPolicy, new_event_loop, run
from ._gio import gio

__all__ = ("EventLoop", "EventLoopPolicy", "new_event_loop", "run", "gio")
