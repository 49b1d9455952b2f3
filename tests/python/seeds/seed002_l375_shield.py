# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 375-400: shield, the gather made before the
# cancel (prints nothing).
# Changed to run: line 377's `async def num(n);` ends in a colon (a SyntaxError otherwise);
# line 388's `taks1` is task1 (a NameError otherwise).

import asyncio

async def num(n):
  return n*2



async def main():
  task1 = asyncio.shield(num(1))
  task2 = asyncio.create_task(num(2))

  ts = asyncio.gather(task1, task2, return_exceptions=True)

  task1.cancel()

  await ts

  """
   输出:
   [concurrent.futures._base.CancelledError(), 4]

  """

if __name__ == '__main__':
  asyncio.run(main())
