# Blocking code on worker threads (seed 000, "synchronous code" and the
# quamash progress bar, lines 804-840; seed 001, "futures.Future"):
# run_in_executor runs a plain function on a thread pool and gives the
# loop a future for its result; call_soon_threadsafe is how a worker hands
# a callback to the loop's thread. What one worker posts arrives in order,
# before its job's future is done. (Nothing is printed on a worker thread:
# lines printed from two threads would come in either order.)
import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def a():                         # a plain function: it blocks
    time.sleep(0.1)
    return 'A'


async def b():                   # a coroutine: it suspends
    await asyncio.sleep(0.1)
    return 'B'


def c():
    return 12


values = []


def set_value(i):                # on the loop's thread: may touch the GUI
    values.append(i)


def last_50(loop):               # on the worker: never touches the GUI
    for i in range(50, 100):
        loop.call_soon_threadsafe(set_value, i)
        time.sleep(0.001)
    return 'done'


async def main():
    loop = asyncio.get_running_loop()

    print('-- run_in_executor(None, a) beside a coroutine')
    print(await asyncio.gather(loop.run_in_executor(None, a), b()))

    print('-- the future of a job')
    future = loop.run_in_executor(None, c)
    print(f'done: {future.done()}')
    print(f'awaited: {await future}')
    print(f'done: {future.done()}, result: {future.result()}')

    print('-- the quamash progress bar, without the window')
    for i in range(50):
        set_value(i)
        await asyncio.sleep(0.001)
    with ThreadPoolExecutor(1) as executor:
        fut = loop.run_in_executor(executor, last_50, loop)
        fut.add_done_callback(
            lambda f: print(f'job done after {len(values)} values'))
        print(f'job says: {await fut}')
    print(f'values in order: {values == list(range(100))}')

    print('-- a queued job that is cancelled never runs')
    ran = []
    release = threading.Event()
    with ThreadPoolExecutor(1) as executor:
        first = loop.run_in_executor(executor, release.wait)   # holds the worker
        second = loop.run_in_executor(executor, ran.append, 'second')
        print(f'cancel: {second.cancel()}')
        await asyncio.sleep(0)   # the cancellation reaches the executor's queue
        release.set()
        await first
    print(f'second ran: {bool(ran)}')

    print('-- asyncio.to_thread')
    print(await asyncio.to_thread(a))


asyncio.run(main())
