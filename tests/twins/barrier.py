# Twin of tests/test-barrier.c: asyncio.Barrier (3.11) — three parties meet
# (arrival indices, n_waiting), the barrier is used for two rounds, abort
# breaks it for waiters and later callers, reset fails the waiters and
# leaves it usable, and a waiter cancelled inside it.
import asyncio


async def party(b, name, rounds=1):
    for r in range(rounds):
        print(f"{name} arrives, n_waiting {b.n_waiting}")
        try:
            index = await b.wait()
        except asyncio.BrokenBarrierError:
            print(f"{name}: BrokenBarrierError")
            return
        except asyncio.CancelledError:
            print(f"{name} cancelled, n_waiting {b.n_waiting}")
            raise
        print(f"{name} passes with index {index}")


async def meet():
    print("-- three parties, two rounds")
    b = asyncio.Barrier(3)
    await asyncio.gather(*(party(b, n, rounds=2) for n in "ABC"))
    print("n_waiting", b.n_waiting, "broken", b.broken)


async def abort():
    print("-- abort")
    b = asyncio.Barrier(3)
    ts = [asyncio.create_task(party(b, n)) for n in "AB"]
    await asyncio.sleep(0)
    await b.abort()
    await asyncio.gather(*ts)
    print("broken", b.broken)
    await party(b, "late")


async def reset():
    print("-- reset")
    b = asyncio.Barrier(2)
    t = asyncio.create_task(party(b, "A"))
    await asyncio.sleep(0)
    await b.reset()
    await t
    print("broken", b.broken, "n_waiting", b.n_waiting)
    await asyncio.gather(party(b, "B"), party(b, "C"))


async def cancelled():
    print("-- a waiter is cancelled")
    b = asyncio.Barrier(2)
    t = asyncio.create_task(party(b, "A"))
    await asyncio.sleep(0)
    print("n_waiting", b.n_waiting)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)
    print("n_waiting", b.n_waiting)
    await asyncio.gather(party(b, "B"), party(b, "C"))


async def main():
    await meet()
    await abort()
    await reset()
    await cancelled()


asyncio.run(main())
