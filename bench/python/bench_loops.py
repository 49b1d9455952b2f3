#!/usr/bin/python3
# BENCH.md's W1, W2, W3, W5 (and W5-lat), W6 and W8 for Python event loops,
# in one run: gtkloop.EventLoop (the Python binding, system
# "gtkloop-python"), the stdlib's asyncio, uvloop (Debian's python3-uvloop)
# and gbulb (Debian's python3-gbulb: its GLib loop on GLib's global default
# context, the one GTK 4 uses). One function per workload; the workloads
# are the same code for every loop, which comes from a factory.
#
#   bench/python/bench_loops.py [--workload W1,W2,...] [--system gtkloop,asyncio,...]
#                               [--n N] [--repeat K] [--timeout S] [--list]
#
# Like gtkloop-bench, each (system, workload, repetition) runs in a child
# process of its own (this file again, with --child), so peak_rss_kb is
# that measurement's; a child that crashes, fails or times out still gives
# a record, "FAILED (...)". Records are gtkloop-bench's JSON lines, on
# stdout; progress goes to stderr. Run it with Debian's /usr/bin/python3
# and PYTHONPATH=<builddir>/python (bench/run-all.sh does both).
#
# W8 opens a GTK 4 window, under xvfb-run when there is no display; only
# loops that drive GTK take part (gtkloop-python and gbulb): the stdlib's
# loop and uvloop iterate their own selector, not a GMainContext.
import argparse
import gc
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

SYSTEMS = ("gtkloop-python", "asyncio", "uvloop", "gbulb")
# --system also takes the bare name of gtkloop, as gtkloop-bench does.
SYSTEM_ALIASES = {"gtkloop": "gtkloop-python"}
GTK_SYSTEMS = ("gtkloop-python", "gbulb")

# BENCH.md's N per workload (W8: spinners).
WORKLOADS = {
    "W1": 1_000_000,
    "W2": 200_000,
    "W3": 100_000,
    "W5": 1_000_000,
    "W5-lat": 10_000,
    "W6": 100_000,
    "W8": 1000,
    "W8-idle": 0,
}

W2_FIRST_DELAYS_US = (45556, 29686, 78833, 91698, 13017)
W6_BATCH = 1000
W6_WORKERS = 4
W5_LAT_INTERVAL_NS = 100_000
W8_WARMUP_S = 1.0
W8_MEASURE_S = 5.0

now = time.monotonic_ns   # CLOCK_MONOTONIC, as BENCH.md asks


class CheckFailed(Exception):
    """A workload's own check failed: the record says FAILED (check)."""


# ---------------------------------------------------------------------------
# Loops

def make_loop(system):
    """A new event loop of the system, on the main thread. gtkloop's and
    gbulb's run on GLib's global default context (GTK 4's)."""
    import asyncio
    if system == "gtkloop-python":
        import gtkloop
        loop = gtkloop.new_event_loop()
    elif system == "asyncio":
        loop = asyncio.new_event_loop()
    elif system == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    elif system == "gbulb":
        import gbulb
        from gi.repository import GLib
        # What gbulb's own policy makes on the main thread.
        loop = gbulb.GLibEventLoop(context=GLib.main_context_default())
    else:
        raise ValueError(f"unknown system {system!r}")
    asyncio.set_event_loop(loop)
    return loop


def system_version(system):
    if system == "gtkloop-python":
        import gtkloop
        return gtkloop.__version__
    if system == "uvloop":
        import uvloop
        return uvloop.__version__
    if system == "gbulb":
        import gbulb
        return gbulb.__version__
    return sys.version.split()[0]


# ---------------------------------------------------------------------------
# Helpers

