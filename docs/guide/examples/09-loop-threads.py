# A loop in a worker thread (seed 000, "multithreading", and seed 001's
# Tkinter form, lines 2642-2681): a second loop runs forever on a thread
# of its own; another thread submits coroutines to it with
# run_coroutine_threadsafe and blocks on the concurrent future it gets
# back (with a timeout), and stops it with call_soon_threadsafe. Unlike
# the seed, every loop here is stopped, closed on its thread, and its
# thread joined: nothing leaks, and the process can exit.
import asyncio
import threading


def start_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()
    # What gtkloop does when a loop closes: finish the leftover tasks.
    tasks = asyncio.all_tasks(loop)
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.close()


async def a():
    await asyncio.sleep(0.05)
    return 'A'


async def calculate():
    await asyncio.sleep(0.05)
    return 300


cancelled = threading.Event()


async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        cancelled.set()
        raise


# The seed's pattern, made complete.
new_loop = asyncio.new_event_loop()
t = threading.Thread(target=start_loop, args=(new_loop,))
t.start()
future = asyncio.run_coroutine_threadsafe(a(), new_loop)
print(f'Result: {future.result(timeout=2)}')
new_loop.call_soon_threadsafe(new_loop.stop)
t.join()
print(f'thread joined, loop closed: {new_loop.is_closed()}')


# The same, packaged: what gtkloop_loop_thread_start and _stop do.
class LoopThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=start_loop, args=(self.loop,))
        self.thread.start()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


worker = LoopThread()
print(f'label: {asyncio.run_coroutine_threadsafe(calculate(), worker.loop).result(timeout=5)}')
slow_future = asyncio.run_coroutine_threadsafe(slow(), worker.loop)
try:
    slow_future.result(timeout=0.05)
except TimeoutError:
    print('timed out')
print(f'cancel: {slow_future.cancel()}')
print(f'cancelled: {slow_future.cancelled()}')
worker.stop()
print(f'slow saw the cancellation: {cancelled.is_set()}')
