# Seed 000 (000_5a13d8555281b50e.txt), lines 274-284 (a, b) and 301-321: wait returns (done,
# seeds-runner: set-order
# pending).
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).
# Changed for 3.11: asyncio.wait() takes tasks, not coroutines (3.11 raises TypeError), so
# each coroutine is wrapped in asyncio.ensure_future() where it is made.

import asyncio

async def a():
    print('Suspending a')
    await asyncio.sleep(3)
    print('Resuming a')
    return 'A'

async def b():
    print('Suspending b')
    await asyncio.sleep(1)
    print('Resuming b')
    return 'B'

async def main():
    done, pending = await asyncio.wait([asyncio.ensure_future(a()), asyncio.ensure_future(b())])
    print(repr(done))
    print(repr(pending))
    task = list(done)[0]
    print(repr(task))
    print(repr(task.result()))


asyncio.run(main())
