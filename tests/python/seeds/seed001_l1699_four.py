# Seed 001 (001_0fe8029d51512af5.txt), lines 1699-1721: two tasks gathered, results from the
# tasks.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: the IPython prompts (In [n]:, ...:) are gone.

import asyncio
import time

def four():
    start = time.time()

    async def corowork(name, t):
        print('[corowork] Start coroutine', name)
        await asyncio.sleep(t)                  # 1
        print('[corowork] Stop coroutine', name)
        return 'Coroutine {} OK'.format(name)   # 2

    loop = asyncio.get_event_loop()
    coroutine1 = corowork('ONE', 3)             # 3
    coroutine2 = corowork('TWO', 1)             # 3
    task1 = loop.create_task(coroutine1)        # 4
    task2 = loop.create_task(coroutine2)        # 4
    gather = asyncio.gather(task1, task2)       # 5
    loop.run_until_complete(gather)             # 6
    print('[task1] ', task1.result())           # 7
    print('[task2] ', task2.result())           # 7

    end = time.time()
    print('运行耗时：{:.4f}'.format(end - start))

four()
