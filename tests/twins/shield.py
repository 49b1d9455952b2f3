# Twin of tests/test-shield.c: asyncio.shield (3.11). Seed 000 lines
# 375-445 (the "wrong" and "right" ways; times scaled down; the seed's
# 3.7 output for the right way differs from 3.11's), cancelling the task
# that awaits a shield, an inner that is cancelled or fails, and a shield
# of a future already done.
import asyncio


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


def desc(x):
    if isinstance(x, asyncio.CancelledError):
        return "CancelledError()"
    return repr(x)


async def seed_wrong():
    print("-- seed 000: shield, cancel, then gather")
    inner = asyncio.create_task(a())
    task1 = asyncio.shield(inner)
    task2 = asyncio.create_task(b())
    print("cancel ->", task1.cancel())
    res = await asyncio.gather(task1, task2, return_exceptions=True)
    print("[" + ", ".join(desc(r) for r in res) + "]")
    print("a still running:", not inner.done())
    await inner
    print("a finished:", inner.result())


async def seed_right():
    print("-- seed 000: gather first, then cancel")
    inner = asyncio.create_task(a())
    task1 = asyncio.shield(inner)
    task2 = asyncio.create_task(b())
    ts = asyncio.gather(task1, task2, return_exceptions=True)
    print("cancel ->", task1.cancel())
    res = await ts
    print("[" + ", ".join(desc(r) for r in res) + "]")
    await inner
    print("a finished:", inner.result())


async def work(name, delay):
    print(f"{name} starts")
    await asyncio.sleep(delay)
    print(f"{name} finishes")
    return name


async def cancel_awaiting_task():
    print("-- cancel the task awaiting a shield")
    inner = asyncio.create_task(work("save", 0.02))

    async def awaiter():
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            print("awaiter cancelled at once")
            raise

    w = asyncio.create_task(awaiter())
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.wait([w])
    print("awaiter cancelled", w.cancelled(), "inner done", inner.done())
    print("inner:", await inner)


async def inner_cancelled_or_failed():
    print("-- the inner is cancelled, or fails")
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    s = asyncio.shield(f)
    f.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("outer cancelled", s.cancelled())
    f = loop.create_future()
    s = asyncio.shield(f)
    f.set_exception(ValueError("bad"))
    try:
        await s
    except ValueError as e:
        print("outer failed:", e)
    f = loop.create_future()
    s = asyncio.shield(f)
    f.set_result(42)
    print("outer result:", await s)


async def already_done():
    print("-- already done")
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(7)
    print("same future:", asyncio.shield(f) is f)


async def main():
    await seed_wrong()
    await seed_right()
    await cancel_awaiting_task()
    await inner_cancelled_or_failed()
    await already_done()


asyncio.run(main())
