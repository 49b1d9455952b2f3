# Seed 000 (000_5a13d8555281b50e.txt), lines 582-584 (a), 586 (loop), 605-611:
# add_done_callback with partial.
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: line 609's `patial` is partial (a NameError otherwise).

import asyncio
from functools import partial


async def a():
	await asyncio.sleep(1)
	return 'A'


def callback2(future,n):
	print(f'Result:{future.result()}')


async def main():
    loop = asyncio.get_event_loop()
    task = loop.create_task(a()) #注意正规写法不是这样的
    task.add_done_callback(partial(callback2,n=1))

    print(repr(await task))


asyncio.run(main())
