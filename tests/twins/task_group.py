# Twin of tests/test-task-group.c: asyncio.TaskGroup (3.11) — all children
# succeed; one fails (its sibling and the parent's own await are cancelled,
# the error is collected, the parent goes on); two fail together; the body
# fails; the parent is cancelled from outside; a child added once the group
# failed. asyncio cancels children in set order, so each scenario has at
# most one child that prints when cancelled.
import asyncio


async def child(name, steps, fail=False):
    print(f"{name} starts")
    try:
        for _ in range(steps):
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    if fail:
        print(f"{name} fails")
        raise ValueError(f"{name} failed")
    print(f"{name} done")
    return name


def report(eg):
    print(f"group: {eg}; errors: {[str(e) for e in eg.exceptions]}")


async def all_succeed():
    print("-- all succeed")
    async with asyncio.TaskGroup() as tg:
        ts = [tg.create_task(child(n, k)) for n, k in (("A", 2), ("B", 1), ("C", 3))]
        print("body ends")
    print("results", [t.result() for t in ts])


async def one_fails():
    print("-- one fails")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("A", 5))
            tg.create_task(child("B", 1, fail=True))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body's await cancelled")
                raise
    except BaseExceptionGroup as eg:
        report(eg)
    await asyncio.sleep(0)
    print("parent goes on, cancelling", asyncio.current_task().cancelling())


async def two_fail():
    print("-- two fail together")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("A", 1, fail=True))
            tg.create_task(child("B", 1, fail=True))
            tg.create_task(child("C", 3))
    except BaseExceptionGroup as eg:
        report(eg)


async def body_fails():
    print("-- the body fails")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("A", 3))
            await asyncio.sleep(0)
            raise ValueError("body failed")
    except BaseExceptionGroup as eg:
        report(eg)


async def parent_cancelled():
    print("-- the parent is cancelled from outside")

    async def parent():
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(child("A", 5))
        except asyncio.CancelledError:
            print("parent: CancelledError")
            raise

    p = asyncio.create_task(parent())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    p.cancel()
    await asyncio.wait([p])
    print("parent cancelled", p.cancelled())


async def add_while_shutting_down():
    print("-- a child added once the group failed")

    async def spawner(tg):
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        coro = child("late", 1)
        try:
            tg.create_task(coro)
        except RuntimeError:
            coro.close()
            print("create_task: RuntimeError")

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("bad", 1, fail=True))
            s = asyncio.create_task(spawner(tg))
    except BaseExceptionGroup as eg:
        report(eg)
    await s


async def main():
    await all_succeed()
    await one_fails()
    await two_fail()
    await body_fails()
    await parent_cancelled()
    await add_while_shutting_down()


asyncio.run(main())
