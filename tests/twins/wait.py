# Twin of tests/test-wait.c: asyncio.wait (3.11) in its three modes, with a
# timeout, on futures already done, when the waiting task is cancelled; and
# asyncio.as_completed, with and without a timeout. Seed 000 lines 300-346
# (a() and b(), times scaled down). wait() returns sets: names are printed
# sorted.
import asyncio


def names(fs):
    return "{" + ", ".join(sorted(f.get_name() for f in fs)) + "}"


async def a():
    print('Suspending a')
    await asyncio.sleep(0.1)
    print('Resuming a')
    return 'A'


async def b():
    print('Suspending b')
    await asyncio.sleep(0.01)
    print('Resuming b')
    return 'B'


async def stepper(steps, fail=False):
    for _ in range(steps):
        await asyncio.sleep(0)
    if fail:
        raise ValueError("boom")
    return steps


def task(coro, name):
    return asyncio.create_task(coro, name=name)


async def seed():
    print("-- seed 000: ALL_COMPLETED")
    done, pending = await asyncio.wait([task(a(), "a"), task(b(), "b")])
    print("done", names(done), "pending", names(pending))
    print("results", sorted(t.result() for t in done))
    print("-- seed 000: FIRST_COMPLETED")
    ta, tb = task(a(), "a"), task(b(), "b")
    done, pending = await asyncio.wait([ta, tb], return_when=asyncio.FIRST_COMPLETED)
    print("done", names(done), "pending", names(pending))
    await ta
    print("a finished later:", ta.result())


async def first_exception():
    print("-- FIRST_EXCEPTION")
    ts = [task(stepper(1, fail=True), "fails"), task(stepper(4), "slow")]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("done", names(done), "pending", names(pending))
    await ts[1]
    ts = [task(stepper(1), "x"), task(stepper(2), "y")]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("no failure: done", names(done), "pending", names(pending))
    loop = asyncio.get_running_loop()
    c, s = loop.create_future(), task(stepper(3), "s")
    c.cancel()
    done, pending = await asyncio.wait([c, s], return_when=asyncio.FIRST_EXCEPTION)
    print("a cancelled future is no exception: pending", names(pending))


async def with_timeout():
    print("-- timeout")
    t = task(asyncio.sleep(0.25, "late"), "late")
    done, pending = await asyncio.wait([t], timeout=0.01)
    print("done", names(done), "pending", names(pending), "cancelled", t.cancelled())
    print("it goes on:", await t)


async def spinner():
    for i in range(4):
        print("spin", i)
        await asyncio.sleep(0)


async def already_done():
    print("-- already done")
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(1)
    s = task(spinner(), "spinner")
    await asyncio.sleep(0)
    print("wait starts")
    done, pending = await asyncio.wait([f])
    print("wait returns", len(done), len(pending))
    await s


async def waiting_task_cancelled():
    print("-- the waiting task is cancelled")
    t = task(asyncio.sleep(0.02, "kept"), "kept")

    async def waiter():
        try:
            await asyncio.wait([t])
        except asyncio.CancelledError:
            print("waiter cancelled")
            raise

    w = task(waiter(), "waiter")
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.wait([w])
    print("waiter cancelled", w.cancelled(), "t cancelled", t.cancelled())
    print("t:", await t)


async def empty():
    print("-- empty")
    try:
        await asyncio.wait([])
    except ValueError as e:
        print("ValueError:", e)


async def sleeper(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f"{name} failed")
    return name


async def as_completed():
    print("-- as_completed")
    ts = [task(sleeper("slow", 0.03), "slow"), task(sleeper("fast", 0.01), "fast"),
          task(sleeper("bad", 0.02, fail=True), "bad")]
    for next_one in asyncio.as_completed(ts):
        try:
            print("got", await next_one)
        except ValueError as e:
            print("error", e)
    print("-- as_completed with a timeout")
    ts = [task(sleeper("quick", 0.01), "quick"), task(sleeper("never", 10), "never"),
          task(sleeper("never2", 10), "never2")]
    for next_one in asyncio.as_completed(ts, timeout=0.15):
        try:
            print("got", await next_one)
        except asyncio.TimeoutError:
            print("timed out")
    for t in ts:
        t.cancel()
    await asyncio.wait(ts)


async def main():
    await seed()
    await first_exception()
    await with_timeout()
    await already_done()
    await waiting_task_cancelled()
    await empty()
    await as_completed()


asyncio.run(main())
