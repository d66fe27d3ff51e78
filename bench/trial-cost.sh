#!/usr/bin/env bash
# The runner's own cost per trial, for a small and a large suite of the same cheap trials: 1 000 nodes,
# final-class and struct-array under glibc, `allocate` only, 100 checkpoints (about 100 samples per trial).
# Prints seconds per trial for N = 200 and N = 2 000 trials and their ratio; a runner whose cost per trial is
# constant gives a ratio near 1 (goal: within 1.3). Timings on a shared machine are noisy.
#
#   bench/trial-cost.sh [SMALL LARGE]      (defaults 200 2000; needs `swift build -c release`)
#
# It measures the runner, not memory layouts, so it takes a lab lock of its own instead of waiting for the
# machine's (a run of this script does not exclude, and is not excluded by, other lab runs).
set -euo pipefail
cd "$(dirname "$0")/.."
layoutlab=${LAYOUTLAB:-.build/release/layoutlab}
small=${1:-200}
large=${2:-2000}
[ -x "$layoutlab" ] || { echo "trial-cost: $layoutlab is missing; run swift build -c release" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/layoutlab-trial-cost.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export LAYOUTLAB_LOCK_FILE="$scratch/lock"

# seconds_per_trial N: runs N trials (two layouts × N/2 repetitions) into a fresh folder.
seconds_per_trial() {
    local trials=$1 file="$scratch/cost-$1.json"
    cat > "$file" <<JSON
{ "name": "trial-cost-$trials", "layouts": ["final-class", "struct-array"],
  "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
  "nodes": [1000], "allocators": ["system"], "repetitions": $((trials / 2)) }
JSON
    local start end
    start=$(date +%s.%N)
    "$layoutlab" run --quiet --out "$scratch/run-$trials" "$file" > /dev/null
    end=$(date +%s.%N)
    local recorded
    recorded=$(($(wc -l < "$scratch/run-$trials/trials.csv") - 1))
    [ "$recorded" = "$((trials / 2 * 2))" ] || { echo "trial-cost: $recorded trials recorded of $trials" >&2; exit 1; }
    echo "$end $start $recorded" | awk '{ printf "%.5f", ($1 - $2) / $3 }'
}

small_cost=$(seconds_per_trial "$small")
echo "$small trials: $small_cost s per trial"
large_cost=$(seconds_per_trial "$large")
echo "$large trials: $large_cost s per trial"
echo "$small_cost $large_cost" | awk -v s="$small" -v l="$large" '{ printf "ratio %s/%s trials: %.2f (goal: at most 1.30)\n", l, s, $2 / $1 }'
