#!/usr/bin/env bash
# The generated bash completion, driven as bash drives it: COMP_WORDS/COMP_CWORD in, COMPREPLY out.
#   bash_completion_test.sh build/unix/llmsize.bash
set -uo pipefail
source "$1" || exit 1
failures=0

# complete WORD... : the candidates for the last word of `llmsize WORD...`, sorted, one line.
complete_line() {
    COMP_WORDS=(llmsize "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _llmsize
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
    local want=$1
    shift
    local got
    got=$(complete_line "$@")
    if [[ $got != "$want" ]]; then
        echo "FAIL: llmsize $*<TAB>: got '$got', want '$want'"
        failures=$((failures + 1))
    fi
}

# Commands and subcommands.
expect "check" che
expect "calibrate catalog" ca
expect "calibration" catalog calib
expect "show stats" --json catalog s
# Catalog ids (data/*.json): by id or alias prefix, offered as the id; a count before a GPU kept.
expect "rtx-3090 rtx-3090-ti" check --gpu 309
expect "rtx-3090-ti" check --gpu rtx3090t
expect "2xrtx-3090 2xrtx-3090-ti" check --gpu 2x309
# bash splits --gpu=4090 at the '=' (COMP_WORDBREAKS) into three words.
expect "rtx-4090 rtx-4090-d rtx-4090-laptop" check --gpu = 4090
expect "q4-k-m q4-k-s" check --model 8b --quant q4_k_
expect "apple-m4-max-32c apple-m4-max-40c" check --system m4-ma
expect "apple-m4-max-40c" check --system M4_Max_4
expect "ryzen-9-7950x" check --cpu 7950
expect "llama-3.1-70b" check --model llama-3.1-70
# Choices and flags: the command's own and the global ones after it.
expect "always auto" recommend --color a
expect "cpu gpu system" recommend --kind ""
expect "cpu gpu link ram storage system" hardware --kind ""
expect "--catalog --channels --color --context --cpu --cpu-moe --csv --ctk --ctv --currency" check --c
expect "--dry-run" probe --dr
# A flag's value is skipped when finding the command: "check" is --model's value, not a command.
expect "--min-context --min-params" models --gpu check --min-
# Files where the command takes them.
dir=$(mktemp -d)
touch "$dir/a.gguf" "$dir/b.json"
expect "$dir/a.gguf" inspect "$dir/a"
expect "$dir/b.json" check --model "$dir/b"
expect "$dir/b.json" catalog validate "$dir/b"
rm -r "$dir"

if ((failures)); then
    echo "$failures bash completion case(s) failed"
    exit 1
fi
echo "all bash completion cases pass"
