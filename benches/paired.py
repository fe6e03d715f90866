#!/usr/bin/env python3
"""Paired wall-time ratio of two commands, for a noisy shared machine.

Usage: python3 benches/paired.py N -- COMMAND_A... -- COMMAND_B...

Runs A and B N times each, alternating which goes first, both with stdout
and stderr to /dev/null, and prints the median wall time of each and the
median (and 10th and 90th percentile) of A/B over the pairs: load that
comes and goes hits both runs of a pair alike. Standard library only.
"""
import os, sys, time, statistics
args = sys.argv[1:]; n = int(args[0]); rest = args[2:]
i = rest.index('--'); a, b = rest[:i], rest[i+1:]
devnull = os.open(os.devnull, os.O_WRONLY)
def run(cmd):
    t = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    os.waitpid(pid, 0)
    return time.perf_counter() - t
for _ in range(5): run(a); run(b)
ta, tb, r = [], [], []
for k in range(n):
    if k % 2: x = run(a); y = run(b)
    else: y = run(b); x = run(a)
    ta.append(x); tb.append(y); r.append(x / y)
q = statistics.quantiles(r, n=10)
print(f"pairs {n}: A median {statistics.median(ta)*1000:.2f} ms, B median {statistics.median(tb)*1000:.2f} ms, ratio median {statistics.median(r):.3f} (p10 {q[0]:.2f}, p90 {q[-1]:.2f})")