def nearest_rank(sorted_values, p):
    """BENCH.md's percentiles: nearest rank."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = -(-p * n // 100)   # ceil
    return sorted_values[min(max(rank, 1), n) - 1]


def distribution(values):
    values = sorted(values)
    if not values:
        return None, None, None, None
    return nearest_rank(values, 50), nearest_rank(values, 99), values[-1], values[0]


def xorshift64star(seed=42):
    """BENCH.md's PRNG for W2's delays."""
    x = seed
    mask = (1 << 64) - 1
    while True:
        x ^= x >> 12
        x ^= (x << 25) & mask
        x ^= x >> 27
        yield (x * 0x2545F4914F6CDD1D) & mask


def w2_delays_us(n):
    rng = xorshift64star()
    return [(next(rng) >> 32) % 100001 for _ in range(n)]


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine_busy_s():
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)   # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# Workloads: each takes (system, n, record) and fills the record.

def w1_call_soon(system, n, rec):
    """W1: N call_soon(cb) before the loop runs; the N-th stops it."""
    loop = make_loop(system)
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    call_soon = loop.call_soon
    t0 = now()
    for _ in range(n):
        call_soon(cb)
    t_sched = now()
    loop.run_forever()
    t1 = now()
    loop.close()
    if count != n:
        raise CheckFailed(f"{count} callbacks ran, not {n}")
    rec["ns_per_op"] = (t1 - t0) / n
    rec["extra"].update(schedule_s=(t_sched - t0) / 1e9, run_s=(t1 - t_sched) / 1e9)


def w2_timers(system, n, rec):
    """W2: N call_later with BENCH.md's delays, every 4th cancelled before
    the loop runs; lateness of the others."""
    delays = w2_delays_us(n)
    if tuple(delays[:5]) != W2_FIRST_DELAYS_US[:min(n, 5)]:
        raise CheckFailed(f"PRNG gives {delays[:5]}, BENCH.md {W2_FIRST_DELAYS_US}")
    delays_s = [d / 1e6 for d in delays]
    loop = make_loop(system)
    due = [0] * n
    fired = [0] * n
    fired_count = [0] * n
    expected = n - n // 4
    done = 0

    def cb(i):
        nonlocal done
        fired[i] = now()
        fired_count[i] += 1
        done += 1
        if done == expected:
            loop.stop()

    call_later = loop.call_later
    handles = [None] * n
    cpu0 = time.process_time_ns()
    t0 = now()
    for i in range(n):
        due[i] = now() + delays[i] * 1000
        handles[i] = call_later(delays_s[i], cb, i)
    for i in range(3, n, 4):
        handles[i].cancel()
    t_sched = now()
    loop.run_forever()
    t1 = now()
    cpu1 = time.process_time_ns()
    loop.close()

    late, run_late, early = [], [], 0
    cancelled_fired = missing = twice = 0
    for i in range(n):
        if i % 4 == 3:
            cancelled_fired += fired_count[i] > 0
            continue
        if fired_count[i] == 0:
            missing += 1
            continue
        twice += fired_count[i] > 1
        ms = (fired[i] - due[i]) / 1e6
        late.append(ms)
        early += ms < 0
        if due[i] >= t_sched:
            run_late.append(ms)
    p50, p99, mx, mn = distribution(late)
    rp50, rp99, rmx, _ = distribution(run_late)
    rec["ns_per_op"] = (t1 - t0) / n
    rec.update(p50=p50, p99=p99, max=mx)
    rec["extra"].update(
        unit="ms", min_late_ms=mn, run_p50_ms=rp50, run_p99_ms=rp99, run_max_ms=rmx,
        run_n=len(run_late), fired=len(late), cancelled=n // 4, early=early,
        schedule_s=(t_sched - t0) / 1e9, run_s=(t1 - t_sched) / 1e9,
        cpu_ns_per_op=(cpu1 - cpu0) / n,
        floor_ns_per_op=(max(due) - t0) / n)
    if cancelled_fired or missing or twice:
        raise CheckFailed(f"{cancelled_fired} cancelled timers fired, {missing} never fired, "
                          f"{twice} fired twice")


def w3_tasks(system, n, rec):
    """W3: inside a running loop, N tasks child(i) (await sleep(0); return
    i) spawned, then gathered."""
    import asyncio
    loop = make_loop(system)

    async def child(i):
        await asyncio.sleep(0)
        return i

    async def main():
        t0 = now()
        tasks = [loop.create_task(child(i)) for i in range(n)]
        t_spawned = now()
        results = await asyncio.gather(*tasks)
        t1 = now()
        return t0, t_spawned, t1, sum(results)

    t0, t_spawned, t1, total = loop.run_until_complete(main())
    loop.close()
    if total != n * (n - 1) // 2:
        raise CheckFailed(f"sum of results {total}, not {n * (n - 1) // 2}")
    rec["ns_per_op"] = (t1 - t0) / n
    rec["extra"].update(spawn_s=(t_spawned - t0) / 1e9,
                        mechanism="loop.create_task(child(i)); asyncio.gather")


def w5_threadsafe(system, n, rec):
    """W5: a worker thread, started from inside the running loop, posts N
    call_soon_threadsafe(cb) as fast as it can; the N-th stops the loop."""
    loop = make_loop(system)
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    def worker():
        post = loop.call_soon_threadsafe
        for _ in range(n):
            post(cb)

    thread = threading.Thread(target=worker)
    t0 = now()
    loop.call_soon(thread.start)
    loop.run_forever()
    t1 = now()
    thread.join()
    loop.close()
    if count != n:
        raise CheckFailed(f"{count} callbacks ran, not {n}")
    rec["ns_per_op"] = (t1 - t0) / n
    rec["extra"]["worker_started"] = "inside the running loop"


def w5_lat(system, n, rec):
    """W5-lat: the worker posts N callbacks 100 us apart (absolute
    deadlines); each records now - t_post."""
    loop = make_loop(system)
    lat_ns = []

    def cb(t_post):
        lat_ns.append(now() - t_post)
        if len(lat_ns) == n:
            loop.stop()

    def worker():
        post = loop.call_soon_threadsafe
        deadline = now()
        for _ in range(n):
            deadline += W5_LAT_INTERVAL_NS
            remaining = deadline - now()
            if remaining > 0:
                time.sleep(remaining / 1e9)
            post(cb, now())

    thread = threading.Thread(target=worker)
    loop.call_soon(thread.start)
    loop.run_forever()
    thread.join()
    loop.close()
    us = [v / 1e3 for v in lat_ns]
    p50, p99, mx, mn = distribution(us)
    rec.update(p50=p50, p99=p99, max=mx, ns_per_op=sum(lat_ns) / len(lat_ns))
    rec["extra"].update(unit="us", min_us=mn, mean_us=sum(us) / len(us),
                        interval_us=W5_LAT_INTERVAL_NS / 1e3,
                        ns_per_op_is="mean wake-up latency (post to callback), ns",
                        worker_started="inside the running loop")


def _w6_job(x):
    return x + 1


def w6_executor(system, n, rec):
    """W6: run_in_executor on a ThreadPoolExecutor(4), batches of 1,000
    awaited with gather, after an untimed warm-up of 8 jobs."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    loop = make_loop(system)
    executor = ThreadPoolExecutor(W6_WORKERS)

    async def main():
        # The warm-up jobs sleep, so that every worker gets started.
        await asyncio.gather(*[loop.run_in_executor(executor, time.sleep, 0.002)
                               for _ in range(8)])
        workers = len(executor._threads)
        total = 0
        t0 = now()
        for base in range(0, n, W6_BATCH):
            futures = [loop.run_in_executor(executor, _w6_job, x)
                       for x in range(base, min(base + W6_BATCH, n))]
            total += sum(await asyncio.gather(*futures))
        t1 = now()
        return t0, t1, total, workers

    t0, t1, total, workers = loop.run_until_complete(main())
    executor.shutdown()
    loop.close()
    if total != n * (n - 1) // 2 + n:
        raise CheckFailed(f"sum {total}, not {n * (n - 1) // 2 + n}")
    rec["ns_per_op"] = (t1 - t0) / n
    rec["extra"].update(workers=workers, batch=W6_BATCH,
                        mechanism="loop.run_in_executor(ThreadPoolExecutor(4)); asyncio.gather per batch")


