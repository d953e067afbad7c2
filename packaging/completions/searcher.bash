# bash completion for searcher (newsearch): subcommands, their options, and the values of the
# options that take a fixed set. Self-contained (works without the bash-completion package's
# helpers); installed as share/bash-completion/completions/searcher. Keep in step with
# `searcher SUBCOMMAND --help`: tests/completion_test.sh checks every subcommand and option.

# Files (-f) or directories (-d) matching $2, one per line so names with spaces survive.
_searcher_paths() {
    compopt -o filenames 2>/dev/null # quote and mark directories (in a completion only)
    mapfile -t COMPREPLY < <(compgen "$1" -- "$2")
}

_searcher() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local subcommands="search related story get stats"
    local common="-h --help -i --index -f --format --color --allow-partial"
    local filters="--min-quality --max-quality --since --until --topic --provider --type
        --category --include-removed --include-stubs"

    # The subcommand: the first word after `searcher` that names one (skipping --config FILE).
    local sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --config) ((i++)) ;;
        search | related | story | get | stats)
            sub=${COMP_WORDS[i]}
            break
            ;;
        esac
    done

    case $prev in
    -i | --index)
        _searcher_paths -d "$cur"
        return
        ;;
    --config | --queries | --ids)
        _searcher_paths -f "$cur"
        return
        ;;
    -f | --format)
        COMPREPLY=($(compgen -W "text json jsonl tsv" -- "$cur"))
        return
        ;;
    --color)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return
        ;;
    --match)
        COMPREPLY=($(compgen -W "all any auto" -- "$cur"))
        return
        ;;
    --sort)
        COMPREPLY=($(compgen -W "relevance date quality blend" -- "$cur"))
        return
        ;;
    --stopwords)
        COMPREPLY=($(compgen -W "on off" -- "$cur"))
        return
        ;;
    --facets)
        COMPREPLY=($(compgen -W "topic provider type year" -- "$cur"))
        return
        ;;
    --min-quality | --max-quality | --since | --until | --topic | --provider | --type | \
        --category | --half-life | --quality-weight | --recency-weight | --bm25 | -n | \
        --limit | --offset | --expand | --expand-docs | --expand-weight | --weights | \
        --plateau | --title-boost | --news-cycle)
        return # a value the user types
        ;;
    esac

    local opts
    case $sub in
    "")
        if [[ $cur == -* ]]; then
            opts="-h --help --version --config"
        else
            opts=$subcommands
        fi
        ;;
    search)
        opts="$common $filters --match --sort --reverse --half-life --quality-weight
            --recency-weight --bm25 --stopwords -n --limit --offset --exact-count --no-spelling
            --facets --explain --expand --expand-docs --expand-weight --collapse --queries
            --timing"
        ;;
    related)
        opts="$common $filters -n --limit --offset --weights --half-life --plateau
            --title-boost --expand --explain --news-cycle --ids"
        if [[ $cur != -* ]]; then # an article id or URL, or an article file
            _searcher_paths -f "$cur"
            return
        fi
        ;;
    story | get | stats)
        opts=$common
        ;;
    esac
    # Options only where one is being typed; a query word or an id is free text.
    if [[ $cur == -* || -z $sub ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}
complete -F _searcher searcher
