#!/usr/bin/env bash
# Checks the shell completions against the programs' own --help, so a new subcommand, option or
# option value that the completions miss (or one they offer that no longer exists) fails here.
#   tests/completion_test.sh BASH_DIR ZSH_DIR INDEXER SEARCHER
# BASH_DIR holds indexer[.bash] and searcher[.bash], ZSH_DIR _indexer and _searcher: the source
# tree's packaging/completions (ctest), or the installed directories (scripts/package-test.sh).
# bash: each script is sourced and its completion function run on command lines, the way bash
# runs it on TAB (COMP_WORDS, COMP_CWORD), and COMPREPLY compared. zsh, when installed: `zsh -n`,
# then its completion run in an interactive zsh (tests/completion_zsh.zsh) and what it lists
# compared; without zsh only the names in the files are checked.
set -uo pipefail
bash_dir=$1 zsh_dir=$2 indexer=$3 searcher=$4
failures=0 checks=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
pass() { checks=$((checks + 1)); }

script_for() {  # DIR PROG: the bash completion file of PROG
    if [[ -f $1/$2.bash ]]; then echo "$1/$2.bash"; else echo "$1/$2"; fi
}

# Runs completion function FUNC on the command line WORD... (the last word is the one being
# completed) and prints COMPREPLY sorted, one per line.
complete_line() {
    local func=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# The options a --help text lists (first column of its option lines), sorted.
help_options() {
    awk '/^  -/ { print $1 }' | tr ',' '\n' | sed 's/=.*//' | sort -u
}
# The subcommands a --help text lists under "Subcommands:", sorted.
help_subcommands() {
    awk '/^Subcommands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }' | sort -u
}
# "OPTION a b c" for each option whose help shows a fixed set of values: TEXT:{a,b,c}.
help_choices() {
    awk '/^  -/ && match($0, /:\{[^}]*\}/) {
        n = split($1, names, ","); opt = names[n]; sub(/=.*/, "", opt)
        v = substr($0, RSTART + 2, RLENGTH - 3); gsub(",", " ", v); print opt, v }'
}

expect_same() {  # WHAT EXPECTED ACTUAL (newline-separated sets)
    if [[ $2 == "$3" ]]; then
        pass
    else
        fail "$1"
        diff <(echo "$2") <(echo "$3") | sed -n 's/^</  missing:/p; s/^>/  extra:  /p'
    fi
}

words() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -u; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/an index dir" "$tmp/other"
: >"$tmp/an article.md"

# ---- bash: searcher -------------------------------------------------------------------------
file=$(script_for "$bash_dir" searcher)
# shellcheck disable=SC1090
out=$(source "$file" 2>&1 && complete -p searcher 2>&1)
expect_same "bash: sourcing $file registers _searcher" "complete -F _searcher searcher" "$out"
# shellcheck disable=SC1090
source "$file"

main_help=$("$searcher" --help)
subs=$(help_subcommands <<<"$main_help")
[[ -n $subs ]] || fail "searcher --help lists no subcommands"
expect_same "bash: 'searcher <TAB>' offers the subcommands of searcher --help" \
    "$subs" "$(complete_line _searcher searcher '')"
expect_same "bash: 'searcher sea<TAB>'" "search" "$(complete_line _searcher searcher sea)"
expect_same "bash: 'searcher se<TAB>'" "$(words search serve)" "$(complete_line _searcher searcher se)"
expect_same "bash: 'searcher -<TAB>' offers the options of searcher --help" \
    "$(help_options <<<"$main_help")" "$(complete_line _searcher searcher -)"
expect_same "bash: 'searcher --config FILE <TAB>' still offers subcommands" \
    "$subs" "$(complete_line _searcher searcher --config x.toml '')"

for sub in $subs; do
    sub_help=$("$searcher" "$sub" --help)
    expect_same "bash: 'searcher $sub -<TAB>' offers the options of searcher $sub --help" \
        "$(help_options <<<"$sub_help")" "$(complete_line _searcher searcher "$sub" -)"
    while read -r opt values; do
        [[ -n $opt ]] || continue
        expect_same "bash: 'searcher $sub $opt <TAB>' offers its values" \
            "$(words "$values")" "$(complete_line _searcher searcher "$sub" "$opt" '')"
    done < <(help_choices <<<"$sub_help")
done
expect_same "bash: 'searcher search --format js<TAB>'" "$(words json jsonl)" \
    "$(complete_line _searcher searcher search --format js)"
expect_same "bash: 'searcher search --format=<TAB>'" "$(words text json jsonl tsv)" \
    "$(complete_line _searcher searcher search --format =)"
expect_same "bash: 'searcher search --format=js<TAB>'" "$(words json jsonl)" \
    "$(complete_line _searcher searcher search --format = js)"
expect_same "bash: 'searcher search --facets <TAB>'" "$(words topic provider type year)" \
    "$(complete_line _searcher searcher search --facets '')"
expect_same "bash: 'searcher stats --index DIR<TAB>' offers directories only, spaces kept" \
    "$tmp/an index dir" "$(complete_line _searcher searcher stats --index "$tmp/an")"
