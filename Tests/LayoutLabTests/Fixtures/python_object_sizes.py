"""The expected sizes of one node of each Python layout (a point of two ints, as the lab builds it), from the
interpreter in use and independently of the lab's worker: python_object_sizes.py prints, per layout,

  getsizeof   sys.getsizeof of the object, of its __dict__ where it has one, and of its two int objects
  traced      bytes tracemalloc traced per node while 20 000 nodes were built (one-off costs amortised) (the bytes asked of the allocator)
  rounded     the same allocations each rounded up to 16 bytes (pymalloc's alignment, and jemalloc's size
              classes below 128 bytes), plus the 8-byte list slot: what RSS must be, short of page slack
"""

import sys
import tracemalloc
from collections import namedtuple
from dataclasses import dataclass


class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slots:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


@dataclass(slots=True)
class DataclassSlots:
    x: object
    y: object


Point = namedtuple("Point", ["x", "y"])

MAKERS = {
    "python-dict-class": lambda i: Plain(i + 1000, i + 1001),
    "python-slots-class": lambda i: Slots(i + 1000, i + 1001),
    "python-dataclass-slots": lambda i: DataclassSlots(i + 1000, i + 1001),
    "python-tuple": lambda i: (i + 1000, i + 1001),
    "python-namedtuple": lambda i: Point(i + 1000, i + 1001),
}

COUNT = 20000
for name, make in MAKERS.items():
    nodes = [None] * COUNT
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(COUNT):
        nodes[i] = make(i)
    traced = tracemalloc.get_traced_memory()[0] - before
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    rounded = sum((trace.size + 15) // 16 * 16 for trace in snapshot.traces)
    node = nodes[COUNT // 2]
    size = sys.getsizeof(node) + 2 * sys.getsizeof(node[0] if isinstance(node, tuple) else node.x)
    if hasattr(node, "__dict__"):
        size += sys.getsizeof(node.__dict__)
    print(name, size, traced / COUNT, rounded / COUNT + 8)
