#!/usr/bin/python3
# W10-echo for the peers gtkloop is measured against: Python's asyncio and
# uvloop (Debian's python3-uvloop). One process holds a loopback TCP echo
# server and its client; the client writes N lines of 64 bytes (write,
# then drain, per line) while a second task reads N lines back
# (readline); the server answers each line it reads with write + drain.
# ns_per_op is the whole exchange's time divided by N. Prints one JSON
# record per run, in gtkloop-bench's schema.
#
#   bench/echo-peers.py [--n N] [--repeat K] [--system asyncio,uvloop]
import argparse
import asyncio
import json
import os
import time

LINE = b"x" * 63 + b"\n"


async def handle(reader, writer, finished):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    finished.set()


async def exchange(n):
    finished = asyncio.Event()
    server = await asyncio.start_server(lambda r, w: handle(r, w, finished), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send():
        for _ in range(n):
            writer.write(LINE)
            await writer.drain()

    async def receive():
        for _ in range(n):
            line = await reader.readline()
            if line != LINE:
                raise RuntimeError(f"echo returned {line!r}")

    t0 = time.monotonic_ns()
    await asyncio.gather(send(), receive())
    elapsed = time.monotonic_ns() - t0
    writer.close()
    await writer.wait_closed()
    await finished.wait()
    server.close()
    await server.wait_closed()
    return elapsed


def run(system, n):
    if system == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        elapsed = loop.run_until_complete(exchange(n))
    finally:
        loop.close()
    return {
        "system": system, "workload": "W10-echo", "n": n,
        "ns_per_op": elapsed / n, "p50": None, "p99": None, "max": None,
        "peak_rss_kb": 0, "notes": "",
        "extra": {"lines_per_s": n / (elapsed / 1e9), "line_bytes": len(LINE),
                  "loadavg": [float(x) for x in open("/proc/loadavg").read().split()[:3]],
                  "python": os.path.realpath("/usr/bin/python3")},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--system", default="asyncio,uvloop")
    args = parser.parse_args()
    for _ in range(args.repeat):
        for system in args.system.split(","):
            print(json.dumps(run(system, args.n)), flush=True)


if __name__ == "__main__":
    main()
