"""The policy, new_event_loop() and run(): how asyncio is told to make
gtkloop loops."""

import asyncio

from asyncio import unix_events

from ._loop import EventLoop

__all__ = ("EventLoopPolicy", "new_event_loop", "run")


class EventLoopPolicy(unix_events._UnixDefaultEventLoopPolicy):
    """asyncio's Unix policy making gtkloop loops. It keeps 3.11's
    child-watcher API, which asyncio's subprocesses use."""

    _loop_factory = EventLoop


def new_event_loop():
    """A new gtkloop.EventLoop (asyncio.new_event_loop's counterpart)."""
    return EventLoop()


def run(main, *, debug=None):
    """asyncio.run(main) on a new gtkloop.EventLoop."""
    with asyncio.Runner(debug=debug, loop_factory=new_event_loop) as runner:
        return runner.run(main)
