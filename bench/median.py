#!/usr/bin/python3
"""median.py -- tiny numeric helper for bench/index_bench.sh (stdlib only).

  median.py median N...   the median (mean of the two middle values if even)
  median.py max N...      the largest value
  median.py min N...      the smallest value
Prints the result with up to 6 significant decimals; exits 2 on bad input.
"""
import statistics
import sys


def main(argv):
    if len(argv) < 3 or argv[1] not in ("median", "max", "min"):
        sys.stderr.write("usage: median.py median|max|min N...\n")
        return 2
    try:
        vals = [float(v) for v in argv[2:]]
    except ValueError as e:
        sys.stderr.write("median.py: not a number: %s\n" % e)
        return 2
    fn = {"median": statistics.median, "max": max, "min": min}[argv[1]]
    print("%.6g" % fn(vals))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
