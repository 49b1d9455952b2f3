# Twin of tests/test-gather.c: asyncio.gather (3.11). Seed 000's a()/b()
# (lines 269-300, times scaled down), results in argument order, the first
# error while the others go on, return_exceptions, cancelling the gather,
# a cancelled child, an empty and a duplicated argument, and cancelling the
# task that awaits a gather.
import asyncio


def desc(x):
    if isinstance(x, asyncio.CancelledError):
        return "cancelled"
    if isinstance(x, BaseException):
        return f"error {x}"
    return f"value {x}"


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


async def stepper(name, steps, fail=False):
    print(f"{name} starts")
    for _ in range(steps):
        await asyncio.sleep(0)
    if fail:
        print(f"{name} fails")
        raise ValueError(f"boom {name}")
    print(f"{name} done")
    return name


async def sleeper(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise


async def seed():
    print("-- seed 000")
    return_value_a, return_value_b = await asyncio.gather(a(), b())
    print(return_value_a, return_value_b)


async def order():
    print("-- argument order")
    ts = [asyncio.create_task(stepper(n, k)) for n, k in (("A", 3), ("B", 1), ("C", 2))]
    res = await asyncio.gather(*ts)
    print("results", " ".join(res))


async def first_error():
    print("-- first error")
    ts = [asyncio.create_task(stepper("A", 6)), asyncio.create_task(stepper("B", 1, fail=True)),
          asyncio.create_task(stepper("C", 2))]
    try:
        await asyncio.gather(*ts)
    except ValueError as e:
        print(f"gather failed: {e}")
    print("A done?", ts[0].done(), "C done?", ts[2].done())
    await ts[0]
    print("A done?", ts[0].done(), "C done?", ts[2].done())


async def return_exceptions():
    print("-- return_exceptions")
    ts = [asyncio.create_task(stepper("A", 2)), asyncio.create_task(stepper("B", 1, fail=True))]
    res = await asyncio.gather(*ts, return_exceptions=True)
    print("results", ", ".join(desc(r) for r in res))


async def cancel_gather():
    print("-- cancel the gather")
    ts = [asyncio.create_task(sleeper(n)) for n in "AB"]
    await asyncio.sleep(0)
    g = asyncio.gather(*ts)
    print("cancel ->", g.cancel())
    try:
        await g
    except asyncio.CancelledError:
        print("await gather: cancelled")
    print("gather done", g.done(), "cancelled", g.cancelled())
    print("children cancelled", ts[0].cancelled(), ts[1].cancelled())
    print("cancel again ->", g.cancel())


async def cancelled_child():
    print("-- a cancelled child")
    ts = [asyncio.create_task(sleeper("A")), asyncio.create_task(stepper("B", 2))]
    await asyncio.sleep(0)
    g = asyncio.gather(*ts)
    ts[0].cancel()
    try:
        await g
    except asyncio.CancelledError:
        print("await gather: cancelled")
    print("gather cancelled()", g.cancelled(), "B done?", ts[1].done())
    await ts[1]
    print("B result", ts[1].result())


async def empty_and_duplicates():
    print("-- empty and duplicates")
    print("empty ->", await asyncio.gather())
    t = asyncio.create_task(stepper("D", 1))
    res = await asyncio.gather(t, t)
    print("duplicates ->", res)


async def cancel_awaiting_task():
    print("-- cancel the task awaiting a gather")
    ts = [asyncio.create_task(sleeper(n)) for n in "AB"]

    async def awaiter():
        try:
            await asyncio.gather(*ts)
        except asyncio.CancelledError:
            print("awaiter cancelled")
            raise

    w = asyncio.create_task(awaiter())
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.gather(w, return_exceptions=True)
    print("awaiter cancelled()", w.cancelled(), "children", ts[0].cancelled(), ts[1].cancelled())


async def main():
    await seed()
    await order()
    await first_error()
    await return_exceptions()
    await cancel_gather()
    await cancelled_child()
    await empty_and_duplicates()
    await cancel_awaiting_task()


asyncio.run(main())
