"""sys.getsizeof per node of the lab's Python layouts with str, bytes and list fields, from a bare interpreter and
independently of the lab's worker. The shape: x int64 (i + 1000), initial string[1], name string[24],
tag bytes[40], scores array<int64>[10] (element j of node i is i + j). Prints one line per layout, the mean over
nodes 0..N-1 of getsizeof(node) (+ its __dict__) + getsizeof of every object the node's fields hold that is the
node's own; then one line per object kind and length (`str L size`, `bytes L size`, `list L size`, `int size`).

Which objects are the node's own is found by identity, not by a rule: an object that CPython hands out again
when the same value is made anew (a small int, an empty or one-character str or bytes) is shared.
Usage: python3 python_field_sizes.py N"""
import sys
from collections import namedtuple

FIELDS = ("x", "initial", "name", "tag", "scores")


class Plain:
    def __init__(self, x, initial, name, tag, scores):
        self.x = x
        self.initial = initial
        self.name = name
        self.tag = tag
        self.scores = scores


class Slots:
    __slots__ = FIELDS

    def __init__(self, x, initial, name, tag, scores):
        self.x = x
        self.initial = initial
        self.name = name
        self.tag = tag
        self.scores = scores


MAKERS = {"python-dict-class": Plain, "python-slots-class": Slots,
          "python-namedtuple": namedtuple("Named", FIELDS), "python-tuple": lambda *values: values}
if sys.version_info >= (3, 10):
    from dataclasses import dataclass

    @dataclass(slots=True)
    class DataSlots:
        x: object
        initial: object
        name: object
        tag: object
        scores: object

    MAKERS["python-dataclass-slots"] = DataSlots


def shared(value):
    """Whether CPython returns this very object when the value is made again."""
    if type(value) is int:
        return (value + 1) - 1 is value
    if type(value) is str:
        return (value + "x")[:-1] is value
    if type(value) is bytes:
        return (value + b"x")[:-1] is value
    return False


def own_size(value):
    if type(value) is list:
        return sys.getsizeof(value) + sum(own_size(element) for element in value)
    return 0 if shared(value) else sys.getsizeof(value)


def node_size(node):
    if isinstance(node, tuple):
        values = list(node)
    else:
        values = [getattr(node, name) for name in FIELDS]
    total = sys.getsizeof(node) + sum(own_size(value) for value in values)
    if hasattr(node, "__dict__"):
        total += sys.getsizeof(node.__dict__)
    return total


def scores(i):
    """A list display: exactly 10 slots (a comprehension would over-allocate as it appends)."""
    return [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7, i + 8, i + 9]


TEXT = "abcdefghijklmnopqrstuvwxyz" * 3
DATA = TEXT.encode()
count = int(sys.argv[1])
for layout, make in MAKERS.items():
    # Each value made anew per node, as a program reading rows makes them (slices, not shared constants).
    nodes = [make(i + 1000, TEXT[i % 26:i % 26 + 1], TEXT[i % 26:i % 26 + 24], DATA[i % 26:i % 26 + 40], scores(i))
             for i in range(count)]
    print(layout, sum(node_size(node) for node in nodes) / count)
for length in (0, 1, 2, 8, 15, 16, 24, 40, 64):
    print("str", length, sys.getsizeof(("y" + "x" * length)[1:]))
    print("bytes", length, sys.getsizeof((b"y" + b"x" * length)[1:]))
    print("list", length, sys.getsizeof([None] * length))
print("int", sys.getsizeof(10 ** 6))
