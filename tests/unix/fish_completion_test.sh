#!/usr/bin/env bash
# The generated fish completion: its syntax (fish -n), then fish's own `complete -C` on command lines.
#   fish_completion_test.sh FISH build/unix/llmsize.fish
set -uo pipefail
fish=$1
script=$2
"$fish" -n "$script" || { echo "FAIL: fish -n $script"; exit 1; }
failures=0

# The candidates (without descriptions) fish offers for a command line, sorted, one line.
expect() {
    local want=$1 line=$2 got
    got=$("$fish" --no-config -c "source '$script'; complete -C '$line'" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//')
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$line<TAB>': got '$got', want '$want'"
        failures=$((failures + 1))
    fi
}

expect "check" "llmsize che"
expect "calibration" "llmsize catalog calib"
expect "rtx-3090 rtx-3090-ti" "llmsize check --gpu rtx-309"
expect "2xrtx-3090 2xrtx-3090-ti" "llmsize check --gpu 2xrtx-309"
expect "q4-k-m q4-k-s" "llmsize check --model 8b --quant q4-k-"
expect "always auto" "llmsize recommend --color a"
expect "--dry-run" "llmsize probe --dr"
expect "--min-context --min-params" "llmsize models --gpu check --min-"

if ((failures)); then
    echo "$failures fish completion case(s) failed"
    exit 1
fi
echo "all fish completion cases pass"
