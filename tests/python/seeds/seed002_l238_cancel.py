# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 238-261: cancelling a task.
# Unchanged.

import asyncio

async def child():
  return 1

async def main(loop):
  task = loop.create_task(child())
  task.cancel()

  try:
    await task
  except asyncio.CancelledError:
    print('task cancelled')
  else:
    print("res: ", task.result())


if __name__ == "__main__":
  loop = asyncio.get_event_loop()
  try:
    loop.run_until_complete(main(loop))
  finally:
    loop.close()
