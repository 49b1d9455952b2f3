# Seed 000 (000_5a13d8555281b50e.txt), lines 274-284 (a, b), 380-386 and 402-403:
# gather(return_exceptions=True).
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).
# The session's failing cell (line 389, seed000_l380_cancel_gather.py) is left out: in IPython
# it only printed a traceback before this cell ran.

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
    loop = asyncio.get_event_loop()
    task1 = loop.create_task(a())
    task2 = loop.create_task(b())
    print(repr(task1.cancel()))
    print(repr(await asyncio.gather(task1, task2, return_exceptions=True)))


asyncio.run(main())
