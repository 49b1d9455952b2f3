# Seed 000 (000_5a13d8555281b50e.txt), lines 274-284 (a, b) and 288-295: gather collects
# results in order.
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).

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
    return_value_a, return_value_b = await asyncio.gather(a(), b())
    print(repr((return_value_a, return_value_b)))


asyncio.run(main())
