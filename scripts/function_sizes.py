#!/usr/bin/env python3
"""Lists the C++ functions (and lambdas) whose bodies are longer than a limit.

It checks the size half of the done-criterion "no source file over about 600 lines, no
function over about 120 lines". It is a heuristic, not a parser: comments, string and
character literals and preprocessor lines are blanked out, then braces are matched, and a
brace counts as a function body when what comes before it looks like a signature (at
namespace or class scope: a name and a parameter list) or a lambda (`[...](...) {` or
`[...] {`, anywhere). Control statements, class bodies, namespaces and braced initialisers
are not functions. A function's length runs from the line of its name to the line of its
closing brace, both counted; a lambda's length is also part of its enclosing function's.

Usage:
  scripts/function_sizes.py [--max 120] [--top K] [--file-max N] PATH...
PATH is a file or a folder (searched for .cpp .cc .hpp .h). Prints `file:line name length`
for every function longer than --max, longest first, and exits 1 when there is one. --top K
prints the K longest functions instead (still exiting 1 when one is over --max). --file-max N
also reports files longer than N lines (and counts them as over the limit).
"""

import argparse
import os
import re
import sys

EXTENSIONS = (".cpp", ".cc", ".cxx", ".hpp", ".hh", ".h")
CONTROL = {"if", "for", "while", "switch", "catch", "else", "do", "try", "return"}
TYPE_KEYWORDS = re.compile(r"\b(class|struct|union|enum)\b")
IDENT = re.compile(r"(operator\s*(\(\)|\[\]|[^\s(]+)|~?[A-Za-z_]\w*)\s*$")


