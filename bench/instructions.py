#!/usr/bin/env python3
"""Instructions executed by llmsize commands, counted by callgrind (issue 16: `recommend --model 70b`
at most 30 M, `--version` at most 3 M; `models --gpu 3090` at most 400 M, docs/performance.md).

Usage: bench/instructions.py [path/to/llmsize] [--check] [--only SUBSTRING]
Runs each command once under `valgrind --tool=callgrind` and prints the whole process's instruction
count (the dynamic loader and static initialisers included) as a markdown table. Instruction counts do
not depend on the machine's load, so unlike wall time they compare across runs on a shared machine.
--check exits 1 when a command with a limit exceeds it. $LLMSIZE_CATALOG is cleared for the runs.
Needs valgrind (Debian package `valgrind`).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# (name, arguments, limit in instructions or None)
CASES = [
    ("--version", ["--version"], 3_000_000),
    ("--help", ["--help"], None),
    ("recommend --model 70b --json", ["recommend", "--model", "70b", "--json"], 30_000_000),
    ("recommend 30b q4_k_m", ["recommend", "--model", "30b", "--quant", "q4_k_m"], None),
    ("recommend deepseek-r1 q4_k_m (MoE, 671B)", ["recommend", "--model", "deepseek-r1", "--quant", "q4_k_m"], None),
    ("check 2x3090 70b q4_k_m", ["check", "--gpu", "2x3090", "--model", "70b", "--quant", "q4_k_m"], None),
    ("check offload, Qwen3-235B on a 4090", ["check", "--gpu", "4090", "--model", "qwen3-235b-a22b", "--ram", "192GB"], None),
    ("memory 8b", ["memory", "--model", "8b"], None),
    ("speed 8b on a 3090", ["speed", "--model", "8b", "--gpu", "3090"], None),
    ("models --gpu 3090", ["models", "--gpu", "3090"], 400_000_000),
    ("quants", ["quants"], None),
    ("catalog stats (JSON catalog and benchmark rows)", ["catalog", "stats"], None),
]


def instructions(binary, args):
    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        env = {k: v for k, v in os.environ.items() if k != "LLMSIZE_CATALOG"}
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", binary] + args,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, check=False)
        if run.returncode not in (0, 1):
            sys.exit(f"llmsize {' '.join(args)} exited {run.returncode}:\n{run.stderr}")
        match = re.search(r"Collected : (\d+)", run.stderr)
        if match is None:
            sys.exit(f"no instruction count in valgrind's output for {args}:\n{run.stderr}")
        return int(match.group(1))


def millions(n):
    return f"{n / 1e6:.1f} M"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default=os.path.join(HERE, "..", "build", "llmsize"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a command exceeds its limit")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    options = parser.parse_args()
    print(f"binary: {os.path.realpath(options.binary)}\n")
    print("| command | instructions | limit |")
    print("|---|---|---|")
    over = []
    for name, args, limit in CASES:
        if options.only not in name:
            continue
        count = instructions(options.binary, args)
        verdict = ""
        if limit is not None:
            verdict = f"{millions(limit)} {'ok' if count <= limit else 'OVER'}"
            if count > limit:
                over.append(name)
        print(f"| {name} | {millions(count)} | {verdict} |", flush=True)
    if options.check and over:
        sys.exit("over the limit: " + ", ".join(over))


if __name__ == "__main__":
    main()
