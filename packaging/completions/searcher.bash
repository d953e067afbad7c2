# bash completion for searcher (newsearch): subcommands, their options, and the values of the
# options that take a fixed set. Self-contained (works without the bash-completion package's
# helpers); installed as share/bash-completion/completions/searcher. Keep in step with
# `searcher SUBCOMMAND --help`: tests/completion_test.sh checks every subcommand and option.

# COMPREPLY: the words of a list (-W WORDS CUR), or the files (-f CUR) or directories (-d CUR),
# that start with CUR; read one per line, so names with spaces survive.
_searcher_reply() {
    if [[ $1 == -W ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$2" -- "$3")
    else
        compopt -o filenames 2>/dev/null # quote, mark directories (works in a completion only)
        mapfile -t COMPREPLY < <(compgen "$1" -- "$2")
    fi
}

_searcher() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --option=VALUE: bash splits the word at '=' into "--option" "=" "VALUE".
    if [[ $cur == = ]]; then
        cur=""
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    local subcommands="search related story get stats serve"
    local common="-h --help -i --index -f --format --color --allow-partial"
    local filters="--min-quality --max-quality --since --until --topic --provider --type
        --category --include-removed --include-stubs"

    # The subcommand: the first word after `searcher` that names one (skipping --config FILE).
    local sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --config) ((i++)) ;;
        search | related | story | get | stats | serve)
            sub=${COMP_WORDS[i]}
            break
            ;;
        esac
    done

    case $prev in
    -i | --index)
        _searcher_reply -d "$cur"
        return
        ;;
    --config | --queries | --ids)
        _searcher_reply -f "$cur"
        return
        ;;
    -f | --format)
        _searcher_reply -W "text json jsonl tsv" "$cur"
        return
        ;;
    --color)
        _searcher_reply -W "auto always never" "$cur"
        return
        ;;
    --match)
        _searcher_reply -W "all any auto" "$cur"
        return
        ;;
    --sort)
        _searcher_reply -W "relevance date quality blend" "$cur"
        return
        ;;
    --stopwords)
        _searcher_reply -W "on off" "$cur"
        return
        ;;
    --facets)
        _searcher_reply -W "topic provider type year" "$cur"
        return
        ;;
    --min-quality | --max-quality | --since | --until | --topic | --provider | --type | \
        --category | --half-life | --quality-weight | --recency-weight | --bm25 | -n | \
        --limit | --offset | --expand | --expand-docs | --expand-weight | --weights | \
        --plateau | --title-boost | --news-cycle | --listen | --threads | --cors)
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
            _searcher_reply -f "$cur"
            return
        fi
        ;;
    get)
        opts="$common -n --limit"
        ;;
    story | stats)
        opts=$common
        ;;
    serve)
        opts="-h --help -i --index --listen --threads --cors --allow-partial"
        ;;
    esac
    # Options only where one is being typed; a query word or an id is free text.
    if [[ $cur == -* || -z $sub ]]; then
        _searcher_reply -W "$opts" "$cur"
    fi
}
complete -F _searcher searcher
