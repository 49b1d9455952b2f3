# call_at with a time in the past (and call_later with a negative delay)
# runs on the next iteration, after the call_soon callbacks already queued,
# in deadline order.
import asyncio

loop = asyncio.new_event_loop()


def stopper():
    print('stop')
    loop.stop()


loop.call_soon(print, 'soon 1')
loop.call_at(loop.time() - 1, print, 'call_at 1 s ago')
loop.call_later(-5, print, 'call_later -5 s')
loop.call_soon(print, 'soon 2')
loop.call_at(loop.time(), print, 'call_at now')
loop.call_soon(stopper)
loop.run_forever()
print('returned')
loop.close()
