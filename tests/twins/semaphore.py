# Twin of tests/test-semaphore.c: asyncio.Semaphore and BoundedSemaphore
# (3.11) — FIFO hand-over, no overtaking by a newcomer while a woken waiter
# has not run, a woken waiter cancelled gives its unit back, two holders at
# once, and a bounded semaphore released too often.
import asyncio


async def worker(s, name, hold=1):
    print(f"{name} waits, locked {s.locked()}")
    try:
        await s.acquire()
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    print(f"{name} acquired, value {s._value}")
    for _ in range(hold):
        await asyncio.sleep(0)
    s.release()
    print(f"{name} released, value {s._value}")


async def fifo():
    print("-- fifo")
    s = asyncio.Semaphore(1)
    await s.acquire()
    ts = [asyncio.create_task(worker(s, n)) for n in "ABC"]
    await asyncio.sleep(0)
    s.release()
    await asyncio.gather(*ts)
    print("value", s._value)


async def no_overtaking():
    print("-- no overtaking")
    s = asyncio.Semaphore(1)
    await s.acquire()
    t = asyncio.create_task(worker(s, "A"))
    await asyncio.sleep(0)
    s.release()                 # hands the unit to A
    print("main acquires, locked", s.locked())
    await s.acquire()
    print("main acquired")
    s.release()
    await t


async def woken_then_cancelled():
    print("-- woken then cancelled")
    s = asyncio.Semaphore(0)
    ts = [asyncio.create_task(worker(s, n)) for n in "AB"]
    await asyncio.sleep(0)
    s.release()                 # wakes A
    ts[0].cancel()              # A gives the unit to B
    await asyncio.gather(*ts, return_exceptions=True)
    print("value", s._value)


async def two_holders():
    print("-- two holders")
    s = asyncio.Semaphore(2)
    await asyncio.gather(*(worker(s, n, hold=2) for n in "ABCD"))
    print("value", s._value)


async def bounded():
    print("-- bounded")
    s = asyncio.BoundedSemaphore(1)
    await s.acquire()
    s.release()
    try:
        s.release()
    except ValueError as e:
        print("ValueError:", e)
    print("value", s._value)


async def main():
    await fifo()
    await no_overtaking()
    await woken_then_cancelled()
    await two_holders()
    await bounded()


asyncio.run(main())
