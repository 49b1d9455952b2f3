# Coroutines (seed 000, coro1.py and "the right and wrong ways"; seed 001,
# the greenlet switch and "asynchronous functions freezing"): a coroutine
# gives the loop back at each await, and only there.
import asyncio
import threading
import time


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def b():
    print('In b')


# Seed 001's greenlet example: two functions that take turns.
async def func1():
    print(1)
    await asyncio.sleep(0)
    print(2)


async def func2():
    print(3)
    await asyncio.sleep(0)
    print(4)


# A coroutine awaiting another runs it to its end first: nothing is
# concurrent unless it is a task.
async def s1():
    await a()
    await b()


ticked = threading.Event()


async def ticker():
    for i in range(3):
        print(f'tick {i}')
        await asyncio.sleep(0)
    ticked.set()


async def blocker():
    print('blocker: a blocking sleep stops the whole loop')
    time.sleep(0.05)
    print('blocker: awake')


async def good_blocker():
    print('blocker: the blocking call runs on a worker thread')
    # It blocks until the ticker is done: the loop goes on meanwhile.
    await asyncio.to_thread(ticked.wait)
    print('blocker: awake')


async def nested_run():
    loop = asyncio.get_running_loop()
    try:
        loop.run_until_complete(loop.create_future())
    except RuntimeError:
        print('a nested run is refused')


async def main():
    print('-- gather(a(), b())')
    await asyncio.gather(a(), b())
    print('-- two functions taking turns')
    await asyncio.gather(func1(), func2())
    print('-- await a(); await b()')
    await s1()
    print('-- a blocking call inside a coroutine')
    await asyncio.gather(ticker(), blocker())
    print('-- the same call on a thread')
    await asyncio.gather(ticker(), good_blocker())
    print('-- no nested loops')
    await nested_run()


asyncio.run(main())
