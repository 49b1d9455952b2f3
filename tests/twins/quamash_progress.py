# The quamash progress bar of seed 000 (lines 804-840) without Qt: values
# 0-49 come from a coroutine that sleeps between steps; values 50-99 from
# a function on a one-thread executor that posts each one back with
# call_soon_threadsafe. Every value reaches the loop, in order, before the
# executor's future is done. (The seed sleeps 0.1 s per step; 1 ms here.)
import os
import sys

# Keep this directory's twins (queue.py) from shadowing the standard
# library's modules of the same name.
sys.path = [p for p in sys.path
            if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

values = []


def set_value(i):
    values.append(i)
    print(f'value {i}')


async def first_50():
    for i in range(50):
        set_value(i)
        await asyncio.sleep(.001)


def last_50(loop):
    for i in range(50, 100):
        loop.call_soon_threadsafe(set_value, i)
        time.sleep(.001)
    return 'done'


async def master():
    loop = asyncio.get_running_loop()
    await first_50()
    with ThreadPoolExecutor(1) as executor:
        fut = loop.run_in_executor(executor, last_50, loop)
        fut.add_done_callback(
            lambda f: print(f'executor future done after {len(values)} values'))
        result = await fut
        print(f'master got {result}')


asyncio.run(master())
