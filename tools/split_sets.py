#!/usr/bin/env python3
"""Assign every benchmark row of data/ to the fit or the held-back half by one fixed rule (issue 13).

Usage: tools/split_sets.py [path/to/llmsize] [--check]

Rows are grouped by device, backend, configuration case and test (prefill or decode), the case as
`llmsize catalog calibration --cases` names it (one GPU dense, MoE experts in RAM, depth, split layer, …,
the engine included). Within a group, rows sorted by id alternate fit / held back; the group's first row
goes to the half given by the parity of the MD5 of its key, so one-row groups split evenly. The rule looks at
nothing but ids and configurations, never at a prediction: every device with two rows of a case has one in
each half, so a device class can be fitted on the devices whose held-back rows score it.
--check exits 1 when a row's "set" differs from the rule (CI keeps new rows on it); without it, the files
are rewritten in place.
"""
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FILES = [os.path.join(ROOT, "data", f) for f in ("benchmarks.json", "benchmarks-configs.json")]
args = [a for a in sys.argv[1:] if not a.startswith("--")]
BINARY = args[0] if args else os.path.join(ROOT, "build", "llmsize")

doc = json.loads(subprocess.run([BINARY, "catalog", "calibration", "--cases", "--rows", "--json"],
                                check=True, capture_output=True, text=True).stdout)
case_of = {r["id"]: r["case"] for r in doc["result"]["rows"]}

docs = {f: json.load(open(f)) for f in FILES}
groups = {}
for f, d in docs.items():
    for row in d["benchmarks"]:
        test = "decode" if row["test"].startswith("tg") else "prefill"
        key = (row["hardware"], row["backend"], case_of.get(row["id"], "?"), test)
        groups.setdefault(key, []).append(row)

want = {}
for key, rows in groups.items():
    first = int(hashlib.md5("|".join(key).encode()).hexdigest(), 16) % 2
    for i, row in enumerate(sorted(rows, key=lambda r: r["id"])):
        want[row["id"]] = "fit" if (i + first) % 2 == 0 else "holdout"

changed = sum(1 for d in docs.values() for r in d["benchmarks"] if r["set"] != want[r["id"]])
if "--check" in sys.argv:
    if changed:
        print(f"{changed} rows are not in the half tools/split_sets.py assigns; run it to re-split", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
for f, d in docs.items():
    for r in d["benchmarks"]:
        r["set"] = want[r["id"]]
    with open(f, "w") as out:
        json.dump(d, out, indent=2, ensure_ascii=False)
        out.write("\n")
print(f"{changed} rows moved; {sum(1 for s in want.values() if s == 'fit')} fit, "
      f"{sum(1 for s in want.values() if s == 'holdout')} held back")
