"""Bare-interpreter check of the lab's Python figures (no lab code): builds N three-attribute objects of one
layout with shared values (True/False), and prints getsizeof, tracemalloc and RSS delta per object as JSON.
Usage: python3 bench/bare_python_objects.py LAYOUT N [--touch-dict]. --touch-dict reads each object's __dict__
(for dict-and-slots and plain classes: CPython 3.11+ then builds a dict per object)."""
import collections, json, sys, tracemalloc

def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

def node_type(layout):
    if layout == "python-dict-class":
        class Node:
            def __init__(self, x, y, z): self.x = x; self.y = y; self.z = z
        return Node
    if layout == "python-slots-class":
        class Node:
            __slots__ = ("x", "y", "z")
            def __init__(self, x, y, z): self.x = x; self.y = y; self.z = z
        return Node
    if layout == "python-dict-and-slots":
        class Node:
            __slots__ = ("x", "y", "z", "__dict__")
            def __init__(self, x, y, z): self.x = x; self.y = y; self.z = z
        return Node
    if layout == "python-dataclass-slots":
        import dataclasses
        @dataclasses.dataclass(slots=True)
        class Node:
            x: bool
            y: bool
            z: bool
        return Node
    if layout == "python-tuple":
        return lambda x, y, z: (x, y, z)
    if layout == "python-namedtuple":
        return collections.namedtuple("Node", "x y z")
    raise SystemExit("unknown layout " + layout)

def build(make, n):
    nodes = [None] * n
    for i in range(n):
        nodes[i] = make(i & 1 == 0, (i + 1) & 1 == 0, (i + 2) & 1 == 0)
    return nodes

def main():
    layout, n = sys.argv[1], int(sys.argv[2])
    touch = "--touch-dict" in sys.argv
    make = node_type(layout)
    references = [None] * n          # the reference array, outside the measured delta
    before = rss_bytes()
    nodes = build(make, n)
    if touch:
        for node in nodes: node.__dict__
    rss = (rss_bytes() - before) / n
    size = sys.getsizeof(nodes[0]) + (sys.getsizeof(nodes[0].__dict__) if hasattr(nodes[0], "__dict__") else 0)
    # tracemalloc after, with the RSS build still alive: freed tuples would come back from CPython's free lists
    # untraced, and tracemalloc's own tables, freed by stop(), would be reused by a later build.
    probe = min(n, 65536)
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    traced = build(make, probe)
    if touch:
        for node in traced: node.__dict__
    traced_bytes = (tracemalloc.get_traced_memory()[0] - start - sys.getsizeof(traced)) / probe
    tracemalloc.stop()
    print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "layout": layout, "nodes": n,
                      "getsizeof_bytes": size, "tracemalloc_bytes": traced_bytes, "rss_bytes": rss}))

main()