def w8_frames(system, n, rec):
    """W8: a GTK 4 window whose progress bar is animated from a tick
    callback, beside n tasks looping on await asyncio.sleep(0); 1 s warm-up,
    5 s measured. The loop's run_until_complete drives GTK (both loops run
    on GLib's default context). W8-idle: the same with no spinners."""
    import asyncio
    os.environ.setdefault("GSK_RENDERER", "cairo")   # no GL under Xvfb
    import gi
    gi.require_version("Gtk", "4.0")
    from gi.repository import GLib, Gtk
    if not Gtk.init_check():
        raise RuntimeError(f"Gtk.init_check failed (DISPLAY={os.environ.get('DISPLAY')})")

    loop = make_loop(system)
    window = Gtk.Window()
    window.set_default_size(400, 60)
    bar = Gtk.ProgressBar()
    window.set_child(bar)
    ticks = []

    def tick(widget, clock):
        t = now()
        ticks.append(t)
        bar.set_fraction((t / 1e9) % 1.0)
        return GLib.SOURCE_CONTINUE

    bar.add_tick_callback(tick)
    window.present()

    state = {"stop": False, "steps": 0, "t_start": 0, "t_end": 0,
             "steps_start": 0, "steps_end": 0}
    done = loop.create_future()

    async def spinner():
        while not state["stop"]:
            await asyncio.sleep(0)
            state["steps"] += 1

    # The measuring marks are GLib timeouts at G_PRIORITY_HIGH, as in the
    # C bench: instruments outside the loop being measured.
    def mark_start():
        state["t_start"] = now()
        state["steps_start"] = state["steps"]
        return GLib.SOURCE_REMOVE

    def mark_end():
        state["t_end"] = now()
        state["steps_end"] = state["steps"]
        state["stop"] = True
        if not done.done():
            done.set_result(None)
        return GLib.SOURCE_REMOVE

    async def main():
        spinners = [loop.create_task(spinner()) for _ in range(n)]
        await done
        await asyncio.gather(*spinners)

    GLib.timeout_add(int(W8_WARMUP_S * 1000), mark_start, priority=GLib.PRIORITY_HIGH)
    GLib.timeout_add(int((W8_WARMUP_S + W8_MEASURE_S) * 1000), mark_end,
                     priority=GLib.PRIORITY_HIGH)
    loop.run_until_complete(main())
    window.destroy()
    loop.close()

    t_start, t_end = state["t_start"], state["t_end"]
    window_s = (t_end - t_start) / 1e9
    inside = [t for t in ticks if t_start <= t <= t_end]
    gaps = [(b - a) / 1e6 for a, b in zip(inside, inside[1:])]
    # BENCH.md: the gaps before the first and after the last tick count
    # toward max; with no tick at all, max is the whole window.
    if inside:
        edge_max = max(inside[0] - t_start, t_end - inside[-1]) / 1e6
    else:
        edge_max = window_s * 1e3
    p50, p99, mx, _ = distribution(gaps)
    steps = state["steps_end"] - state["steps_start"]
    rec.update(p50=p50, p99=p99, max=max(mx, edge_max) if mx is not None else edge_max)
    rec["extra"].update(
        unit="ms", frames=len(inside), fps=len(inside) / window_s, window_s=window_s,
        spinners=n, spinner_steps_per_s=steps / window_s,
        renderer=os.environ.get("GSK_RENDERER", "default"),
        under_xvfb_run="GTKLOOP_BENCH_UNDER_XVFB" in os.environ,
        mechanism="loop.create_task spinners looping await asyncio.sleep(0); "
                  "loop.run_until_complete drives GTK on the default context")
    if n > 0 and steps > 0:
        rec["ns_per_op"] = window_s * 1e9 / steps
        rec["extra"]["ns_per_op_is"] = "wall ns per spinner step during the measured 5 s"
    else:
        rec["extra"]["ns_per_op_is"] = ("null: no spinners" if n == 0
                                        else "null: no spinner step in the measured 5 s")


