#!/usr/bin/python3
"""The Tkinter "start calculation" form (seed 001, lines 2642-2681), done
right, on GTK 4 and gtkloop.

The seed (Tkinter):

    class Form:
        def __init__(self):
            self.root = tk.Tk(); self.root.geometry('500x300')
            self.root.title('窗体程序')
            self.button = tk.Button(self.root, text="开始计算", command=self.change_form_state)
            self.label = tk.Label(master=self.root, text="等待计算结果")
            self.button.pack(); self.label.pack()
            self.root.mainloop()

        async def calculate(self):
            await asyncio.sleep(3)
            self.label["text"] = 300

        def get_loop(self, loop):
            self.loop = loop
            asyncio.set_event_loop(self.loop)
            self.loop.run_forever()

        def change_form_state(self):
            coroutine1 = self.calculate()
            new_loop = asyncio.new_event_loop()
            t = threading.Thread(target=self.get_loop, args=(new_loop,))
            t.start()
            asyncio.run_coroutine_threadsafe(coroutine1, new_loop)

Its defects: the label is set from the worker thread; every click leaks a
thread and a loop that never stop (the process cannot exit); self.loop is
overwritten by each thread; a second click starts a second calculation
beside the first; an error in calculate() is lost with the dropped future.

Here there is one loop, gtkloop's, on the GMainContext GTK runs: the GUI's
main loop (Gtk.Application.run(), as Tk's mainloop() in the seed) steps
its tasks. A click starts calculate() as a task on that loop, so the label
is set on the GUI thread and nothing is left behind when it ends.

The policy for a click while a calculation runs: it is ignored (the button
is insensitive meanwhile, and a click that comes anyway, as emit() gives,
is counted and dropped), so there is one calculation at a time and its
result comes --seconds after the click that started it. An error in
calculate() is shown in the label and logged; closing the window cancels a
running calculation.

    --seconds=S      how long calculate() sleeps (default 3, the seed's)
    --self-test      clicks the button itself (button.emit('clicked')):
                     a calculation, a second click during one, and one that
                     fails; checks the label, the timing, the GUI thread,
                     that no thread or task is left; saves a screenshot and
                     exits 0 or 1. The meson test uses --seconds=0.3.
    --screenshot=FILE, --close-after=SECONDS: as the C demos.
"""

import asyncio
import logging
import sys
import threading
import time

import gi

gi.require_version("Gtk", "4.0")
from gi.repository import Gio, Gtk  # noqa: E402

import gtkloop  # noqa: E402

from demo_common import Options, on_gui_thread, say  # noqa: E402

logger = logging.getLogger("calculate")


