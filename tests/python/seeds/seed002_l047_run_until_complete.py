# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 47-70: run_until_complete.
# Unchanged.

import asyncio

async def foo():
  print('this is a coroutine')


if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    print('coroutine begin')
    coro = foo()
    print('into event loop')
    loop.run_until_complete(coro)
  finally:
    print('close event loop')
    loop.close()

"""
输出：
coroutine begin
into event loop
this is a coroutine
close event loop
"""
