"""A bare interpreter's figure for the lab's fork phase (issue 16's must-show): builds N objects of one layout with
F int64 fields (field k of object i is i + k + 1000, as the lab's int fields) in a list, forks K children that each
read every attribute of every object (in list order), and prints the median over the children of the growth of the
child's own Private_Dirty (/proc/self/smaps_rollup, opened in the child) during the reads and one full collection
after them (gc.enable(); gc.collect(), as the lab's children do), per object. Each child waits on a pipe until all K
have read their figures, as the lab's children do. `none` as the sixth argument skips the reads (the collection
stays): the lab's `"work": "none"`.

Nothing of the lab is imported. Run it under the allocator the lab trial used: PYTHONMALLOC=malloc for the lab's
`system` allocator (the lab sets it for every allocator but `pymalloc`), unset for `pymalloc`. The lab's worker runs
with the collector disabled (gc.disable()); so does this script. `freeze` as the fifth argument calls gc.freeze()
just before forking, as `"python_gc_freeze": true` does.

Usage: python3 bench/python-fork-check.py LAYOUT N [F] [K] [freeze|nofreeze] [traverse|none]
       (LAYOUT: python-slots-class or python-dict-class)
Prints: layout objects children freeze work private_dirty_bytes_per_object"""
import gc
import os
import sys


def smaps_private_dirty():
    with open("/proc/self/smaps_rollup", "rb") as rollup:
        for line in rollup:
            if line.startswith(b"Private_Dirty:"):
                return int(line.split()[1]) * 1024
    raise SystemExit("no Private_Dirty in /proc/self/smaps_rollup")


def classes(fields):
    names = ["f%d" % k for k in range(fields)]
    body = "    def __init__(self, %s):\n        %s\n" % (", ".join(names), "; ".join("self.%s = %s" % (n, n) for n in names))
    namespace = {}
    exec("class Plain:\n" + body, namespace)
    exec("class Slots:\n    __slots__ = %r\n" % (tuple(names),) + body, namespace)
    exec("def touch(node):\n    %s\n" % "; ".join("node.%s" % n for n in names), namespace)
    return namespace["Plain"], namespace["Slots"], namespace["touch"]


def main():
    layout, count = sys.argv[1], int(sys.argv[2])
    fields = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    children = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    freeze = len(sys.argv) > 5 and sys.argv[5] == "freeze"
    read = not (len(sys.argv) > 6 and sys.argv[6] == "none")
    plain, slots, touch = classes(fields)
    make = {"python-slots-class": slots, "python-dict-class": plain}[layout]
    gc.disable()
    objects = [None] * count
    for i in range(count):
        objects[i] = make(*[i + k + 1000 for k in range(fields)])
    pipes = [os.pipe() for _ in range(children)]
    release_read, release_write = os.pipe()
    if freeze:
        gc.freeze()
    pids = []
    for child in range(children):
        pid = os.fork()
        if pid == 0:
            os.close(release_write)
            before = smaps_private_dirty()
            if read:
                for node in objects:
                    touch(node)
            node = None
            gc.enable()
            gc.collect()
            grown = smaps_private_dirty() - before
            os.write(pipes[child][1], b"%d\n" % grown)
            os.read(release_read, 1)
            os._exit(0)
        pids.append(pid)
    os.close(release_read)
    growth = []
    for read_end, write_end in pipes:
        os.close(write_end)
        growth.append(int(os.read(read_end, 64)))
    os.close(release_write)
    for pid in pids:
        os.waitpid(pid, 0)
    growth.sort()
    middle = len(growth) // 2
    median = growth[middle] if len(growth) % 2 else (growth[middle - 1] + growth[middle]) / 2
    print(layout, count, children, "freeze" if freeze else "nofreeze", "traverse" if read else "none", "%.3f" % (median / count))


main()
