# Twin of test-subprocess.c's test_pipes_twin: a child's stdin and stdout
# as streams, communicate with both outputs, terminate and the return
# code of a signal, a signal after the exit (an error).
import asyncio
import signal
from asyncio.subprocess import PIPE


async def main():
    cat = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
    print("cat: started, returncode", cat.returncode)
    cat.stdin.write(b"hello\n")
    await cat.stdin.drain()
    print("cat: line", await cat.stdout.readline())
    cat.stdin.write(b"bye")
    cat.stdin.close()
    print("cat: rest", await cat.stdout.read())
    print("cat: wait", await cat.wait())

    sh = await asyncio.create_subprocess_exec(
        "sh", "-c", "read x; echo out $x; echo err >&2; exit 3",
        stdin=PIPE, stdout=PIPE, stderr=PIPE)
    out, err = await sh.communicate(b"42\n")
    print("sh: communicate", out, err, "returncode", sh.returncode)

    sleeper = await asyncio.create_subprocess_exec("sleep", "10")
    sleeper.terminate()
    print("sleep: wait", await sleeper.wait())
    try:
        sleeper.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        print("sleep: a signal after the exit: ProcessLookupError, returncode",
              sleeper.returncode)


asyncio.run(main())
