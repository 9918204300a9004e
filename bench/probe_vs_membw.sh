#!/usr/bin/env bash
# llmsize probe against an independent read-bandwidth measurement (membw.c, the oracle's), run
# back to back ROUNDS times, so both see the same moment of a machine whose bandwidth moves.
# Usage: bench/probe_vs_membw.sh [LLMSIZE_BINARY] [ROUNDS] [THREADS]
# Not a unit test: it takes ROUNDS × ~10 s and wants an otherwise idle machine.
set -euo pipefail
bin=${1:-build/llmsize}
rounds=${2:-3}
threads=${3:-$(nproc)}
membw_src=${MEMBW_SRC:-/work/shared/oracle/membw.c}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O3 -march=native -pthread "$membw_src" -o "$tmp/membw"
export XDG_CONFIG_HOME="$tmp/config"   # --dry-run stores nothing anyway; never touch the user's profile
echo "round,membw_read_best_of_8_gb_per_s,probe_median_gb_per_s,probe_best_gb_per_s,probe_over_membw"
for i in $(seq 1 "$rounds"); do
  m=$("$tmp/membw" 1024 "$threads" | sed -n "s/^threads=$threads test=read GB\/s=\([0-9.]*\)$/\1/p")
  p=$("$bin" probe --threads "$threads" --dry-run --json)
  med=$(printf '%s' "$p" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["result"]["read_gb_per_s"],2))')
  best=$(printf '%s' "$p" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["result"]["best_gb_per_s"],2))')
  echo "$i,$m,$med,$best,$(python3 -c "print(round($med/$m,3))")"
done
