# Twin of tests/test-task.c (basics): start order, sleep(0) interleaving,
# awaiting futures and tasks three deep, results and errors.
import asyncio


async def child(name):
    print(f"{name} start")
    await asyncio.sleep(0)
    print(f"{name} end")
    return name


async def spinner(name, rounds):
    for i in range(rounds):
        print(f"{name} {i}")
        await asyncio.sleep(0)


async def level3(fut):
    print("level3 awaits the future")
    value = await fut
    print(f"level3 got {value}")
    return value + 1


async def level2(fut):
    t = asyncio.create_task(level3(fut))
    value = await t
    print(f"level2 got {value}")
    return value + 1


async def level1(fut):
    value = await asyncio.create_task(level2(fut))
    print(f"level1 got {value}")
    return value + 1


async def failing():
    await asyncio.sleep(0)
    raise RuntimeError("boom")


async def main():
    print("main start")
    tasks = [asyncio.create_task(child(f"t{i}")) for i in range(3)]
    print("tasks created")
    await asyncio.sleep(0)
    print("main after yield")
    for t in tasks:
        print(f"result {await t}")

    await asyncio.gather(spinner("a", 3), spinner("b", 3), spinner("c", 3))

    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(0.01, fut.set_result, 40)
    print(f"level1 returned {await asyncio.create_task(level1(fut))}")

    t = asyncio.create_task(failing())
    try:
        await t
    except RuntimeError as e:
        print(f"awaiting failing: error {e}")
    print(f"failing done {t.done()} cancelled {t.cancelled()}")
    print("main end")


asyncio.run(main())
