"""The seed tutorials' asyncio programs (tests/python/seeds/, listed in its
README.md), each run twice in a subprocess: once with stock asyncio and
once with gtkloop.EventLoopPolicy installed before the program runs. Both
outputs must equal the program's committed .out (made by the stock run,
so the expected text cannot drift), after the normalisation below.

    run_seeds.py                 check every program
    run_seeds.py -k call_         only the programs whose name contains call_
    run_seeds.py --regenerate    rewrite the .out files from stock runs

What a run's output is: its stdout; then, if it wrote any, "--- stderr ---"
and its stderr; then, if it did not exit 0, "--- exit status N ---".

Both runs go through the same launcher (LAUNCHER below, run with -c so no
path of ours shows in a traceback), from the seeds directory, with the
program's relative path, so tracebacks, warnings and Task reprs name the
same file and line in both. The launcher imports gtkloop in both modes, so
both start from the same interpreter state; seeds the random module (one
program draws its sleep times from it; seed 155503 leaves no two of its
workers finishing within 110 ms of each other, so load cannot reorder
them); restores Python's SIGINT handler (a job started in the background
inherits SIGINT ignored, and three programs are ended by an interrupt);
then runs the program with runpy as __main__.
In gtkloop mode it first installs the policy and counts the loops made: a
program that made no gtkloop.EventLoop fails, as it would have tested the
stock loop.

A header line "# seeds-runner: interrupt=S kill=S" sends the program SIGINT
(Ctrl-C) S seconds after it starts, and SIGKILL (its process group) S
seconds after it starts: for the programs that never end by themselves.
"Starts" is when the launcher hands over to the program (it says so in a
log file), so a slow interpreter start on a busy machine does not count.

Normalised, and nothing else: the timing-dependent text of NORMALISE below
(printed times and elapsed seconds, thread ids, object addresses). The
runs go in parallel (-j, twelve at a time: more start so many interpreters
at once on two cores that the timing of the programs already running
suffers).
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")

LAUNCHER = """\
import os, random, runpy, signal, sys
import gtkloop
if os.environ["GTKLOOP_SEEDS_LOOP"] == "gtkloop":
    import asyncio
    def _count(init, log=os.environ["GTKLOOP_SEEDS_LOG"]):
        def __init__(self, *args, **kwargs):
            with open(log, "a") as f:
                f.write("loop\\n")
            init(self, *args, **kwargs)
        return __init__
    gtkloop.EventLoop.__init__ = _count(gtkloop.EventLoop.__init__)
    asyncio.set_event_loop_policy(gtkloop.EventLoopPolicy())
random.seed(155503)
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = sys.argv[1:]
with open(os.environ["GTKLOOP_SEEDS_LOG"], "a") as f:
    f.write("start\\n")
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# (pattern, replacement), applied line by line in this order.
NORMALISE = [
    # Object addresses: <Future at 0x7f..>, <coroutine object main at 0x..>.
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    # Thread ids: <_MainThread(MainThread, started 140...)>.
    (re.compile(r"(started(?: daemon)?) \d+\)"), r"\1 …)"),
    # Wall-clock times: time.strftime('%X').
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "…:…:…"),
    # Elapsed seconds and clock readings printed as floats by the seeds:
    # "c1 Cost:3.0024", "Cost: 3.0052", "运行耗时：3.0070",
    # "开始时间为： 1718000000.123", "loop time: 12345.678",
    # "slept in parallel for 2.35 seconds", and lines that are a float
    # alone (print(b - a), print(loop.time())).
    (re.compile(r"(Cost: ?|运行耗时：|开始时间为： |结束时间为： |loop time: |slept in parallel for )"
                r"-?\d+\.\d+(?:e-?\d+)?"), r"\1…"),
    (re.compile(r"^-?\d+\.\d+(?:e-?\d+)?$"), "…"),
]

RUN_TIMEOUT = 120.0


def plain_normalise(text):
    lines = []
    for line in text.split("\n"):
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines)


def set_order_normalise(text):
    """For a program marked "# seeds-runner: set-order": it prints or
    walks a set of tasks, whose order follows their addresses on stock
    asyncio as on gtkloop, so its lines are compared as a multiset (every
    line, as many times, in any order)."""
    return "\n".join(sorted(plain_normalise(text).split("\n")))


def directives(path):
    found = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*seeds-runner:(.*)", line)
            if m:
                for item in m.group(1).split():
                    key, _, value = item.partition("=")
                    found[key] = float(value) if value else True
    return found


