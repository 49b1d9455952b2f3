# Seed 000 (000_5a13d8555281b50e.txt), lines 274-284 (a, b) and 380-389: gather of a cancelled
# task raises CancelledError.
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).
# The session shows the CancelledError traceback; here it ends the program (exit status 1).

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
    await asyncio.gather(task1, task2)


asyncio.run(main())
