"""Busy neighbours for the speed benchmarks: run a measurement on an idle machine and again while
N background processes keep CPU cores busy, in one run, and print both side by side.

In a classroom JupyterHub many kernels share a machine, so "how fast" has two answers. Any
benchmark can reuse this (the convolution one does; the LSTM one of Unit III can):

    from busy import busy_count, idle_and_busy, print_side_by_side

    n_busy = busy_count(__doc__)                 # the --busy N of the command line (0: idle only)
    results = idle_and_busy(measure, n_busy)     # measure() -> {row name: (ours_s, reference_s)}
    print_side_by_side(results, n_busy, ours="NumPy", reference="TF")

Each neighbour is a separate Python process spinning on one core. Every neighbour stops by
itself after ``max_seconds`` even if this process is killed, and :func:`busy_neighbours` stops
them (terminate, then kill) as soon as its ``with`` block ends, also on errors and Ctrl-C.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

#: What each neighbour runs: a pure-Python spin loop with its own deadline (argv[1] seconds).
_SPIN = ("import sys, time\n"
         "end = time.monotonic() + float(sys.argv[1])\n"
         "n = 0\n"
         "while time.monotonic() < end:\n"
         "    n += 1\n")


def busy_count(doc: str, argv=None) -> int:
    """The benchmark's command line: ``--busy N`` (default 0), N ≥ 0 busy neighbour processes.

    Args:
        doc: the benchmark's module docstring (its first line is the ``--help`` description).
        argv: the arguments (None: ``sys.argv[1:]``).

    Returns:
        N; a negative N stops the script with a usage message.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="also measure with N busy background processes and print both side by side")
    args = parser.parse_args(argv)
    if args.busy < 0:
        parser.error(f"--busy must be a non-negative number of processes; got {args.busy}.")
    return args.busy


@contextlib.contextmanager
def busy_neighbours(n, max_seconds=180.0):
    """Keep ``n`` CPU cores busy with background processes for the duration of the ``with`` block.

    Args:
        n: number of busy processes (0: do nothing).
        max_seconds: each process ends by itself after this long, whatever happens here.

    Yields:
        The list of ``subprocess.Popen`` objects (their pids, for logs).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int for busy_neighbours; got {n!r}. Pass e.g. n=2.")
    procs = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen([sys.executable, "-c", _SPIN, str(float(max_seconds))],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        time.sleep(0.5 if n else 0.0)                 # let them start spinning before measuring
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 5.0
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def idle_and_busy(measure, n_busy, max_seconds=180.0):
    """Call ``measure()`` once idle and once with ``n_busy`` busy neighbours.

    Args:
        measure: function returning ``{row name: (ours_seconds, reference_seconds)}``.
        n_busy: number of busy neighbours for the second measurement.
        max_seconds: time bound of each neighbour.

    Returns:
        ``{"idle": measure(), "busy": measure()}``.
    """
    idle = measure()
    with busy_neighbours(n_busy, max_seconds):
        busy = measure()
    return {"idle": idle, "busy": busy}


def median_time(fn, repeat=15, warmup=2):
    """The median wall time of ``fn()`` over ``repeat`` calls, after ``warmup`` untimed calls (seconds)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def load_line() -> str:
    """The machine's 1-minute load average and core count, for the record."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on every platform
        return f"{os.cpu_count()} cores"
    return f"{os.cpu_count()} cores, load average {load:.2f}"


def print_side_by_side(results, n_busy, ours="NumPy", reference="TF", goals=None):
    """Print each row's times and ratio (ours / reference), idle and busy, from the same run.

    Args:
        results: what :func:`idle_and_busy` returns.
        n_busy: number of busy neighbours used.
        ours, reference: column labels.
        goals: optional ``{row name: (idle goal, busy goal)}`` ratios to print beside the numbers (None: no goal).
    """
    goals = goals or {}
    busy_label = f"{n_busy} busy neighbour{'s' if n_busy != 1 else ''}"
    print(f"{'':10}{'idle':^40}|{busy_label:^40}")
    for row, (o_idle, r_idle) in results["idle"].items():
        o_busy, r_busy = results["busy"][row]
        cells = []
        for o, r in ((o_idle, r_idle), (o_busy, r_busy)):
            cells.append(f" {ours} {o * 1e3:7.2f} ms {reference} {r * 1e3:7.2f} ms {o / r:5.2f}× ")
        goal = goals.get(row)
        parts = [f"<= {g}× {when}" for g, when in zip(goal or (), ("idle", "busy")) if g is not None]
        tail = f"  (goal {', '.join(parts)})" if parts else ""
        print(f"{row:10}{cells[0]:40}|{cells[1]:40}{tail}")