expect_same "bash: 'searcher search kubernetes <TAB>' offers nothing (free query words)" "" \
    "$(complete_line _searcher searcher search kubernetes '')"
expect_same "bash: 'searcher related FILE<TAB>' offers article files" \
    "$tmp/an article.md" "$(complete_line _searcher searcher related "$tmp/an a")"

# ---- bash: indexer --------------------------------------------------------------------------
file=$(script_for "$bash_dir" indexer)
# shellcheck disable=SC1090
out=$(source "$file" 2>&1 && complete -p indexer 2>&1)
expect_same "bash: sourcing $file registers _indexer" "complete -F _indexer indexer" "$out"
# shellcheck disable=SC1090
source "$file"
ix_help=$("$indexer" --help)
expect_same "bash: 'indexer -<TAB>' offers the options of indexer --help" \
    "$(help_options <<<"$ix_help")" "$(complete_line _indexer indexer -)"
expect_same "bash: 'indexer --language engl<TAB>'" "english" \
    "$(complete_line _indexer indexer --language engl)"
langs=$("$indexer" --language no-such-language x 2>&1 | sed -n 's/.*(try: \(.*\)).*/\1/p')
[[ -n $langs ]] || fail "indexer --language no-such-language did not list the languages"
expect_same "bash: 'indexer --language <TAB>' offers Xapian's stemmers" \
    "$(words "$langs")" "$(complete_line _indexer indexer --language '')"
expect_same "bash: 'indexer --language=engl<TAB>'" "english" \
    "$(complete_line _indexer indexer --language = engl)"
expect_same "bash: 'indexer --index DIR<TAB>' offers directories only" \
    "$tmp/an index dir" "$(complete_line _indexer indexer --index "$tmp/an")"
expect_same "bash: 'indexer PATH<TAB>' offers files and directories" \
    "$(printf '%s\n' "$tmp/an article.md" "$tmp/an index dir" | sort -u)" \
    "$(complete_line _indexer indexer -q "$tmp/an")"

# ---- zsh ------------------------------------------------------------------------------------
for prog in indexer searcher; do
    f=$zsh_dir/_$prog
    if [[ ! -f $f ]]; then
        fail "no zsh completion $f"
        continue
    fi
    head -n 1 "$f" | grep -qx "#compdef $prog" && pass || fail "$f: first line is not '#compdef $prog'"
    if command -v zsh >/dev/null; then
        zsh -n "$f" && pass || fail "zsh -n $f"
    else
        echo "note: zsh is not installed; $f syntax not checked"
    fi
done
# zsh's completion run for real (tests/completion_zsh.zsh, on a pseudo-terminal): the choices it
# lists must include every subcommand, option and option value that --help shows.
if command -v zsh >/dev/null; then
    short_options() { grep -v -- '^--' | tr '\n' ' '; }
    long_options() { grep -- '^--' | tr '\n' ' '; }
    cases() {  # "COMMAND LINE|WORD ...", one a line
        echo "searcher |$(tr '\n' ' ' <<<"$subs")"
        echo "searcher --|$(help_options <<<"$main_help" | long_options)"
        for sub in $subs; do
            sub_help=$("$searcher" "$sub" --help)
            echo "searcher $sub --|$(help_options <<<"$sub_help" | long_options)"
            echo "searcher $sub -|$(help_options <<<"$sub_help" | short_options)"
            help_choices <<<"$sub_help" | while read -r opt values; do
                echo "searcher $sub $opt |$values"
            done
        done
        echo "indexer --|$(help_options <<<"$ix_help" | long_options)"
        echo "indexer -|$(help_options <<<"$ix_help" | short_options)"
        echo "indexer --language |$langs"
    }
    zsh_log=$tmp/zsh.log
    if cases | TMPDIR=$tmp zsh "$(dirname "$0")/completion_zsh.zsh" "$zsh_dir" \
            "$(dirname "$indexer")" "$(dirname "$searcher")" >"$zsh_log" 2>&1; then
        pass
        tail -n 1 "$zsh_log"
    else
        cat "$zsh_log"
        fail "zsh completion (tests/completion_zsh.zsh)"
    fi
else
    echo "note: zsh is not installed; its completion is only checked for the names it holds"
fi
named_in() {  # FILE WORD: WORD appears in FILE as an option or subcommand name
    grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)" "$1"
}
if ! command -v zsh >/dev/null; then
    for opt in $(help_options <<<"$ix_help"); do
        named_in "$zsh_dir/_indexer" "$opt" && pass || fail "zsh: _indexer does not name $opt"
    done
    for opt in $(help_options <<<"$main_help"); do
        named_in "$zsh_dir/_searcher" "$opt" && pass || fail "zsh: _searcher does not name $opt"
    done
    for sub in $subs; do
        grep -qE -- "'$sub:" "$zsh_dir/_searcher" && pass ||
            fail "zsh: _searcher does not list the subcommand $sub"
        for opt in $(help_options <<<"$("$searcher" "$sub" --help)"); do
            named_in "$zsh_dir/_searcher" "$opt" && pass || fail "zsh: _searcher does not name $opt ($sub)"
        done
    done
fi

echo "completion_test: $checks passed, $failures failed"
((failures == 0))