RUNNERS = {
    "W1": w1_call_soon,
    "W2": w2_timers,
    "W3": w3_tasks,
    "W5": w5_threadsafe,
    "W5-lat": w5_lat,
    "W6": w6_executor,
    "W8": w8_frames,
    "W8-idle": w8_frames,
}


def applicable(system, workload):
    return not workload.startswith("W8") or system in GTK_SYSTEMS


# ---------------------------------------------------------------------------
# Records

def new_record(system, workload, n, meta):
    return {"system": system, "workload": workload, "n": n,
            "ns_per_op": None, "p50": None, "p99": None, "max": None,
            "peak_rss_kb": 0, "notes": "", "extra": dict(meta)}


def record_meta(run_id, rep, build):
    return {"run_id": run_id, "rep": rep,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "loadavg": loadavg(), "build": build,
            "python": os.path.realpath(sys.executable) + " " + sys.version.split()[0]}


class GcTimer:
    """The time CPython's cyclic garbage collector takes during the
    workload: with 10^5-10^6 live handles, tasks or futures a full
    collection walks them all, and it costs every loop alike."""

    def __init__(self):
        self.ns = 0
        self.collections = [0, 0, 0]
        self._start = 0

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.ns += time.perf_counter_ns() - self._start
            self.collections[info["generation"]] += 1


