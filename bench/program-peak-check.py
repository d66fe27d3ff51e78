#!/usr/bin/env python3
"""Checks a program experiment's peak RSS against /usr/bin/time, as the README's table does.

    python3 bench/program-peak-check.py RESULTS_FOLDER [RUNS]

For each program and allocator of the folder (a `layoutlab run` of a "programs" experiment, e.g.
`make run EXPERIMENT=experiments/programs.json`), runs the same command RUNS times (default 3) under
`/usr/bin/time -f %M` with the allocator as LD_PRELOAD (its real path from environment.json; nothing for
glibc), the program's and the allocator's variables and the program's directory, and prints a Markdown table:
the median of the folder's successful `peak_rss_bytes` against the median of /usr/bin/time's %M x 1024. The lab
also preloads its allocator agent (README: ~0.1-0.3 MiB of peak RSS), which this script does not: the table's
differences include it.
"""
import csv
import json
import os
import statistics
import subprocess
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    experiment = json.load(open(os.path.join(folder, "experiment.json")))
    environment = json.load(open(os.path.join(folder, "environment.json")))
    libraries = {a["name"]: a for a in environment["allocators"]}
    rows = list(csv.DictReader(open(os.path.join(folder, "trials.csv"))))
    # Relative `cwd`s are the experiment file's directory; the folder keeps a copy of the file, so ask for it.
    base = os.environ.get("EXPERIMENT_DIR", os.getcwd())
    print("| program | allocator | peak_rss_bytes (median of lab) | /usr/bin/time -f %%M x 1024 (median of %d) | difference |" % runs)
    print("|---|---|---:|---:|---:|")
    for program in experiment["programs"]:
        for allocator in experiment["allocators"]:
            name = allocator if isinstance(allocator, str) else allocator["name"]
            peaks = [int(r["peak_rss_bytes"]) for r in rows
                     if r["program"] == program["name"] and r["allocator"] == name and r["status"] == "ok" and r["peak_rss_bytes"]]
            if not peaks:
                print("| %s | %s | – | – | – |" % (program["name"], name))
                continue
            entry = libraries[name]
            env = dict(os.environ)
            env.update(entry.get("environment", {}))
            env.update(program.get("env", {}))
            env.pop("LD_PRELOAD", None)
            if entry.get("library") not in (None, "libc.so.6"):
                env["LD_PRELOAD"] = entry["library_real_path"]
            cwd = os.path.join(base, program.get("cwd", "."))
            measured = []
            for _ in range(runs):
                done = subprocess.run(["/usr/bin/time", "-f", "%M"] + program["command"], env=env, cwd=cwd,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                measured.append(int(done.stderr.strip().splitlines()[-1]) * 1024)
            lab = statistics.median_low(peaks)
            time = statistics.median_low(measured)
            print("| %s | %s | %s | %s | %+.1f %% |" % (program["name"], name, format(lab, ","), format(time, ","), 100.0 * (lab - time) / time))


main()
