# bash completion for indexer (newsearch): options, the values of those that take a fixed set,
# and files or directories for PATH. Self-contained (works without the bash-completion
# package's helpers); installed as share/bash-completion/completions/indexer. Keep in step with
# `indexer --help`: tests/completion_test.sh checks every option.

# COMPREPLY: the words of a list (-W WORDS CUR), or the files (-f CUR) or directories (-d CUR),
# that start with CUR; read one per line, so names with spaces survive.
_indexer_reply() {
    if [[ $1 == -W ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$2" -- "$3")
    else
        compopt -o filenames 2>/dev/null # quote, mark directories (works in a completion only)
        mapfile -t COMPREPLY < <(compgen "$1" -- "$2")
    fi
}

_indexer() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --option=VALUE: bash splits the word at '=' into "--option" "=" "VALUE".
    if [[ $cur == = ]]; then
        cur=""
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    case $prev in
    -i | --index)
        _indexer_reply -d "$cur"
        return
        ;;
    --report)
        _indexer_reply -f "$cur"
        return
        ;;
    --language) # Xapian 1.4's stemmers (indexer --language x lists them)
        _indexer_reply -W "arabic armenian basque catalan danish dutch earlyenglish
            english finnish french german german2 hungarian indonesian irish italian
            kraaij_pohlmann lithuanian lovins nepali norwegian porter portuguese romanian
            russian spanish swedish tamil turkish" "$cur"
        return
        ;;
    -j | --jobs | --writers | --batch | --shards | --shard | --max-file-size)
        return # a number the user types
        ;;
    esac
    if [[ $cur == -* ]]; then
        _indexer_reply -W "-h --help --version -i --index -j --jobs --writers --batch --full --prune --no-prune
            --retry-rejected --dry-run --wait --compact --shards --shard --report --language
            --max-file-size -q --quiet --timings" "$cur"
    else
        _indexer_reply -f "$cur" # article files or directories
    fi
}
complete -F _indexer indexer