def child_main(system, workload, n, run_id, rep, build):
    """One measurement: prints its record and exits 0, or lets the error
    out (the parent writes the FAILED record)."""
    # What every system imports, before the baseline: the workload's own
    # setup is then all that peak_rss_kb adds to rss_base_kb.
    import asyncio  # noqa: F401
    if system == "gbulb":
        import gbulb  # noqa: F401
    version = system_version(system)
    rec = new_record(system, workload, n, record_meta(run_id, rep, build))
    rec["extra"]["version"] = version
    if system == "gtkloop-python":
        # Which package: the build tree's, or one installed on sys.path.
        import gtkloop
        rec["extra"]["module"] = os.path.dirname(gtkloop.__file__)
    rec["extra"]["rss_base_kb"] = rss_kb()
    gc.collect()
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    try:
        RUNNERS[workload](system, n, rec)
    except CheckFailed as exc:
        rec["ns_per_op"] = None
        rec["notes"] = f"FAILED (check): {exc}"
    ru = resource.getrusage(resource.RUSAGE_SELF)
    gc.callbacks.remove(gc_timer)
    # Setup included (W2's delay table, W8's window), as cpu_user_s.
    rec["extra"].update(gc_s=gc_timer.ns / 1e9, gc_collections=gc_timer.collections)
    rec["extra"].update(minflt=ru.ru_minflt - ru0.ru_minflt,
                        cpu_user_s=ru.ru_utime - ru0.ru_utime,
                        cpu_sys_s=ru.ru_stime - ru0.ru_stime)
    rec["peak_rss_kb"] = ru.ru_maxrss
    print(json.dumps(rec), flush=True)
    # Skip the interpreter's teardown: 10^6 leftover objects, GLib sources
    # and threads are not the measurement's business.
    sys.stdout.flush()
    os._exit(0)


# ---------------------------------------------------------------------------
# Parent: one child per measurement

def gtkloop_build():
    """The meson build type of the gtkloop package that would be imported
    (read from its build tree's meson-info), or "?"."""
    import importlib.util
    try:
        spec = importlib.util.find_spec("gtkloop")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "?"
    info = os.path.join(os.path.dirname(spec.origin), "..", "..", "meson-info",
                        "intro-buildoptions.json")
    try:
        with open(info) as f:
            for opt in json.load(f):
                if opt["name"] == "buildtype":
                    return opt["value"]
    except (OSError, ValueError, KeyError):
        pass
    return "installed"


