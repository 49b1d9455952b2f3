# Twin of tests/test-sync-random.c: random scripts of operations on one
# asyncio.Lock, Semaphore and Queue, run by 2-5 tasks while the main task
# cancels tasks at random. The scripts and the cancellations come from a
# xorshift32 generator that the C test implements bit for bit, so both
# print the same trace when both schedule the same way.
import asyncio

N_SEEDS = 150
LOCK, SEM, PUT, GET, YIELD = range(5)


class Rng:
    def __init__(self, seed):
        self.s = ((seed * 2654435761) + 1) & 0xffffffff or 1

    def next(self):
        x = self.s
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        self.s = x
        return x

    def below(self, n):
        return self.next() % n


class Run:
    def __init__(self, seed):
        self.rng = Rng(seed)
        self.n_tasks = 2 + self.rng.below(4)
        self.lock = asyncio.Lock()
        self.sem = asyncio.Semaphore(1 + self.rng.below(2))
        self.q = asyncio.Queue(self.rng.below(3))
        self.progress = 0
        self.scripts = []
        item = 0
        for _ in range(self.n_tasks):
            ops = []
            for _ in range(3 + self.rng.below(10)):
                kind = self.rng.below(5)
                if kind in (LOCK, SEM):
                    arg = self.rng.below(3)
                elif kind == PUT:
                    arg = item
                    item += 1
                else:
                    arg = 0
                ops.append((kind, arg))
            self.scripts.append(ops)


async def hold(r, i, prim, name, n):
    try:
        await prim.acquire()
    except asyncio.CancelledError:
        print(f"t{i} {name} cancelled")
        return False
    print(f"t{i} {name} held")
    for _ in range(n):
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            prim.release()
            print(f"t{i} {name} cancelled inside")
            return False
    prim.release()
    print(f"t{i} {name} released")
    return True


async def run_op(r, i, kind, arg):
    if kind == LOCK:
        return await hold(r, i, r.lock, "lock", arg)
    if kind == SEM:
        return await hold(r, i, r.sem, "sem", arg)
    if kind == PUT:
        try:
            await r.q.put(arg)
        except asyncio.CancelledError:
            print(f"t{i} put {arg} cancelled")
            return False
        print(f"t{i} put {arg}")
        return True
    if kind == GET:
        try:
            item = await r.q.get()
        except asyncio.CancelledError:
            print(f"t{i} get cancelled")
            return False
        r.q.task_done()
        print(f"t{i} got {item}")
        return True
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        print(f"t{i} yield cancelled")
        return False
    return True


async def script(r, i):
    for kind, arg in r.scripts[i]:
        if not await run_op(r, i, kind, arg):
            return
        r.progress += 1
    print(f"t{i} done")


async def one_seed(seed):
    r = Run(seed)
    print(f"seed {seed}: {r.n_tasks} tasks, sem {r.sem._value}, maxsize {r.q.maxsize}")
    tasks = [asyncio.create_task(script(r, i)) for i in range(r.n_tasks)]
    it = idle = 0
    last = r.progress
    while not all(t.done() for t in tasks) and idle < 40 and it < 400:
        await asyncio.sleep(0)
        it += 1
        if r.rng.below(6) == 0:
            k = r.rng.below(r.n_tasks)
            if not tasks[k].done():
                tasks[k].cancel()
                print(f"cancel t{k}")
        if r.progress == last:
            idle += 1
        else:
            idle = 0
            last = r.progress
    if not all(t.done() for t in tasks):
        print("quiescent")
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"end, queue {r.q.qsize()}, locked {r.lock.locked()}, sem {r.sem._value}")


async def main():
    for seed in range(N_SEEDS):
        await one_seed(seed)


asyncio.run(main())
