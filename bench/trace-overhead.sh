#!/usr/bin/env bash
# What `layoutlab record` costs a program: the median wall time of 5 runs without and 5 runs with the tracer,
# their ratio, and the trace's events and bytes per event. Usage: bench/trace-overhead.sh [COMMAND ARGS...]
# (default: a CPython loop making 2 000 000 blocks of 600 bytes through malloc, above pymalloc's 512-byte limit).
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${LAB:-.build/release/layoutlab}
[ -x "$LAB" ] || { echo "build the lab first: swift build -c release" >&2; exit 2; }
if [ $# -eq 0 ]; then set -- python3 -c 'l = [bytes(600) for _ in range(2_000_000)]; del l'; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
plain=(); traced=()
for i in 1 2 3 4 5; do
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); plain+=("$(echo "$e - $s" | bc)")
    # The program's own wall time under the tracer, as `record` measured it (not the reading of the trace after).
    "$LAB" record --out "$out/t.trace" -- "$@" > /dev/null 2> "$out/record.txt"
    traced+=("$(sed -n 's/.* after \([0-9.]*\) s (traced)$/\1/p' "$out/record.txt")")
done
p=$(printf '%s\n' "${plain[@]}" | median); t=$(printf '%s\n' "${traced[@]}" | median)
echo "command: $*"
echo "untraced: median $p s of 5 runs; traced (the program under layoutlab record, its own wall time): median $t s"
echo "wall-time factor: $(echo "scale=2; $t / $p" | bc)"
tail -1 "$out/record.txt" | sed 's/^layoutlab: //'
