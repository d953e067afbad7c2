#!/usr/bin/env bash
# Builds the Debian package from an already-built tree, installs it, and runs the installed
# programs (never build/'s): --version, indexer on sample-corpus/ into a temp index, searcher
# search/stats on it, the shell completions and man pages as installed. Called by .ci/run after
# scripts/test.sh, reusing its build/ (only the package is made here, nothing is compiled).
#   scripts/package-test.sh                 # BUILD_DIR=build
# As root (CI) the .deb is installed with dpkg -i and removed again at the end (KEEP_INSTALLED=1
# keeps it); otherwise, or with PACKAGE_ROOT=extract, it is unpacked into a temp root instead.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${BUILD_DIR:-build}
failures=0 checks=0
log() { echo "package-test: $*"; }
fail() {
    echo "package-test: FAIL: $*"
    failures=$((failures + 1))
}
ok() {
    checks=$((checks + 1))
    log "ok: $*"
}
die() {
    echo "package-test: $*" >&2
    exit 1
}

# dpkg-shlibdeps (dpkg-dev) computes the Depends; CPack's .deb generator needs `file`; help2man
# makes the man pages; zsh runs the installed zsh completion (tests/completion_test.sh); python3
# reads the JSON answers below.
scripts/install-packages.sh dpkg-dev file help2man zsh python3
[[ -f $build/CMakeCache.txt ]] || die "no build in $build: run scripts/setup.sh first"
# Configure again (finds help2man if it was installed just now), build what is missing (nothing
# after scripts/test.sh), then only the package.
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
rm -f "$build"/newsearch_*.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || {
    cat "$build/cpack.log"
    die "cpack -G DEB failed"
}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb=$build/newsearch_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || die "cpack made no $deb (see $build/cpack.log)"
log "built $deb ($(du -k "$deb" | cut -f1) KiB)"

# ---- what the package says and holds ----------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == newsearch ]] && ok "Package: newsearch" || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version" ]] && ok "Version: $version" || fail "Version is '$(field Version)', the project's is $version"
[[ $(field Maintainer) == *@* ]] && ok "Maintainer: $(field Maintainer)" || fail "no Maintainer e-mail: '$(field Maintainer)'"
[[ $(field Description) == *Xapian* ]] && ok "Description: $(field Description | head -n 1)" || fail "Description: '$(field Description)'"
changelog_top=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/doc/newsearch/changelog.gz |
    zcat | head -n 1)
[[ $changelog_top == "newsearch ($version) "* ]] && ok "changelog: $changelog_top" ||
    fail "packaging/changelog's newest entry is '$changelog_top', not $version"
depends=$(field Depends)
log "Depends: $depends"
contents=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|')
for f in /usr/bin/indexer /usr/bin/searcher \
    /usr/share/man/man1/indexer.1.gz /usr/share/man/man1/searcher.1.gz \
    /usr/share/bash-completion/completions/indexer /usr/share/bash-completion/completions/searcher \
    /usr/share/zsh/vendor-completions/_indexer /usr/share/zsh/vendor-completions/_searcher \
    /usr/share/doc/newsearch/README.md /usr/share/doc/newsearch/copyright \
    /usr/share/doc/newsearch/changelog.gz \
    /usr/share/doc/newsearch/docs/architecture.md; do
    grep -qx -- "$f" <<<"$contents" && ok "the package holds $f" || fail "the package lacks $f"
done

