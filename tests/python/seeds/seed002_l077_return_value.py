# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 77-93: a coroutine's return value.
# Changed to run: line 84's `async.get_event_loop()` is asyncio.get_event_loop() (a
# SyntaxError otherwise).

import asyncio

async def foo():
  print('this is a coroutine')
  return 12

if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    print('coroutine begin')
    coro = foo()
    print('into event loop')
    res = loop.run_until_complete(coro)
    print(f"result is: {res}")
  finally:
    print('close event loop')
    loop.close()
