# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 215-230: awaiting a future (prints nothing).
# Unchanged.

import asyncio

def foo(future, result):
  future.set_result(result)

async def main(loop):
  all_done = asyncio.Future()
  loop.call_soon(foo, all_done, 'done')
  res = await all_done

if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    loop.run_until_complete(main(loop))
  finally:
    loop.close()