def child_command(system, workload, n, run_id, rep, build):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", system, workload, str(n),
           "--run-id", run_id, "--rep", str(rep), "--build", build]
    env = dict(os.environ)
    if workload.startswith("W8"):
        env.update(GSK_RENDERER="cairo", GTK_USE_PORTAL="0", GSETTINGS_BACKEND="memory")
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env["GTKLOOP_BENCH_UNDER_XVFB"] = "1"
            cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] + cmd
    return cmd, env


def run_child(system, workload, n, run_id, rep, build, timeout_s):
    meta = record_meta(run_id, rep, build)
    cmd, env = child_command(system, workload, n, run_id, rep, build)
    busy0, wall0 = machine_busy_s(), now()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)
    why = None
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        why = f"timed out after {timeout_s} s"
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        why = "interrupted"
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall_s = (now() - wall0) / 1e9
    # What else the machine ran meanwhile, in CPUs (1.0: a whole core); the
    # child's CPU (with xvfb-run's Xvfb for W8) is taken out.
    child_cpu = (ru.ru_utime - ru0.ru_utime) + (ru.ru_stime - ru0.ru_stime)
    others = max((machine_busy_s() - busy0 - child_cpu) / wall_s, 0.0)
    if err:
        sys.stderr.write(err)
    line = next((l for l in out.splitlines() if l.startswith("{")), None)
    if why is None and proc.returncode != 0:
        why = (f"killed by signal {-proc.returncode}" if proc.returncode < 0
               else f"exit status {proc.returncode}")
    if why is None and line is None:
        why = "no record printed"
    if why is not None:
        rec = new_record(system, workload, n, meta)
        tail = " | ".join(err.strip().splitlines())[-400:]
        rec["notes"] = f"FAILED ({why}): {tail}"
    else:
        rec = json.loads(line)
    rec["extra"]["others_cpu"] = others
    print(json.dumps(rec), flush=True)
    return why != "interrupted"


def parse_list(text, known, aliases=None):
    chosen = []
    for name in text.split(","):
        name = (aliases or {}).get(name, name)
        if name in known and name not in chosen:
            chosen.append(name)
    return chosen


def plan(args):
    """The (workload, system) pairs of one repetition. Names this bench
    does not have are ignored (run-all.sh passes gtkloop-bench's lists)."""
    workloads = list(WORKLOADS) if args.workload is None else \
        parse_list(",".join(args.workload), WORKLOADS)
    systems = list(SYSTEMS) if args.system is None else \
        parse_list(",".join(args.system), SYSTEMS, SYSTEM_ALIASES)
    return [(w, s) for w in workloads for s in systems if applicable(s, w)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", action="append",
                        help="comma-separated: " + ",".join(WORKLOADS))
    parser.add_argument("--system", action="append",
                        help="comma-separated: " + ",".join(SYSTEMS) +
                        " (gtkloop means gtkloop-python)")
    parser.add_argument("--n", type=int, help="overrides BENCH.md's N for every workload")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=300, help="per measurement, seconds")
    parser.add_argument("--list", action="store_true", help="print the plan and exit")
    parser.add_argument("--child", nargs=3, metavar=("SYSTEM", "WORKLOAD", "N"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--run-id", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rep", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--build", default="?", help=argparse.SUPPRESS)
    args, _ignored = parser.parse_known_args()

    if args.child:
        system, workload, n = args.child
        child_main(system, workload, int(n), args.run_id, args.rep, args.build)
        return

    pairs = plan(args)
    if args.list:
        for w, s in pairs:
            print(f"{w} {s}")
        return
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-py-") + uuid.uuid4().hex[:6]
    build = gtkloop_build()
    for rep in range(args.repeat):
        for w, s in pairs:
            n = WORKLOADS[w] if args.n is None or w == "W8-idle" else args.n
            print(f"bench_loops: rep {rep} {w} {s} n={n}", file=sys.stderr, flush=True)
            if not run_child(s, w, n, run_id, rep, build, args.timeout):
                return


if __name__ == "__main__":
    main()
