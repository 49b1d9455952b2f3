# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 302-324: gather.
# Unchanged.

import asyncio

async def num(n):
  try:
    await asyncio.sleep(n*0.1)
  except asyncio.CancelledError:
    print(f"{n} cancelled")
    raise

async def main():
  tasks = [num(i) for i in range(10)]
  complete = await asyncio.gather(*tasks)
  for i in complete:
    print(i)


if __name__ == '__main__':
  loop = asyncio.get_event_loop()
  try:
    loop.run_until_complete(main())
  finally:
    loop.close()
