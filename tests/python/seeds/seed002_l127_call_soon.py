# Seed 002 (002_2b010de6c8d7e1cd.txt), lines 127-141: call_soon (prints nothing).
# Changed to run: the block loses the 3-space indent of the Markdown list it sits in; line
# 137's `async.get_event_loop()` is asyncio.get_event_loop() (a SyntaxError otherwise).

import asyncio

def foo(num):
 return num

async def main(loop):
 loop.call_soon(foo, 1)


if __name__ == '__main__':
   loop = asyncio.get_event_loop()
   try:
     loop.run_until_complete(main(loop))
   finally:
     loop.close()
