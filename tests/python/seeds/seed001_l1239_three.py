# Seed 001 (001_0fe8029d51512af5.txt), lines 1239-1264: add_done_callback with
# functools.partial.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: the IPython prompts (In [n]:, ...:) are gone.

import asyncio
import time

def three():
    start = time.time()

    # @asyncio.coroutine
    async def corowork():      # 1
        print('[corowork] Start coroutine')
        time.sleep(0.1)
        print('[corowork] This is a coroutine')

    def callback(name, task):  # 2 
        print('[callback] Hello {}'.format(name))
        print('[callback] coroutine state: {}'.format(task._state))

    loop = asyncio.get_event_loop()
    coroutine = corowork()
    task = loop.create_task(coroutine)
    task.add_done_callback(functools.partial(callback, 'Shiyanlou'))  # 3
    loop.run_until_complete(task)

    end = time.time()
    print('运行耗时：{:.4f}'.format(end - start))


import functools

three()
