# Seed 001 (001_0fe8029d51512af5.txt), lines 389-404: async/await, ensure_future, wait.
# Unchanged.

import asyncio

async def func1():
    print(1)
    await asyncio.sleep(2)
    print(2)
    
async def func2():
    print(3)
    await asyncio.sleep(2)
    print(4)
    
tasks = [asyncio.ensure_future( func1() ),
         asyncio.ensure_future( func2() )]
loop = asyncio.get_event_loop()
loop.run_until_complete(asyncio.wait(tasks))
