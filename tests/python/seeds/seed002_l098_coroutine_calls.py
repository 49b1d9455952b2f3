# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 98-117: coroutines awaiting coroutines (prints
# nothing).
# Unchanged.

import asyncio

async def main():
  res1 = await result1()
  res2 = await result2()
  return (res1, res2)

async def result1():
  return 1

async def result2():
  return 2

if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    result = loop.run_until_complete(main())
  finally:
    loop.close()
