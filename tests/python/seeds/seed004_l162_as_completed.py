# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 162-191: as_completed.
# seeds-runner: set-order
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).

# asyncio.as_completed start
import asyncio
import time
import threading
a=time.time()
async def hello1():
    print("Hello world 01 begin")
    await asyncio.sleep(5) #大约5秒
    print("Hello again 01 end")
    return '哈哈1'
async def hello2():
    print("Hello world 02 begin")
    await asyncio.sleep(3) #大约3秒
    print("Hello again 02 end")
    return '哈哈2'
async def hello3():
    print("Hello world 03 begin")
    await asyncio.sleep(4) #大约4秒
    print("Hello again 03 end")
    return '哈哈3'
async def main():
    s=asyncio.as_completed({hello1(),hello2(),hello3()})
    for f in s:
        result=await f
        print(result)
asyncio.run(main())
b=time.time()
print('---------------------------------------')
print(b-a)
# asyncio.as_completed end
