# Twin of tests/test-condition.c: asyncio.Condition — notify(1) wakes one
# waiter at a time, notify_all wakes all (each takes the lock in turn),
# wait_for with a predicate, a cancelled wait takes the lock back before it
# raises, and a notified waiter that is cancelled passes the notification
# on. That last rule is Python 3.13's (gh-112202; 3.11 loses the
# notification): Cond313 below is 3.11's Condition with 3.13's wait().
import asyncio


class Cond313(asyncio.Condition):
    async def wait(self):
        if not self.locked():
            raise RuntimeError('cannot wait on un-acquired lock')
        fut = None
        self.release()
        try:
            try:
                fut = self._get_loop().create_future()
                self._waiters.append(fut)
                try:
                    await fut
                    return True
                finally:
                    self._waiters.remove(fut)
            finally:
                err = None
                while True:
                    try:
                        await self.acquire()
                        break
                    except asyncio.CancelledError as e:
                        err = e
                if err is not None:
                    try:
                        raise err
                    finally:
                        err = None
        except BaseException:
            self._notify(1)
            raise

    def _notify(self, n):
        idx = 0
        for fut in self._waiters:
            if idx >= n:
                break
            if not fut.done():
                idx += 1
                fut.set_result(False)


async def waiter(cond, name):
    async with cond:
        print(f"{name} waits")
        try:
            await cond.wait()
        except asyncio.CancelledError:
            print(f"{name} cancelled, locked {cond.locked()}")
            raise
        print(f"{name} woke, locked {cond.locked()}")
        await asyncio.sleep(0)
        print(f"{name} releases")


async def spawn_three(cond):
    ts = [asyncio.create_task(waiter(cond, n)) for n in "ABC"]
    await asyncio.sleep(0)
    return ts


async def notify_one():
    print("-- notify(1)")
    cond = Cond313()
    ts = await spawn_three(cond)
    for _ in range(3):
        async with cond:
            print("notify 1")
            cond.notify(1)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    await asyncio.gather(*ts)


async def notify_all():
    print("-- notify_all")
    cond = Cond313()
    ts = await spawn_three(cond)
    async with cond:
        cond.notify_all()
        print("notified all, main still holds the lock")
        await asyncio.sleep(0)
    await asyncio.gather(*ts)


async def wait_for():
    print("-- wait_for")
    cond = Cond313()
    box = [0]

    async def checker():
        async with cond:
            await cond.wait_for(lambda: box[0] >= 3)
            print("predicate holds at", box[0])

    t = asyncio.create_task(checker())
    for _ in range(4):
        await asyncio.sleep(0)
        async with cond:
            box[0] += 1
            print("value", box[0])
            cond.notify_all()
    await t


async def cancelled_wait():
    print("-- a cancelled wait takes the lock back")
    cond = Cond313()
    t = asyncio.create_task(waiter(cond, "A"))
    await asyncio.sleep(0)
    async with cond:
        t.cancel()
        await asyncio.sleep(0)
        print("main holds the lock while A is cancelled")
    await asyncio.wait([t])
    print("A cancelled", t.cancelled(), "locked", cond.locked())


async def notified_then_cancelled():
    print("-- a notified waiter is cancelled")
    cond = Cond313()
    ts = await spawn_three(cond)
    async with cond:
        cond.notify(1)      # A
        ts[0].cancel()      # A passes the notification to B
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)      # C
    await asyncio.gather(*ts, return_exceptions=True)


async def main():
    await notify_one()
    await notify_all()
    await wait_for()
    await cancelled_wait()
    await notified_then_cancelled()


asyncio.run(main())