# ---- install ----------------------------------------------------------------------------------
tmp=$(mktemp -d)
installed=0
cleanup() {
    if ((installed)) && [[ -z ${KEEP_INSTALLED:-} ]]; then
        dpkg -r newsearch >/dev/null && log "removed the package (dpkg -r newsearch)"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
if [[ $(id -u) -eq 0 && ${PACKAGE_ROOT:-} != extract ]]; then
    dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || {
        cat "$tmp/dpkg.log"
        die "dpkg -i $deb failed"
    }
    installed=1
    root=""
    ok "dpkg -i: $(dpkg-query -W -f='${Package} ${Version} ${Status}' newsearch)"
else
    root=$tmp/root
    dpkg-deb -x "$deb" "$root"
    log "not root (or PACKAGE_ROOT=extract): unpacked into $root"
fi
bin=$root/usr/bin
share=$root/usr/share

# Every library the programs link directly is in a package named in Depends.
for prog in indexer searcher; do
    for soname in $(readelf -d "$bin/$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        path=$(ldd "$bin/$prog" | awk -v s="$soname" '$1 == s { print $3 }')
        pkg=""
        for p in "$path" "/usr$path" "${path#/usr}" "$(readlink -f "$path")"; do
            pkg=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1) && [[ -n $pkg ]] && break
        done
        if [[ -z $pkg ]]; then
            fail "$prog needs $soname ($path), which no package owns"
        elif [[ ", $depends" == *", $pkg "* || ", $depends," == *", $pkg,"* ]]; then
            ok "$prog needs $soname: $pkg is in Depends"
        else
            fail "$prog needs $soname from $pkg, which Depends does not name"
        fi
    done
    if readelf -d "$bin/$prog" | grep -qE 'R(UN)?PATH'; then
        fail "$prog has an RPATH/RUNPATH: $(readelf -d "$bin/$prog" | grep -E 'R(UN)?PATH')"
    fi
done

# ---- run the installed programs ---------------------------------------------------------------
for prog in indexer searcher; do
    out=$("$bin/$prog" --version) || fail "$prog --version exited $?"
    [[ $(head -n 1 <<<"$out") == "$prog $version" ]] && ok "$bin/$prog --version: $(tr '\n' ';' <<<"$out")" ||
        fail "$prog --version printed: $out"
done
index=$tmp/index
out=$("$bin/indexer" --index "$index" "$src/sample-corpus") || fail "indexer on sample-corpus/ exited $?"
[[ $out == *" 48 added,"* && $out == *" 0 rejected,"* ]] && ok "indexer: $out" ||
    fail "indexer on sample-corpus/ printed: $out"
json=$("$bin/searcher" search --index "$index" kubernetes security --limit 3 --format json) ||
    fail "searcher search exited $?"
summary=$(python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["matched_all"], len(r["results"]), r["results"][0]["title"] if r["results"] else "")
' <<<"$json") || fail "searcher search printed no JSON: ${json:0:300}"
read -r matched shown title <<<"$summary"
[[ $matched == 7 && $shown == 3 && $title == *Kubernetes* ]] &&
    ok "searcher search kubernetes security: $matched match every word; first: $title" ||
    fail "searcher search kubernetes security: $summary"
stats=$("$bin/searcher" stats --index "$index" --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["articles"])') ||
    fail "searcher stats failed"
[[ $stats == 48 ]] && ok "searcher stats: 48 articles" || fail "searcher stats: $stats articles, not 48"

# ---- completions and man pages, as installed ----------------------------------------------------
if bash tests/completion_test.sh "$share/bash-completion/completions" "$share/zsh/vendor-completions" \
    "$bin/indexer" "$bin/searcher" >"$tmp/completion.log" 2>&1; then
    ok "installed completions: $(tail -n 1 "$tmp/completion.log")"
else
    cat "$tmp/completion.log"
    fail "installed completions"
fi
for prog in indexer searcher; do
    page=$share/man/man1/$prog.1.gz
    th=$(zcat "$page" | grep -m 1 '^\.TH')
    [[ $th == ".TH ${prog^^} \"1\""*"\"$prog $version\""* ]] && ok "$prog(1): $th" || fail "$page: $th"
    zcat "$page" | grep -q '^\.SH EXAMPLES' && ok "$prog(1) has EXAMPLES" || fail "$prog(1) has no EXAMPLES"
    if command -v man >/dev/null; then
        warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
        [[ -z $warnings ]] && ok "man -l $prog.1.gz renders without warnings" ||
            fail "man -l $page: $warnings"
    fi
done

if command -v lintian >/dev/null; then
    log "lintian (advisory):"
    lintian "$deb" || true
fi

if ((failures)); then
    echo "package-test: $checks passed, $failures failed"
    exit 1
fi
echo "package-test: $checks passed, 0 failed"
