#!/usr/bin/env python3
"""What the allocator agent costs a program: wall time and peak RSS (ru_maxrss) of a C program that keeps 64 MiB
in 1 KiB blocks, run without the agent, with it, and with it on a 10 ms timer, under each allocator; and the
agent's own resident footprint (its mapping's Rss in /proc/PID/smaps, and VmHWM of a program that allocates
nothing, with and without it).

Usage: scripts/measure-agent-cost.py AGENT_SO [RUNS]   (AGENT_SO: liblayoutlab_agent.so, e.g. from the lab's cache)
Timing is noisy on a shared machine: medians of RUNS (default 21), interleaved."""
import os, statistics, subprocess, sys, tempfile, time

AGENT = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 21
LIB = "/usr/lib/x86_64-linux-gnu/"
ALLOCATORS = [("glibc", None, "mallinfo2"), ("jemalloc", LIB + "libjemalloc.so.2", "jemalloc"),
              ("mimalloc", LIB + "libmimalloc.so.2", "mimalloc"), ("tcmalloc", LIB + "libtcmalloc.so.4", "tcmalloc")]
WORKLOAD = r"""
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *volatile blocks[65536];
int main(int argc, char **argv) {
    int n = argc > 1 && argv[1][0] == 'p' ? 0 : 65536;   /* "pause": allocate nothing */
    for (int i = 0; i < n; i++) { blocks[i] = malloc(1024); memset(blocks[i], 1, 1024); }
    if (argc > 1) pause();                                /* "sleep", "pause": wait to be inspected */
    return 0;
}
"""

def build():
    directory = tempfile.mkdtemp(prefix="agent-cost-")
    source, binary = os.path.join(directory, "w.c"), os.path.join(directory, "w")
    open(source, "w").write(WORKLOAD)
    subprocess.run(["cc", "-O0", "-o", binary, source], check=True)
    return binary

def environment(library, source, agent, interval):
    env = dict(os.environ)
    preload = [p for p in [library, AGENT if agent else None] if p]
    if preload: env["LD_PRELOAD"] = " ".join(preload)
    if agent:
        env.update(LAYOUTLAB_AGENT_FD="1", LAYOUTLAB_AGENT_STATISTICS=source, LAYOUTLAB_AGENT_PID="")
        if interval: env["LAYOUTLAB_AGENT_INTERVAL_MS"] = str(interval)
    return env

def once(binary, env, argument=None):
    start = time.perf_counter_ns()
    child = subprocess.Popen([binary] + ([argument] if argument else []), env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter_ns() - start, usage.ru_maxrss  # ns, KiB

def main():
    binary = build()
    modes = [("none", False, None), ("agent", True, None), ("agent+10ms", True, 10)]
    print(f"{'allocator':10} {'mode':11} {'wall ms (median)':>17} {'maxrss KiB (median)':>20}")
    for name, library, source in ALLOCATORS:
        samples = {mode: [] for mode, _, _ in modes}
        for _ in range(RUNS):
            for mode, agent, interval in modes:
                samples[mode].append(once(binary, environment(library, source, agent, interval)))
        for mode, _, _ in modes:
            wall = statistics.median(s[0] for s in samples[mode]) / 1e6
            rss = statistics.median(s[1] for s in samples[mode])
            print(f"{name:10} {mode:11} {wall:17.2f} {rss:20.0f}")
    # The agent's own footprint: a program that allocates nothing, paused, with and without it (VmHWM, VmRSS; the
    # ru_maxrss of a child also counts the Python process it was forked from before exec).
    for mode, agent, interval in modes:
        child = subprocess.Popen([binary, "pause"], env=environment(None, "mallinfo2", agent, interval), stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        status = dict(line.split(":", 1) for line in open(f"/proc/{child.pid}/status"))
        rss_kib, mapped_kib, current = 0, 0, None
        for line in open(f"/proc/{child.pid}/smaps"):
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"): current = fields[5] if len(fields) >= 6 else None
            elif current and current.endswith("liblayoutlab_agent.so") and fields[0] == "Rss:": rss_kib += int(fields[1])
            elif current and current.endswith("liblayoutlab_agent.so") and fields[0] == "Size:": mapped_kib += int(fields[1])
        threads = len(os.listdir(f"/proc/{child.pid}/task"))
        child.kill(); child.wait()
        print(f"empty program, glibc, {mode:11}: VmHWM {status['VmHWM'].strip()}, VmRSS {status['VmRSS'].strip()}, "
              f"agent mappings {mapped_kib} KiB ({rss_kib} KiB resident), threads {threads}")

main()
