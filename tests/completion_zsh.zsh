#!/usr/bin/env zsh
# Runs zsh's completion for real, in an interactive zsh on a pseudo-terminal (zpty), and checks
# what it lists. Called by tests/completion_test.sh when zsh is installed.
#   completion_zsh.zsh ZSH_DIR BIN_DIR... < cases
# Each case is a line "COMMAND LINE|WORD WORD ...": the command line is typed, TAB lists the
# choices (list-choices: the line is not changed), and every WORD must be among them; an
# _arguments error (an invalid option spec, say) fails every case that reaches it.
# Prints "FAIL: ..." per failed case, and exits 1 when one failed.
zmodload zsh/zpty || { print "zsh/zpty is not available"; exit 2 }
compdir=$1
shift
PATH=${(j.:.)@}:$PATH
zpty -b z "env -i TERM=dumb HOME=${(q)TMPDIR:-/tmp} PATH=${(q)PATH} zsh -f -i"
zpty -w z "PS1='%% '; fpath=(${(q)compdir} \$fpath); autoload -U compinit; compinit -u -D;" \
    "unsetopt listambiguous; LISTMAX=10000; zstyle ':completion:*' list-separator ''; zstyle ':completion:*' menu no;" \
    "bindkey '^I' list-choices; print REA''DY"
read_all() {  # everything the shell prints until it has been quiet for 0.3 s
    local chunk
    out=""
    while zpty -r -t z chunk || { sleep 0.3; zpty -r -t z chunk }; do out+=$chunk; done
}
out=""
integer tries=0
while [[ $out != *READY* ]] && ((tries++ < 50)); do sleep 0.1; read_all; done
[[ $out == *READY* ]] || { print "FAIL: zsh did not start: $out"; exit 1 }

integer failed=0 n=0
while IFS='|' read -r line want; do
    [[ -n $line ]] || continue
    n+=1
    zpty -w -n z "$line"$'\t'
    read_all
    zpty -w -n z $'\C-u'  # clear the line for the next case
    read_all_after=$out
    read_all
    out=${read_all_after//$'\r'/}
    local -a missing=()
    for w in ${=want}; do
        [[ $out =~ "(^|[[:space:]])${w}([[:space:]]|$)" ]] || missing+=$w
    done
    if [[ $out == *(_arguments|_describe|invalid\ option|command\ not\ found)* ]]; then
        print -r -- "FAIL: zsh: '$line<TAB>' failed: ${out//$'\n'/ }"
        failed+=1
    elif ((${#missing})); then
        print -r -- "FAIL: zsh: '$line<TAB>' does not list: $missing"
        print -r -- "  (it listed: ${out//$'\n'/ })"
        failed+=1
    fi
done
zpty -d z
print "zsh completion: $((n - failed)) of $n cases passed"
((failed == 0))
