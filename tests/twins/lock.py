# Twin of tests/test-lock.c: asyncio.Lock (3.11) hand-over order, cancelled
# waiters, a wake-up passed on by a waiter cancelled after it was woken, and
# seed 001's async_lock.py (lines 1934-1990).
import asyncio


async def worker(lock, name):
    print(f"{name} waits")
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        print(f"{name} cancelled while waiting")
        raise
    print(f"{name} got the lock")
    await asyncio.sleep(0)
    lock.release()
    print(f"{name} released")


async def fifo():
    print("-- fifo")
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = [asyncio.create_task(worker(lock, n)) for n in "ABC"]
    await asyncio.sleep(0)
    print(f"main releases, locked {lock.locked()}")
    lock.release()
    await asyncio.gather(*tasks)
    print(f"locked {lock.locked()}")


async def cancelled_waiter():
    print("-- cancelled waiter")
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = [asyncio.create_task(worker(lock, n)) for n in "ABC"]
    await asyncio.sleep(0)
    tasks[1].cancel()
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"B cancelled {tasks[1].cancelled()}; locked {lock.locked()}")


async def woken_then_cancelled():
    print("-- woken then cancelled")
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = [asyncio.create_task(worker(lock, n)) for n in "ABC"]
    await asyncio.sleep(0)
    lock.release()          # wakes A, which has not run yet
    tasks[0].cancel()       # A passes the wake-up to B
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"A cancelled {tasks[0].cancelled()}; locked {lock.locked()}")


async def no_queue_jumping():
    print("-- no queue jumping")
    lock = asyncio.Lock()
    await lock.acquire()
    t = asyncio.create_task(worker(lock, "A"))
    await asyncio.sleep(0)
    lock.release()          # A is woken, but the lock looks free
    print(f"locked {lock.locked()}; main acquires")
    await lock.acquire()    # must queue behind A
    print("main got the lock")
    lock.release()
    await t


l = []


async def work(lock, name):
    print('lalalalalalalala')
    async with lock:
        print('{} start'.format(name))
        if 'x' in l:
            return name
        await asyncio.sleep(0); print('----------')
        l.append('x')
        print('{} end'.format(name))
        return name


async def one(lock):
    name = await work(lock, 'one')
    print('{} ok'.format(name))


async def two(lock):
    name = await work(lock, 'two')
    print('{} ok'.format(name))


async def seed_001():
    print("-- seed 001")
    lock = asyncio.Lock()
    await asyncio.wait([asyncio.create_task(one(lock)), asyncio.create_task(two(lock))])


async def main():
    await fifo()
    await cancelled_waiter()
    await woken_then_cancelled()
    await no_queue_jumping()
    await seed_001()


asyncio.run(main())
