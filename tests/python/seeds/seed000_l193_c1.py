# Seed 000 (000_5a13d8555281b50e.txt), lines 148-160 (a, b, s1), 168-172 (show_perf), 193-196:
# c1 gathers a() and b(), 3 s.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: line 151's `pritn` is print (a NameError 3 s in otherwise).

import asyncio
import time

async def a():
    print('挂着a')
    await asyncio.sleep(3)
    print('恢复继续a')

async def b():
    print('挂着B')
    await asyncio.sleep(1)
    print('恢复继续B')

async def s1():
    await a()
    await b()

def show_perf(func):
	print('*'*20)
	start = time.perf_counter()
	asyncio.run(func())
	print(f'{func.__name__} Cost:{time.perf_counter() - start}')

async def c1():
    await asyncio.gather(a(), b())

show_perf(c1)
