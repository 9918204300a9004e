#!/usr/bin/env bash
# The generated man page renders without a single groff warning (-ww: all of them), and man(1) shows it.
#   man_page_test.sh GROFF build/unix/llmsize.1 [MAN]
set -uo pipefail
groff=$1
page=$2
man=${3:-}
warnings=$("$groff" -man -Tutf8 -ww -z "$page" 2>&1)
if [[ -n $warnings ]]; then
    echo "FAIL: groff warns about $page:"
    echo "$warnings"
    exit 1
fi
text=$("$groff" -man -Tutf8 -ww "$page" 2>/dev/null | sed 's/.\x08//g' | tr -s ' ')
for want in "llmsize - what hardware" "llmsize check" "--gpu, -g [Nx]GPU ..." "EXIT STATUS"; do
    if [[ $text != *"$want"* ]]; then
        echo "FAIL: the rendered page lacks '$want'"
        exit 1
    fi
done
if [[ -n $man ]]; then
    man_warnings=$(MANWIDTH=100 "$man" --warnings -l "$page" 2>&1 >/dev/null)
    shown=$(MANWIDTH=100 "$man" -l "$page" 2>/dev/null | sed 's/.\x08//g')
    if [[ -n $man_warnings || $shown != *"llmsize recommend"* ]]; then
        echo "FAIL: man -l $page:"
        echo "$man_warnings"
        exit 1
    fi
fi
echo "the man page renders cleanly"
