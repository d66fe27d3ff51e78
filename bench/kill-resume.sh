#!/usr/bin/env bash
# SIGKILL safety of the results folder, tried for real: starts a run of N cheap trials (1 000 nodes, as
# bench/trial-cost.sh), SIGKILLs the runner and its worker at a random moment, checks the folder, resumes it with
# `layoutlab run --resume`, and so on KILLS times; then resumes it to the end and checks the trial set.
#
#   bench/kill-resume.sh [KILLS [TRIALS [SEED]]]     (defaults 20 2000 1; needs `swift build -c release`)
#
# After every kill every CSV file in the folder must be whole: it ends with a line break, every row has the
# header's column count; every trial of trials.csv has all its samples (`sample_count`) in samples.csv and its
# phases in phases.csv; per-node.csv names only configurations of trials.csv, with no more ok repetitions than
# trials.csv has. At the end trials.csv must hold exactly the planned trial ids, none twice. Exits 1 on the first
# violation. The moments are drawn from SEED (bash's RANDOM): 0 to 2 s after each start's first new trial.
set -euo pipefail
cd "$(dirname "$0")/.."
layoutlab=${LAYOUTLAB:-.build/release/layoutlab}
kills=${1:-20}
trials=${2:-2000}
RANDOM=${3:-1}
[ -x "$layoutlab" ] || { echo "kill-resume: $layoutlab is missing; run swift build -c release" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/layoutlab-kill-resume.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export LAYOUTLAB_LOCK_FILE="$scratch/lock"
out="$scratch/run"
cat > "$scratch/kill.json" <<JSON
{ "name": "kill-resume", "layouts": ["final-class", "struct-array"],
  "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
  "nodes": [1000], "allocators": ["system"], "repetitions": $((trials / 2)) }
JSON

# check FINAL: the folder's CSV files, and with FINAL=1 the complete trial set too.
check() {
    python3 - "$out" "$1" "$trials" <<'PY'
import collections, csv, os, sys
folder, final, planned = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
def table(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data and not data.endswith(b"\n"):
        sys.exit(f"{path}: ends mid-line")
    rows = list(csv.reader(data.decode().splitlines(keepends=True)))
    if not rows:
        return [], []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(rows[0]):
            sys.exit(f"{path}: line {number} has {len(row)} cells for {len(rows[0])} columns")
    return rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]
for directory, _, names in os.walk(folder):
    for name in names:
        if name.endswith(".csv"):
            table(os.path.join(directory, name))
        if ".partial-" in name:
            print(f"  (a temporary file the kill left: {name}; resume removes it)")
path = lambda name: os.path.join(folder, name)
if not os.path.exists(path("trials.csv")):
    print("  no trials.csv yet"); sys.exit(0)
_, trials = table(path("trials.csv"))
_, samples = table(path("samples.csv"))
_, phases = table(path("phases.csv"))
sample_count = collections.Counter(row["trial_id"] for row in samples)
phase_count = collections.Counter(row["trial_id"] for row in phases)
for row in trials:
    if sample_count[row["trial_id"]] != int(row["sample_count"]):
        sys.exit(f"{row['trial_id']}: {sample_count[row['trial_id']]} rows in samples.csv, sample_count {row['sample_count']}")
    if row["status"] == "ok" and phase_count[row["trial_id"]] == 0:
        sys.exit(f"{row['trial_id']}: no rows in phases.csv")
ok = collections.Counter((r["shape"], r["nodes"], r["layout"], r["allocator"]) for r in trials if r["status"] == "ok")
lagging = 0
if os.path.exists(path("per-node.csv")):
    for row in table(path("per-node.csv"))[1]:
        key = (row["shape"], row["nodes"], row["layout"], row["allocator"])
        if int(row["repetitions_ok"]) > ok[key]:
            sys.exit(f"per-node.csv: {key} has {row['repetitions_ok']} ok repetitions, trials.csv {ok[key]}")
        lagging += int(row["repetitions_ok"]) < ok[key]
ids = [row["trial_id"] for row in trials]
if len(ids) != len(set(ids)):
    sys.exit("trials.csv: a trial appears twice")
print(f"  whole: {len(trials)} trials, {len(samples)} samples" + (", per-node.csv behind trials.csv" if lagging else ""))
if final:
    expected = {f"p.{layout}.1000.system.r{r}" for layout in ("final-class", "struct-array") for r in range(1, planned // 2 + 1)}
    if set(ids) != expected:
        sys.exit(f"trial set differs from the plan: {len(set(ids) - expected)} extra, {len(expected - set(ids))} missing")
    print(f"  the trial set is the plan's: {len(expected)} trials, each once")
PY
}

# journal_bytes: the size of the folder's journal (0 before there is one).
journal_bytes() { stat -c %s "$out/trials.journal" 2> /dev/null || echo 0; }

# kill_after SECONDS COMMAND...: starts the runner, waits until it records a trial (a resume first checks its
# build, seconds on a busy machine: a kill there would find the files as the last kill left them), then SIGKILLs
# it and its worker SECONDS later. Returns 0 when it killed them, 1 when the runner had ended by itself,
# successfully; exits when it had failed.
kill_after() {
    local delay=$1; shift
    local before
    before=$(journal_bytes)
    "$@" > /dev/null 2> "$scratch/stderr" &
    local runner=$!
    for _ in $(seq 600); do
        [ "$(journal_bytes)" != "$before" ] && break
        kill -0 "$runner" 2> /dev/null || break
        sleep 0.1
    done
    sleep "$delay"
    local workers
    workers=$(ps -o pid= --ppid "$runner" 2> /dev/null || true)
    if kill -9 "$runner" 2> /dev/null; then
        for worker in $workers; do kill -9 "$worker" 2> /dev/null || true; done
        wait "$runner" 2> /dev/null || true
        return 0
    fi
    if ! wait "$runner"; then
        echo "kill-resume: the runner failed:" >&2; cat "$scratch/stderr" >&2; exit 1
    fi
    return 1
}

done_kills=0
while [ "$done_kills" -lt "$kills" ]; do
    # A kill before the runner wrote environment.json leaves nothing to resume: start afresh.
    if [ -f "$out/environment.json" ]; then
        command=("$layoutlab" run --quiet --resume "$out")
    else
        command=("$layoutlab" run --quiet --out "$out" "$scratch/kill.json")
    fi
    delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 2 * r / 32767 }')
    if kill_after "$delay" "${command[@]}"; then
        done_kills=$((done_kills + 1))
        echo "kill $done_kills, $delay s after its first trial (${command[3]}):"
        check 0 || exit 1
    else
        echo "the run ended before its kill after $delay s"
        break
    fi
done
"$layoutlab" run --quiet --resume "$out" > /dev/null 2> "$scratch/stderr" || { cat "$scratch/stderr" >&2; exit 1; }
echo "resumed to the end:"
check 1 || exit 1
[ "$done_kills" -ge "$kills" ] || { echo "kill-resume: only $done_kills kills before the run ended; give more trials" >&2; exit 1; }
echo "kill-resume: $done_kills kills, no torn file, the planned trial set"
