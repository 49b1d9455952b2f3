#!/usr/bin/python3
"""The quamash progress bar (seed 000, lines 804-840), on GTK 4 and gtkloop.

The seed, with PyQt5 and quamash:

    app = QApplication(sys.argv)
    loop = QEventLoop(app)            # the Qt loop is the asyncio loop
    asyncio.set_event_loop(loop)
    progress = QProgressBar(); progress.setRange(0, 99); progress.show()

    async def master():
        await first_50()
        with QThreadExecutor(1) as exec:
            await loop.run_in_executor(exec, last_50)

    async def first_50():
        for i in range(50):
            progress.setValue(i)
            await asyncio.sleep(.1)

    def last_50():
        for i in range(50, 100):
            loop.call_soon_threadsafe(progress.setValue, i)
            time.sleep(.1)

    with loop:
        loop.run_until_complete(master())

Here the loop is gtkloop's, on the GMainContext GTK paints from: while
run_until_complete runs master(), GTK's frames are painted by the same
iterations, so the window keeps drawing. The executor is a one-worker
ThreadPoolExecutor; the worker never touches a widget, it posts each value
to the GUI thread. Closing the window cancels master(); the worker stops
at its next step (it checks an event between its sleeps) and the `with`
block joins it. After the 100 steps the window stays up until closed.

    --self-test      checks that the bar reached 99 through 100 updates in
                     order, each applied on the GUI thread, all before the
                     executor's future was done, and that the window kept
                     painting; saves a screenshot and exits 0 or 1. With
                     --close-after=S it checks instead that closing the
                     window cancelled the work and the worker ended.
    --screenshot=FILE, --close-after=SECONDS: as the C demos.
"""

import asyncio
import concurrent.futures
import contextlib
import sys
import threading
import time

import gi

gi.require_version("Gtk", "4.0")
from gi.repository import Gtk  # noqa: E402

import gtkloop  # noqa: E402

from demo_common import Frames, Options, on_gui_thread, say  # noqa: E402


def extra_options(parser):
    parser.add_argument("--min-fps", type=float, default=20,
                        help="--self-test: the frame rate the window must keep while working (default 20)")


options = Options("The quamash progress bar on GTK 4 and gtkloop.", extra_options)

loop = gtkloop.new_event_loop()       # on GTK's context: one loop for GUI and coroutines
asyncio.set_event_loop(loop)

window = Gtk.Window(title="gtkloop · progress (Python)", default_width=420)
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
              margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
progress = Gtk.ProgressBar(show_text=True, text="0 / 99")
status = Gtk.Label(label="Starting…", xalign=0)
spinner = Gtk.Spinner(spinning=True)   # moves on every frame: a frozen loop shows
box.append(progress)
box.append(status)
box.append(spinner)
window.set_child(box)


class Seen:
    """What progress.setValue saw."""
    value = -1
    applied = 0
    out_of_order = 0
    off_gui_thread = 0
    dropped = 0             # arrived after the window was gone
    updates_before_job_done = False
    worker_saw_cancel = False
    cancelled = False
    done = False


seen = Seen()
stop_worker = threading.Event()       # set when master() is cancelled


def set_value(i):
    """progress.setValue(i): only ever on the GUI thread."""
    if not on_gui_thread():
        seen.off_gui_thread += 1
    if options.window is None:
        seen.dropped += 1
        return
    if i != seen.value + 1:
        seen.out_of_order += 1
    seen.value = i
    seen.applied += 1
    progress.set_fraction(i / 99)
    progress.set_text("%d / 99" % i)
    say("progress %2d  (%s)" % (i, "task on the GUI loop" if i < 50 else "posted by the worker thread"))


def set_status(text):
    if options.window is not None:
        status.set_label(text)


async def master():
    await first_50()
    set_status("Steps 50–99: a worker thread posts each value back…")
    with concurrent.futures.ThreadPoolExecutor(1) as exec:
        await loop.run_in_executor(exec, last_50)
    # The worker posted its last value before returning, and the future's
    # result comes home after what the same thread posted: all 100 are here.
    seen.updates_before_job_done = seen.value == 99 and seen.applied == 100


async def first_50():
    set_status("Steps 0–49: a task on the GUI loop…")
    for i in range(50):
        set_value(i)
        await asyncio.sleep(.1)


def last_50():
    """A plain function on the executor's worker thread: it never touches
    a widget, each value goes to the GUI loop, in order."""
    for i in range(50, 100):
        if stop_worker.is_set():
            seen.worker_saw_cancel = True      # read after the `with` joined us
            return
        loop.call_soon_threadsafe(set_value, i)
        time.sleep(.1)


async def main():
    frames = Frames(window)
    options.watch(window)
    window.present()
    work = asyncio.ensure_future(master())
    closed = loop.create_future()

    def window_closed(*args):
        if not work.done():
            work.cancel()                      # closing the window cancels
            stop_worker.set()
        if not closed.done():
            closed.set_result(None)

    window.connect("unrealize", window_closed)
    started = time.monotonic()
    try:
        await work
    except asyncio.CancelledError:
        # The `with` block ended the worker before master() gave up.
        seen.cancelled = True
        say("master: cancelled at value %d" % seen.value)
        await closed
        return
    seen.done = True
    count, fps, longest = frames.stats(since=started)
    set_status("Done: 100 updates, each on the GUI thread, in order.")
    say("done: the executor's future completed after the 100th update")
    say("frames while working: %d, %.1f fps, longest gap %.0f ms" % (count, fps, longest))
    if options.self_test:
        options.check(seen.value == 99 and seen.applied == 100,
                      "the bar reached 99 through %d updates" % seen.applied)
        options.check(seen.out_of_order == 0, "values in order (%d out of order)" % seen.out_of_order)
        options.check(seen.off_gui_thread == 0,
                      "every update applied on the GUI thread (%d elsewhere)" % seen.off_gui_thread)
        options.check(seen.updates_before_job_done,
                      "all 100 updates arrived before the executor's future was done")
        options.check(fps >= options.args.min_fps,
                      "the window kept painting while working: %.1f fps (at least %g)" % (fps, options.args.min_fps))
        if options.window is not None:
            await options.save_screenshot(window, "the self-test's end")
        if options.window is not None and options.close_after < 0:
            window.destroy()
    await closed


# The seed's `with loop: loop.run_until_complete(master())`, with the
# window's life around master(); closing(loop) is what `with loop` did.
with contextlib.closing(loop):
    loop.run_until_complete(main())

if options.self_test and options.close_after > 0:
    options.check(seen.cancelled, "closing the window cancelled the work")
    options.check(seen.value < 99, "it stopped early, at %d" % seen.value)
    options.check(seen.value < 50 or seen.worker_saw_cancel, "the worker thread saw the cancellation and ended")
    options.check(threading.active_count() == 1, "no thread left (%d running)" % threading.active_count())
    options.check(seen.off_gui_thread == 0, "no update off the GUI thread")
    say("%d late posts found the window gone and were dropped" % seen.dropped)
elif options.self_test:
    options.check(seen.done and not seen.cancelled, "master() completed")
    options.check(threading.active_count() == 1, "no thread left (%d running)" % threading.active_count())
if options.self_test:
    say("self-test %s" % ("passed" if options.failures == 0 else "FAILED"))
sys.exit(1 if options.failures else 0)
