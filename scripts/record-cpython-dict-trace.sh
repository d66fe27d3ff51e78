#!/bin/sh
# Records the trace experiments/trace-replay.json replays: CPython building a dict of 1 000 000 small objects
# (an int key, a tuple of an int and a str as value), with PYTHONMALLOC=malloc so that every object is a malloc
# call (pymalloc would serve small objects from its own 256 KiB arenas). Usage: scripts/record-cpython-dict-trace.sh [OUT]
set -eu
out=${1:-experiments/traces/cpython-dict.trace}
layoutlab=${LAYOUTLAB:-.build/release/layoutlab}
mkdir -p "$(dirname "$out")"
"$layoutlab" record --out "$out" -- env PYTHONMALLOC=malloc python3 -c \
  'd = {i: (i, str(i)) for i in range(1000000)}'