def run(name, mode):
    """Runs one program; returns (output, gtkloop loops made, seconds)."""
    path = os.path.join(SEEDS, name + ".py")
    todo = directives(path)
    with tempfile.NamedTemporaryFile(prefix="gtkloop-seeds-", suffix=".log", delete=False) as log:
        log_path = log.name
    env = dict(os.environ,
               GTKLOOP_SEEDS_LOOP=mode,
               GTKLOOP_SEEDS_LOG=log_path,
               PYTHONIOENCODING="utf-8",
               PYTHONUNBUFFERED="1",
               PYTHONDONTWRITEBYTECODE="1")
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, name + ".py"],
                            cwd=SEEDS, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    if todo:
        # The times count from the program's start, not the interpreter's.
        while proc.poll() is None and time.monotonic() < start + RUN_TIMEOUT:
            with open(log_path) as f:
                if "start\n" in f.readlines():
                    break
            time.sleep(0.01)
        started = time.monotonic()
    else:
        started = start
    events = sorted((started - start + t, key) for key, t in todo.items() if key in ("interrupt", "kill"))
    events.append((RUN_TIMEOUT, "timeout"))
    out = err = b""
    timed_out = False
    for at, what in events:
        try:
            out, err = proc.communicate(timeout=max(0.0, start + at - time.monotonic()))
            break
        except subprocess.TimeoutExpired:
            if what == "interrupt":
                proc.send_signal(signal.SIGINT)
            else:
                timed_out = what == "timeout"
                os.killpg(proc.pid, signal.SIGKILL)
    else:
        out, err = proc.communicate()
    seconds = time.monotonic() - start
    with open(log_path) as f:
        loops = f.readlines().count("loop\n")
    os.unlink(log_path)
    text = out.decode("utf-8", "replace")
    if err:
        text += "--- stderr ---\n" + err.decode("utf-8", "replace")
    if proc.returncode != 0:
        text += "--- exit status %d ---\n" % proc.returncode
    if timed_out:
        text += "--- killed by the runner after %g s ---\n" % RUN_TIMEOUT
    return text, loops, seconds


def diff(expected, got, a, b):
    return "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), a, b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="pattern", default="", help="only programs whose name contains this")
    parser.add_argument("-j", dest="jobs", type=int, default=12, help="runs at once (default 12)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the .out files from stock runs")
    args = parser.parse_args()

    names = sorted(f[:-3] for f in os.listdir(SEEDS) if f.endswith(".py"))
    stray = sorted(f for f in os.listdir(SEEDS)
                   if f.endswith(".out") and f[:-4] not in names)
    names = [n for n in names if args.pattern in n]
    modes = ("stock",) if args.regenerate else ("stock", "gtkloop")

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        runs = {(n, m): pool.submit(run, n, m) for n in names for m in modes}
        results = {key: future.result() for key, future in runs.items()}

    failures = 0
    for name in names:
        stock, _, stock_s = results[name, "stock"]
        out_path = os.path.join(SEEDS, name + ".out")
        if args.regenerate:
            with open(out_path, "w", encoding="utf-8") as f:
                f.write(stock)
            print("wrote %s.out (%.1f s)" % (name, stock_s))
            continue
        problems = []
        try:
            with open(out_path, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            expected = None
            problems.append("no %s.out (run with --regenerate)" % name)
        gtk, loops, gtk_s = results[name, "gtkloop"]
        if directives(os.path.join(SEEDS, name + ".py")).get("set-order"):
            norm = set_order_normalise
        else:
            norm = plain_normalise
        if expected is not None and norm(stock) != norm(expected):
            problems.append("stock asyncio no longer prints the committed .out:\n" +
                            diff(norm(expected), norm(stock), name + ".out", "stock"))
        if norm(gtk) != norm(stock):
            problems.append("gtkloop prints otherwise than stock asyncio:\n" +
                            diff(norm(stock), norm(gtk), "stock", "gtkloop"))
        if loops == 0:
            problems.append("the gtkloop run made no gtkloop.EventLoop")
        status = "FAIL" if problems else "ok"
        print("%-4s %-45s stock %5.1f s, gtkloop %5.1f s, %d gtkloop loop%s" %
              (status, name, stock_s, gtk_s, loops, "" if loops == 1 else "s"))
        for problem in problems:
            lines = problem.rstrip().split("\n")
            if len(lines) > 60:
                lines = lines[:60] + ["... (%d more lines)" % (len(lines) - 60)]
            print("     " + "\n     ".join(lines))
        failures += bool(problems)
    for f in stray:
        print("FAIL %s has no program" % f)
        failures += 1
    if not args.regenerate:
        print("%d programs, %d the same on gtkloop as on stock asyncio and as committed, %d failed (%.0f s)" %
              (len(names), len(names) - failures, failures, time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
