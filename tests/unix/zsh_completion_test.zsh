#!/usr/bin/env zsh -f
# The generated zsh completion: its syntax (zsh -n), then what TAB does to a command line in a real
# interactive zsh (under zsh/zpty, with compinit and the file on $fpath), read back from a widget.
#   zsh -f zsh_completion_test.zsh build/unix/_llmsize
emulate -L zsh
script=$1
zsh -n $script || { print "FAIL: zsh -n $script"; exit 1 }

zmodload zsh/zpty || exit 1
dir=$(mktemp -d) || exit 1
trap 'zpty -d shell 2>/dev/null; rm -rf $dir' EXIT
cp $script $dir/_llmsize

zpty shell zsh -f -i
# The buffer after TAB is written to a file by a widget on ^X, so nothing depends on screen output.
zpty -w shell "PS1=''; fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -d $dir/zcompdump"
zpty -w shell "dump() { print -r -- \"<\$BUFFER>\" >| $dir/buffer; BUFFER=''; }; zle -N dump; bindkey '^X' dump"
zpty -w shell "setopt nobeep; zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"

failures=0
# expect LINE WANT: typing LINE then TAB leaves WANT in the buffer.
expect() {
    local line=$1 want=$2 got='' waited=0
    rm -f $dir/buffer
    zpty -w -n shell "$line"$'\t'$'\x18'
    while [[ ! -s $dir/buffer ]] && (( waited < 200 )); do
        sleep 0.05
        (( waited++ ))
    done
    [[ -s $dir/buffer ]] && got=$(<$dir/buffer)
    if [[ $got != "<$want>" ]]; then
        print -r -- "FAIL: '$line<TAB>': got '$got', want '<$want>'"
        (( failures++ ))
    fi
}

expect 'llmsize che' 'llmsize check '
expect 'llmsize catalog calib' 'llmsize catalog calibration '
expect 'llmsize check --gpu rtx3090t' 'llmsize check --gpu rtx-3090-ti '
expect 'llmsize check --gpu 2xrtx-4090-l' 'llmsize check --gpu 2xrtx-4090-laptop '
expect 'llmsize check --quant Q4_K_' 'llmsize check --quant q4-k-'
expect 'llmsize recommend --sort che' 'llmsize recommend --sort cheapest '
expect 'llmsize probe --dr' 'llmsize probe --dry-run '
expect 'llmsize models --gpu check --min-c' 'llmsize models --gpu check --min-context '
expect 'llmsize catalog validate --exp' 'llmsize catalog validate --explain '
expect 'llmsize check --gpu 309' 'llmsize check --gpu rtx-3090'
expect 'llmsize check --system m4_max_4' 'llmsize check --system apple-m4-max-40c '
touch $dir/model.gguf
expect "llmsize inspect $dir/mod" "llmsize inspect $dir/model.gguf "
expect "llmsize check --model $dir/mod" "llmsize check --model $dir/model.gguf "

if (( failures )); then
    print "$failures zsh completion case(s) failed"
    exit 1
fi
print "all zsh completion cases pass"
