# Twin of test-loop.c's test_stop_now: a callback raising KeyboardInterrupt
# ends run_forever at once; the rest of that iteration runs first in the
# next run (gtkloop_loop_stop_now).
import asyncio

loop = asyncio.new_event_loop()


def boom():
    print("boom: interrupt")
    raise KeyboardInterrupt


loop.call_soon(print, "a")
loop.call_soon(boom)
loop.call_soon(print, "c")
try:
    loop.run_forever()
except KeyboardInterrupt:
    print("run_forever returned")
loop.call_soon(print, "d")
loop.call_soon(loop.stop)
loop.run_forever()
print("done")
loop.close()
