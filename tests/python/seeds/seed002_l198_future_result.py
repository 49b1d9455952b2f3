# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 198-210: a future set by call_soon (prints
# nothing).
# Unchanged.

import asyncio

def foo(future, result):
  future.set_result(result)

if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    all_done = asyncio.Future()
    loop.call_soon(foo, all_done, 'done')
    result = loop.run_until_complete(all_done)
  finally:
    loop.close()
