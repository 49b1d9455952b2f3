# add_signal_handler: the signal is noted in the wake-up fd at once; the
# loop reads it in the next iteration, after the callbacks already queued,
# and the handler's callback queued then runs one iteration later. Two
# signals noted before the read run the callback twice; a handler removed
# before the read does not run.
import asyncio
import signal


async def main():
    loop = asyncio.get_running_loop()

    loop.add_signal_handler(signal.SIGALRM, print, 'signal ALRM')
    loop.call_soon(print, 'soon 1')
    signal.raise_signal(signal.SIGALRM)
    loop.call_soon(print, 'soon 2')
    await asyncio.sleep(0)
    print('after sleep 1')
    loop.call_soon(print, 'soon 3')
    await asyncio.sleep(0)
    print('after sleep 2')
    await asyncio.sleep(0.05)

    # Two signals before the read: two runs.
    signal.raise_signal(signal.SIGALRM)
    signal.raise_signal(signal.SIGALRM)
    print('raised twice')
    await asyncio.sleep(0.05)

    # Removed before the read: nothing runs.
    signal.raise_signal(signal.SIGALRM)
    print(f'removed: {loop.remove_signal_handler(signal.SIGALRM)}')
    await asyncio.sleep(0.05)
    print(f'removed again: {loop.remove_signal_handler(signal.SIGALRM)}')


asyncio.run(main())
