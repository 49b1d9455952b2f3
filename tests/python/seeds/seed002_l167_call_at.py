# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 167-182: call_at (prints nothing).
# Changed to run: the block loses the 3-space indent of the Markdown list it sits in; line
# 174's `loop.run_at` is loop.call_at (an AttributeError otherwise).

import asyncio

def foo(num):
 return num

async def main(loop):
 now = loop.time()
 loop.call_at(now + 2, foo, 2)


if __name__ == "__main__":
   loop = asyncio.get_event_loop()
   try:
     loop.run_until_complete(main(loop))
   finally:
     loop.close()
