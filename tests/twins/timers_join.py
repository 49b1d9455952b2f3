# Timers that become due while a long callback runs join the ready queue at
# the start of the next iteration, after the callbacks already queued there
# (asyncio's _run_once); among themselves they run in deadline order.
import asyncio
import time

loop = asyncio.new_event_loop()


def stopper():
    print('stop')
    loop.stop()


def timer():
    print('timer 30ms')
    loop.call_soon(stopper)


def long_cb():
    print('long: start')
    loop.call_later(0.03, timer)
    loop.call_soon(print, 'soon from long')
    time.sleep(0.08)
    loop.call_later(0, print, 'later 0 from long')
    print('long: end')


loop.call_soon(long_cb)
loop.call_soon(print, 'soon 2')
loop.run_forever()
print('returned')
loop.close()
