#!/usr/bin/env python3
"""Whole-process wall time and peak memory of llmsize commands (issue: under 50 ms and 30 MB on 2 cores).

Usage: bench/run.py [path/to/llmsize] [repetitions]
Runs each command `repetitions` times (default 20) and prints the median and worst wall time and the
peak resident set size (ru_maxrss of the child), as a markdown table.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "build", "llmsize")
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 20

CASES = [
    ("recommend, full catalog", ["recommend", "--model", "30b", "--quant", "q4_k_m"]),
    ("recommend 70B, JSON", ["recommend", "--model", "70b", "--json"]),
    ("recommend DeepSeek-R1 (MoE, 671B)", ["recommend", "--model", "deepseek-r1", "--quant", "q4_k_m"]),
    ("check 2x3090 70B", ["check", "--gpu", "2x3090", "--model", "70b", "--quant", "q4_k_m"]),
    ("check offload, Qwen3-235B on a 4090", ["check", "--gpu", "4090", "--model", "qwen3-235b-a22b", "--ram", "192GB"]),
    ("models --gpu 3090", ["models", "--gpu", "3090"]),
]


def measure(args):
    walls = []
    peak_kib = 0
    for _ in range(REPS):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(BINARY, [BINARY] + args)
        _, status, usage = os.wait4(pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        peak_kib = max(peak_kib, usage.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{args} exited {code}")
    return statistics.median(walls), max(walls), peak_kib / 1024


def main():
    print(f"binary: {os.path.realpath(BINARY)}, {REPS} runs each, {os.cpu_count()} cores\n")
    print("| command | median wall [ms] | worst wall [ms] | peak RSS [MiB] |")
    print("|---|---|---|---|")
    for name, args in CASES:
        median, worst, rss = measure(args)
        print(f"| {name} | {median:.1f} | {worst:.1f} | {rss:.1f} |")


if __name__ == "__main__":
    main()
