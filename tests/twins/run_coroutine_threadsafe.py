# Seed 001's Tkinter form (lines 2642-2681) without the window, and without
# its defects: one loop in one worker thread, a coroutine submitted with
# run_coroutine_threadsafe, its result read on the main thread; a slow one
# waited on with a timeout and then cancelled; the loop stopped from the
# main thread with call_soon_threadsafe, its leftover tasks finished, the
# loop closed on its own thread, and the thread joined.
import os
import sys

# Keep this directory's twins (queue.py) from shadowing the standard
# library's modules of the same name.
sys.path = [p for p in sys.path
            if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]

import asyncio
import threading

out = []
saw_cancel = threading.Event()


def start_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()
    # What gtkloop_loop_close does: cancel the leftovers, let them finish.
    tasks = asyncio.all_tasks(loop)
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.close()


async def calculate():
    out.append('calculate: start')
    await asyncio.sleep(0.05)
    out.append('calculate: done')
    return 300


async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        saw_cancel.set()
        raise


new_loop = asyncio.new_event_loop()
thread = threading.Thread(target=start_loop, args=(new_loop,))
thread.start()

fut = asyncio.run_coroutine_threadsafe(calculate(), new_loop)
out.append(f'label: {fut.result(timeout=5)}')

slow_fut = asyncio.run_coroutine_threadsafe(slow(), new_loop)
try:
    slow_fut.result(timeout=0.05)
    out.append('timed out: False')
except TimeoutError:
    out.append('timed out: True')
out.append(f'cancel: {slow_fut.cancel()}')
out.append(f'cancelled: {slow_fut.cancelled()}')

new_loop.call_soon_threadsafe(new_loop.stop)
thread.join()
out.append('thread joined')
out.append(f'slow task saw the cancellation: {saw_cancel.is_set()}')
print('\n'.join(out))
