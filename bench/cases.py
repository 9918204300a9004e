#!/usr/bin/env python3
"""Prediction accuracy per configuration case (issue 13): every benchmark row of data/ predicted as
`llmsize check` predicts it, with the row's configuration given as flags, scored on the held-back rows.

Usage: bench/cases.py [path/to/llmsize] [--all]
Prints a markdown table: case, test, rows, median |error|, p90 |error|, share of measurements inside the
printed band; then how many rows could be predicted at all. --all scores every row (fit rows included).
Run it before and after a change to the speed model: it is the table docs/calibration.md records.
"""
import json
import os
import subprocess
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
BINARY = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "build", "llmsize")
WANT = "all" if "--all" in sys.argv else "holdout"

doc = json.loads(subprocess.run([BINARY, "catalog", "calibration", "--cases", "--rows", "--json"],
                                check=True, capture_output=True, text=True).stdout)
result = doc["result"]
print(f"| case | test | n | median abs. error | p90 | inside band |  ({WANT} rows)")
print("|---|---|---:|---:|---:|---:|")
for c in result["cases"]:
    if c["set"] != WANT:
        continue
    print(f"| {c['case']} | {c['test']} | {c['rows']} | {c['median_abs_pct']:.1f}% | {c['p90_abs_pct']:.1f}% | "
          f"{100 * c['within_band_share']:.0f}% |")
order = result["ordering"]
print(f"\nDevice order: {100 * order['agree_share']:.0f}% of {order['pairs']} pairs (same model, quant, test and "
      "configuration; measured more than 5% apart) predicted in the measured order")
rows = result["rows"]
predicted = sum(1 for r in rows if r["predicted_tokens_per_s"] is not None)
why = {}
for r in rows:
    if r["predicted_tokens_per_s"] is None:
        reason = r["why_not"].split(";")[0][:70]
        why[reason] = why.get(reason, 0) + 1
print(f"\n{predicted} of {len(rows)} rows predicted ({100 * predicted / len(rows):.0f}%); the others:")
for reason, n in sorted(why.items(), key=lambda kv: -kv[1]):
    print(f"- {n}: {reason}")
