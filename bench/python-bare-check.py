"""A bare interpreter's figure for the lab's Python str and bytes fields (issue 15's must-show): builds N nodes of
one layout with the fields `id int64, name string[uniform(8,40)], tag bytes[40]` in a list and prints the RSS
growth per node, read from /proc/self/statm before the list and after the last node (the lab's baseline idea:
after setup, before the nodes; the list's 8 B slot per node is counted, as in the lab).

Nothing of the lab is imported: the lengths are NodeDraw's uniform draw, written out again here (SplitMix64 of
the seed, the field position and the node index), so both build the same objects. Run it under the allocator the
lab trial used: PYTHONMALLOC=malloc for the lab's `system` allocator (the lab sets it for every allocator but
`pymalloc`), unset for `pymalloc`.

Usage: python3 bench/python-bare-check.py LAYOUT N [SEED]   (LAYOUT: python-slots-class or python-dict-class)
Prints: layout nodes rss_bytes_per_node getsizeof_bytes_per_node"""
import os
import sys

MASK = (1 << 64) - 1
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def first_hash(seed, position, i):
    return mix(seed ^ (((position + 1) * 0x9E3779B97F4A7C15) & MASK) ^ ((i * 0xD1B54A32D192ED03) & MASK))


class Plain:
    def __init__(self, id, name, tag):
        self.id = id
        self.name = name
        self.tag = tag


class Slots:
    __slots__ = ("id", "name", "tag")

    def __init__(self, id, name, tag):
        self.id = id
        self.name = name
        self.tag = tag


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    layout, count = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    make = {"python-slots-class": Slots, "python-dict-class": Plain}[layout]
    text = LETTERS * 4
    data = text.encode()
    # Field 0 is id (i + 1000, as the lab's int fields), 1 name, 2 tag.
    before = rss()
    nodes = [None] * count
    for i in range(count):
        h1 = first_hash(seed, 1, i)
        start = h1 % 26
        name = text[start:start + 8 + h1 % 33]
        start = first_hash(seed, 2, i) % 26
        nodes[i] = make(i + 1000, name, data[start:start + 40])
    grown = rss() - before
    sample = nodes[count // 2]
    size = sys.getsizeof(sample) + sys.getsizeof(sample.id) + sys.getsizeof(sample.tag)
    names = sum(sys.getsizeof(node.name) for node in nodes) / count
    if hasattr(sample, "__dict__"):
        size += sys.getsizeof(sample.__dict__)
    print(layout, count, "%.3f" % (grown / count), "%.3f" % (size + names))


main()