def blank_out(text):
    """The text with comments, literals and preprocessor lines replaced by spaces (line
    breaks kept, so offsets and line numbers stay valid)."""
    out = list(text)
    n = len(text)
    i = 0
    line_start = True

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":  # a preprocessor line, with its continuations
            j = i
            while j < n and not (text[j] == "\n" and text[j - 1] != "\\"):
                j += 1
            blank(i, j)
            i = j
            continue
        line_start = c == "\n"
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
            continue
        m = re.match(r'(u8|u|U|L)?R"([^()\\\s]{0,16})\(', text[i:i + 24])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find(")" + m.group(2) + '"', i + m.end())
            end = n if end < 0 else end + len(m.group(2)) + 2
            blank(i, end)
            i = end
            continue
        if c == '"' or (c == "'" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"))):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i, min(j + 1, n))
            i = j + 1
            continue
        i += 1
    return "".join(out)


def matching_open(head, close_index):
    """Index of the '(' matching the ')' at head[close_index], or -1."""
    depth = 0
    for k in range(close_index, -1, -1):
        if head[k] == ")":
            depth += 1
        elif head[k] == "(":
            depth -= 1
            if depth == 0:
                return k
    return -1


def lambda_head(head):
    """Whether `head` (the text before a '{') ends with a lambda introducer: `[...]`,
    optionally followed by `(...)`, specifiers and a trailing return type."""
    h = head.rstrip()
    arrow = h.rfind("->")
    if arrow >= 0 and ")" not in h[arrow:] and "]" not in h[arrow:]:
        h = h[:arrow].rstrip()
    while True:
        m = re.search(r"\b(mutable|constexpr|consteval|noexcept|static)\s*$", h)
        if not m:
            break
        h = h[: m.start()].rstrip()
    if h.endswith(")"):
        k = matching_open(h, len(h) - 1)
        if k < 0:
            return False
        h = h[:k].rstrip()
    return h.endswith("]") and not h.endswith("]]")


def init_brace(head):
    """Whether the '{' after `head` opens a braced member initialiser of a constructor
    (`S(int x) : x_(x), y_{` ...) rather than its body."""
    k = head.find("(")
    if k < 0 or function_name(head) is None:
        return False
    depth = 0
    for j in range(k, len(head)):
        if head[j] == "(":
            depth += 1
        elif head[j] == ")":
            depth -= 1
            if depth == 0:
                tail = head[j + 1:]
                return bool(re.search(r"(?<!:):(?!:)", tail)) and bool(
                    re.search(r"[\w>]\s*$", tail))
    return False


def function_name(head):
    """The name before the first top-level '(' of a signature, or None when `head` does not
    look like one."""
    stripped = re.sub(r"\[\[.*?\]\]", " ", head)
    depth = 0
    for k, ch in enumerate(stripped):
        if ch == "<":
            depth += 1
        elif ch == ">" and depth > 0:
            depth -= 1
        elif ch == "(" and depth == 0:
            before = stripped[:k]
            if re.search(r"\boperator\s*$", before):
                continue  # operator(): the parameters are the next '('
            m = re.search(r"(?:[A-Za-z_]\w*(?:<[^<>]*>)?\s*::\s*)*" + IDENT.pattern, before)
            if not m:
                return None
            name = re.sub(r"\s+", "", m.group(0))
            if name in CONTROL:
                return None
            return name
    return None


def functions(text):
    """Yields (line, name, length) for every function and lambda body in `text`."""
    code = blank_out(text)
    line_of = []
    line = 1
    for ch in code:
        line_of.append(line)
        if ch == "\n":
            line += 1
    stack = []  # (kind, start_line, name) for each open brace
    head_start = 0
    for i, ch in enumerate(code):
        if ch == ";":
            head_start = i + 1
        elif ch == "}":
            kind = "block"
            if stack:
                kind, start, name = stack.pop()
                if kind == "function":
                    yield start, name, line_of[i] - start + 1
            if kind != "init":  # a constructor's `member{...}`: its body is still to come
                head_start = i + 1
        elif ch == "{":
            head = code[head_start:i]
            scope = stack[-1][0] if stack else "namespace"
            kind, start, name = "block", line_of[i], ""
            words = head.split()
            first = words[0] if words else ""
            if scope == "init" or (scope in ("namespace", "class") and init_brace(head)):
                kind = "init"
            elif lambda_head(head):
                kind = "function"
                m = re.search(r"([A-Za-z_]\w*)\s*=\s*\[[^\[\]]*\]\s*(\(|\{|$|mutable|->)",
                              head)
                outer = next((s[2] for s in reversed(stack) if s[0] == "function"), None)
                name = m.group(1) if m else "<lambda%s>" % (" in " + outer if outer else "")
                bracket = head.rfind("[", 0, m.end() if m else len(head))
                start = line_of[head_start + max(bracket, 0)]
            elif re.match(r"\s*(inline\s+)?namespace\b", head) or re.match(r'\s*extern\s*$', head):
                kind = "namespace"
            elif first in CONTROL:
                kind = "block"
            elif (scope in ("namespace", "class") or first in ("class", "struct", "union", "enum")) \
                    and TYPE_KEYWORDS.search(head) and "(" not in head:
                kind = "class"
                m = re.search(r"\b(?:class|struct|union)\s+(?:\[\[.*?\]\]\s*)?([A-Za-z_]\w*)", head)
                name = m.group(1) if m else ""
            elif scope in ("namespace", "class") and "(" in head:
                name = function_name(head)
                eq = head.find("=")
                if name and (eq < 0 or eq > head.find("(")):
                    kind = "function"
                    if scope == "class" and stack[-1][2] and "::" not in name:
                        name = stack[-1][2] + "::" + name
                    # From the line of the name: a return type or a template header on an
                    # earlier line does not count.
                    idx = head.find(name.split("::")[0])
                    start = line_of[head_start + idx] if idx >= 0 else line_of[i]
                else:
                    kind = "other"
            elif scope == "class" or scope == "namespace":
                kind = "other"
            stack.append((kind, start, name))
            if kind != "init":
                head_start = i + 1


def sources(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(EXTENSIONS):
                        yield os.path.join(root, f)
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="C++ files or folders")
    ap.add_argument("--max", type=int, default=120, help="longest allowed function (lines)")
    ap.add_argument("--top", type=int, default=0, help="print the K longest functions")
    ap.add_argument("--file-max", type=int, default=0, help="longest allowed file (lines)")
    args = ap.parse_args()

    found = []
    long_files = []
    for path in sources(args.paths):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if args.file_max and lines > args.file_max:
            long_files.append((path, lines))
        for line, name, length in functions(text):
            found.append((length, path, line, name))
    found.sort(key=lambda r: (-r[0], r[1], r[2]))
    over = [r for r in found if r[0] > args.max]
    shown = found[: args.top] if args.top else over
    for length, path, line, name in shown:
        mark = "  OVER" if length > args.max and args.top else ""
        print(f"{path}:{line} {name} {length}{mark}")
    for path, lines in sorted(long_files, key=lambda r: -r[1]):
        print(f"{path}: file {lines} lines (over {args.file_max})")
    return 1 if over or long_files else 0


if __name__ == "__main__":
    sys.exit(main())
