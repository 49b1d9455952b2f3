# add_reader: a reader found ready runs after the callbacks already queued
# and before the timers due in the same iteration; level-triggered, it runs
# again while its fd stays readable; removed by an earlier callback of the
# same iteration, it does not run.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    r, w = socket.socketpair()
    r.setblocking(False)
    rounds = 0

    def on_readable():
        nonlocal rounds
        rounds += 1
        print(f'reader {rounds}')
        if rounds == 2:
            print(f'read {r.recv(16)!r}')
            loop.remove_reader(r)

    w.send(b'x')
    loop.add_reader(r, on_readable)
    loop.call_soon(print, 'soon 1')
    loop.call_later(0, print, 'later 0')
    await asyncio.sleep(0)
    print('after one iteration')
    await asyncio.sleep(0.05)

    # A second fd, made ready, whose reader an earlier callback removes.
    r2, w2 = socket.socketpair()
    r2.setblocking(False)
    loop.add_reader(r2, print, 'never')
    w2.send(b'y')
    loop.call_soon(print, 'soon 2')
    loop.call_soon(lambda: print(f'removed: {loop.remove_reader(r2)}'))
    await asyncio.sleep(0.05)
    print(f'removed again: {loop.remove_reader(r2)}')

    # A third, whose reader an earlier callback replaces: the old one does
    # not run, and the new one waits for the next iteration's events.
    r3, w3 = socket.socketpair()
    r3.setblocking(False)

    def new_reader():
        print(f'new reader read {r3.recv(16)!r}')
        loop.remove_reader(r3)

    loop.add_reader(r3, print, 'old reader')
    w3.send(b'z')
    loop.call_soon(loop.add_reader, r3, new_reader)
    loop.call_soon(print, 'soon 3')
    loop.call_later(0, print, 'later 3')
    await asyncio.sleep(0.05)
    for s in (r, w, r2, w2, r3, w3):
        s.close()


asyncio.run(main())
