#!/usr/bin/python3
"""Runs one module of CPython's own asyncio tests (Debian's
libpython3.11-testsuite) against gtkloop.EventLoop.

    cpython_asyncio.py MODULE     e.g. test_tasks

Two plug points, as docs/python.md explains:
- the policy: a gtkloop policy is installed, and installed again whenever
  a test or a module's tearDownModule resets it, so asyncio.run, Runner,
  IsolatedAsyncioTestCase and new_event_loop all make gtkloop loops;
- the loop-parameterised mixins: one class per mixin is generated whose
  hook (create_event_loop or new_loop) makes a gtkloop loop, and the
  module's own epoll/poll/select classes, which make stock loops, are left
  out.

A test counts only if it made at least one gtkloop loop (the factory
counts them). The run fails on any failure or error, and when no test of
the module made a gtkloop loop (a policy reset would otherwise run the
stock loop silently). asyncio's own _run_once and the stock selectors'
select() fail the run if they are called while a gtkloop loop runs.
Excluded tests are listed below with their reasons.
"""

import asyncio
import importlib
import selectors
import sys
import unittest

import gtkloop

# test id suffix -> why it is not run
EXCLUDED = {
}

# module -> [(generated class name, mixins, hook name)], stock classes to drop
MIXINS = {
    "test_events": (
        [("GtkloopEventLoopTests", ("EventLoopTestsMixin", "SubprocessTestsMixin"), "create_event_loop")],
        ["EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests", "KqueueEventLoopTests"],
    ),
    "test_sendfile": (
        [("GtkloopSendfileTests", ("SendfileTestsBase",), "create_event_loop")],
        ["EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests", "KqueueEventLoopTests"],
    ),
    "test_sock_lowlevel": (
        [("GtkloopSockTests", ("BaseSockTestsMixin",), "create_event_loop")],
        ["EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests", "KqueueEventLoopTests"],
    ),
    "test_buffered_proto": (
        [("GtkloopBufferedProtocolTests", ("BaseTestBufferedProtocol",), "new_loop")],
        ["BufferedProtocolSelectorTests"],
    ),
    "test_server": (
        [("GtkloopStartServerTests", ("BaseStartServer",), "new_loop")],
        ["SelectorStartServerTests"],
    ),
    "test_sslproto": (
        [("GtkloopStartTLSTests", ("BaseStartTLS",), "new_loop")],
        ["SelectorStartTLSTests"],
    ),
}

loops_made = 0
tests_with_loop = 0


def count_loop(loop):
    global loops_made
    loops_made += 1
    return loop


class CountingPolicy(gtkloop.EventLoopPolicy):
    def new_event_loop(self):
        return count_loop(super().new_event_loop())


def install_policy():
    _set_policy(CountingPolicy())


_set_policy = asyncio.set_event_loop_policy


def set_event_loop_policy(policy):
    # A reset (None) gets the gtkloop policy back, not the stock one.
    _set_policy(CountingPolicy() if policy is None else policy)


def forbid_stock_scheduling():
    """asyncio's _run_once and a stock selector's select() must never run
    while a gtkloop loop is running."""
    def guard(original, what):
        def guarded(self, *args, **kwargs):
            if isinstance(asyncio._get_running_loop(), gtkloop.EventLoop):
                raise AssertionError(f"{what} called while a gtkloop loop runs")
            return original(self, *args, **kwargs)
        return guarded

    asyncio.BaseEventLoop._run_once = guard(asyncio.BaseEventLoop._run_once, "BaseEventLoop._run_once")
    for name in ("SelectSelector", "PollSelector", "EpollSelector", "DevpollSelector", "KqueueSelector"):
        cls = getattr(selectors, name, None)
        if cls is not None:
            cls.select = guard(cls.select, f"selectors.{name}.select")


def generated_class(module, name, mixins, hook):
    from test.test_asyncio import utils as test_utils

    bases = tuple(getattr(module, m) for m in mixins)
    base_case = test_utils.TestCase if hook == "create_event_loop" else unittest.TestCase

    def make_loop(self):
        return count_loop(gtkloop.EventLoop())

    return type(name, bases + (base_case,), {hook: make_loop, "__module__": module.__name__})


class CountingResult(unittest.TextTestResult):
    def startTest(self, test):
        self._loops_before = loops_made
        install_policy()
        super().startTest(test)

    def stopTest(self, test):
        global tests_with_loop
        if loops_made > self._loops_before:
            tests_with_loop += 1
        super().stopTest(test)


def load(module_name):
    module = importlib.import_module("test.test_asyncio." + module_name)
    generated, dropped = MIXINS.get(module_name, ([], []))
    for name in dropped:
        if hasattr(module, name):
            delattr(module, name)
    for name, mixins, hook in generated:
        setattr(module, name, generated_class(module, name, mixins, hook))
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)

    def without_excluded(s):
        out = unittest.TestSuite()
        for t in s:
            if isinstance(t, unittest.TestSuite):
                out.addTest(without_excluded(t))
            elif not any(t.id().endswith(suffix) for suffix in EXCLUDED):
                out.addTest(t)
        return out

    return without_excluded(suite)


def main():
    module_name = sys.argv[1]
    asyncio.set_event_loop_policy = set_event_loop_policy
    install_policy()
    forbid_stock_scheduling()
    suite = load(module_name)
    runner = unittest.TextTestRunner(verbosity=1, resultclass=CountingResult)
    result = runner.run(suite)
    excluded = [s for s in EXCLUDED if s.startswith(module_name + ".")]
    print(f"{module_name}: {result.testsRun} run, {tests_with_loop} made a gtkloop loop "
          f"({loops_made} loops), {len(result.failures)} failures, {len(result.errors)} errors, "
          f"{len(result.skipped)} skipped, {len(excluded)} excluded")
    if tests_with_loop == 0:
        print(f"{module_name}: no test made a gtkloop loop: the stock loop ran instead")
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
