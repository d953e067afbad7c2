# bash completion for indexer (newsearch): options, the values of those that take a fixed set,
# and files or directories for PATH. Self-contained (works without the bash-completion
# package's helpers); installed as share/bash-completion/completions/indexer. Keep in step with
# `indexer --help`: tests/completion_test.sh checks every option.

# Files (-f) or directories (-d) matching $2, one per line so names with spaces survive.
_indexer_paths() {
    compopt -o filenames 2>/dev/null # quote and mark directories (in a completion only)
    mapfile -t COMPREPLY < <(compgen "$1" -- "$2")
}

_indexer() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $prev in
    -i | --index)
        _indexer_paths -d "$cur"
        return
        ;;
    --report)
        _indexer_paths -f "$cur"
        return
        ;;
    --language) # Xapian 1.4's stemmers (indexer --language x lists them)
        COMPREPLY=($(compgen -W "arabic armenian basque catalan danish dutch earlyenglish
            english finnish french german german2 hungarian indonesian irish italian
            kraaij_pohlmann lithuanian lovins nepali norwegian porter portuguese romanian
            russian spanish swedish tamil turkish" -- "$cur"))
        return
        ;;
    -j | --jobs | --batch | --shards | --shard | --max-file-size)
        return # a number the user types
        ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-h --help --version -i --index -j --jobs --batch --full --prune
            --retry-rejected --dry-run --wait --compact --shards --shard --report --language
            --max-file-size -q --quiet --timings" -- "$cur"))
    else
        _indexer_paths -f "$cur" # article files or directories
    fi
}
complete -F _indexer indexer
