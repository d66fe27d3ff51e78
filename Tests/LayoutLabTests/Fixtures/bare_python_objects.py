"""An independent measurement for the lab's Python layouts: a bare interpreter builds N objects of one layout
(two distinct int fields) in a list and prints the RSS growth per node, read from /proc/self/statm.
Nothing of the lab is imported. Usage: python3 bare_python_objects.py LAYOUT N"""
import os
import sys
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
class DataSlots:
    x: object
    y: object


Named = namedtuple("Named", ["x", "y"])
MAKERS = {
    "python-dict-class": Plain, "python-slots-class": Slots, "python-dataclass-slots": DataSlots,
    "python-namedtuple": Named, "python-tuple": lambda x, y: (x, y),
}


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


make = MAKERS[sys.argv[1]]
n = int(sys.argv[2])
before = rss()
objects = [None] * n
for i in range(n):
    objects[i] = make(i + 1000, i + 1001)
print((rss() - before) / n)