def extra_options(parser):
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long a calculation takes (default 3, as the seed's asyncio.sleep(3))")


class Form:
    def __init__(self, app, loop, options):
        self.loop = loop             # the one loop: the GUI's
        self.options = options
        self.seconds = options.args.seconds
        self.root = Gtk.ApplicationWindow(application=app, title="窗体程序",
                                          default_width=500, default_height=300)
        self.button = Gtk.Button(label="开始计算", halign=Gtk.Align.CENTER)
        self.label = Gtk.Label(label="等待计算结果")
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                      margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
        box.append(self.button)
        box.append(self.label)
        self.root.set_child(box)
        self.button.connect("clicked", self.change_form_state)
        self.root.connect("close-request", self.closing)

        self.task = None             # the running calculation, if any
        self.clicks = self.started = self.ignored = self.finished = self.failed = 0
        self.label_off_gui_thread = 0
        self.fail_next = False       # the self-test's way to make calculate() fail
        self.root.present()

    def set_label(self, text):
        """self.label["text"] = ..., on the GUI thread only (counted otherwise)."""
        if not on_gui_thread():
            self.label_off_gui_thread += 1
        self.label.set_label(text)

    async def calculate(self):
        await asyncio.sleep(self.seconds)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the calculation went wrong")
        self.set_label(str(300))

    def change_form_state(self, button):
        """The click: a task on the GUI loop, unless one runs (ignored)."""
        self.clicks += 1
        if self.task is not None:
            self.ignored += 1
            say("click %d ignored: a calculation is running" % self.clicks)
            return
        self.started += 1
        say("click %d: calculating for %g s" % (self.clicks, self.seconds))
        self.set_label("计算中…")
        self.button.set_sensitive(False)
        self.task = self.loop.create_task(self.calculate())
        self.task.add_done_callback(self.calculated)

    def calculated(self, task):
        """When calculate() ends: its error is shown and logged, not lost."""
        self.task = None
        self.button.set_sensitive(True)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.failed += 1
            self.set_label("计算出错：%s" % error)
            logger.error("calculate() failed", exc_info=error)
        else:
            self.finished += 1
            say("result: %s" % self.label.get_label())

    def closing(self, window):
        if self.task is not None:
            self.task.cancel()
        return False


async def self_test(form, options):
    loop = asyncio.get_running_loop()
    threads = threading.active_count()
    s = form.seconds

    async def wait_label(text, timeout):
        start = time.monotonic()
        while form.label.get_label() != text and time.monotonic() - start < timeout:
            await asyncio.sleep(0.01)
        return time.monotonic() - start

    # A click: "300" after the calculation's time, the GUI kept running.
    form.button.emit("clicked")
    options.check(form.label.get_label() == "计算中…" and not form.button.get_sensitive(),
                  "a click starts a calculation (the label says so, the button waits)")
    took = await wait_label("300", s + 5)
    options.check(form.label.get_label() == "300" and s <= took + 0.02 < s + 1,
                  "the label became 300 after %.2f s (the calculation takes %g s)" % (took, s))
    options.check(form.button.get_sensitive(), "the button is back")

    # A second click during a calculation is ignored.
    form.button.emit("clicked")
    clicked = time.monotonic()
    await asyncio.sleep(s / 2)
    form.button.emit("clicked")
    await wait_label("300", s + 5)
    await asyncio.sleep(0)
    options.check(form.ignored == 1 and form.started == 2,
                  "the click during the calculation was ignored (%d ignored, %d started)"
                  % (form.ignored, form.started))
    took = time.monotonic() - clicked
    options.check(s <= took + 0.02 < s + 1, "its result came %.2f s after the first click" % took)

    # An error in calculate() reaches the label and the log.
    form.fail_next = True
    with_logs = _Capture()
    logger.addHandler(with_logs)
    form.button.emit("clicked")
    await wait_label("计算出错：the calculation went wrong", s + 5)
    logger.removeHandler(with_logs)
    options.check(form.label.get_label() == "计算出错：the calculation went wrong" and form.failed == 1,
                  "a failed calculation shows its error: %r" % form.label.get_label())
    options.check(any("RuntimeError: the calculation went wrong" in r for r in with_logs.records),
                  "and logs it with its traceback")

    # Nothing left behind, nothing off the GUI thread.
    others = [t for t in asyncio.all_tasks(loop) if t is not asyncio.current_task()]
    options.check(not others, "no task left (%d)" % len(others))
    options.check(threading.active_count() == threads,
                  "no thread made: %d running, as before the clicks" % threading.active_count())
    options.check(form.label_off_gui_thread == 0,
                  "the label was only set on the GUI thread (%d elsewhere)" % form.label_off_gui_thread)
    form.set_label("300")
    await options.save_screenshot(form.root, "the self-test's end")
    if options.close_after < 0:
        form.root.destroy()


def self_test_ended(test, form, options):
    if not test.cancelled() and test.exception() is not None:
        options.check(False, "the self-test raised %r" % test.exception())
        form.root.close()


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def main():
    options = Options("The Tkinter \"start calculation\" form, done right, on GTK 4 and gtkloop.", extra_options)
    logging.basicConfig(format="%(name)s: %(levelname)s: %(message)s")
    loop = gtkloop.new_event_loop()
    asyncio.set_event_loop(loop)
    app = Gtk.Application(application_id="org.gtkloop.Demo.Calculate.Python",
                          flags=Gio.ApplicationFlags.NON_UNIQUE)
    forms = []

    def activate(app):
        if forms:
            forms[0].root.present()
            return
        form = Form(app, loop, options)
        forms.append(form)
        options.watch(form.root)
        if options.self_test:
            loop.create_task(self_test(form, options)).add_done_callback(
                lambda test: self_test_ended(test, form, options))

    app.connect("activate", activate)
    try:
        status = app.run([])        # Tk's mainloop(): GTK's loop steps the asyncio tasks
        # A calculation the closing window cancelled ends now, as asyncio.run
        # would end it, before the loop is closed.
        left = asyncio.all_tasks(loop)
        if left:
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    finally:
        loop.close()
    if options.self_test:
        say("self-test %s" % ("passed" if options.failures == 0 else "FAILED"))
    return status or (1 if options.failures else 0)


if __name__ == "__main__":
    sys.exit(main())
