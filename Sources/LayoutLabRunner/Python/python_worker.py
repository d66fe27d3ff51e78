"""LayoutLab's Python worker: one trial of a Python layout in one fresh interpreter, speaking the same
protocol as the Swift worker (arguments `--key value`, reply lines on stdout; see WorkerRequest and
WorkerReply). Standard library only.

Python cannot sample without creating objects: the samplers read /proc with os.preadv into bytearrays made
before the phase and store numbers in preallocated array('q') buffers, but parsing still creates a few small
int objects per sample (freed at once, so they do not accumulate); `calibrate`-style costs are in sample_ns.

Fields arrive as whole type tokens (`name:string[uniform(8,40)]`, `tag:bytes[40]`, `scores:array<int64>[10]`):
bytes, string and array fields are built as NodeDraw.swift describes (see field_builder), from sources and a
table of per-node draws made before the allocate baseline; building a node allocates only the node's own
objects and short-lived ints (freed at once).

With `--threads T` (T >= 1) every phase runs on a pool of T threads and the main thread samples (ThreadedTrial);
without it, or with 0, the classic single-thread trial runs unchanged.
"""

import os
import sys


def read_start_rss_bytes():
    """VmRSS of this process now, in bytes (None if unreadable): read before the lab imports anything but os and
    sys, it is what the interpreter itself costs a process (the `interpreter` reply)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


START_RSS_BYTES = read_start_rss_bytes()

import array
import ctypes
import ctypes.util
import gc
import itertools
import math
import os
import resource
import sys
import time

# A sample's figures in the order of a `sample` reply line: a copy of MemorySample.Field (Swift), which a test
# (PythonWorkerProtocolTests) checks field by field. The sampler stores by these names' positions.
SAMPLE_FIELDS = (
    "nodes_alive", "elapsed_ns", "rss_bytes", "rss_anon_bytes", "smaps_rss_bytes", "pss_bytes", "private_dirty_bytes",
    "anonymous_bytes", "vm_hwm_bytes", "allocator_allocated_bytes", "allocator_active_bytes",
    "allocator_resident_bytes", "allocator_metadata_bytes", "allocator_mapped_bytes", "allocator_retained_bytes",
    "sample_ns", "tree_rss_bytes",
)
# Figures every sample has; the others are -1 in the store (an empty field) where their sampler was not read.
REQUIRED_SAMPLE_FIELDS = ("nodes_alive", "elapsed_ns", "sample_ns")
NODES_ALIVE, ELAPSED_NS, RSS, RSS_ANON, SMAPS_RSS, PSS, PRIVATE_DIRTY, ANONYMOUS, VM_HWM, ALLOCATOR_FIRST, SAMPLE_NS = (
    SAMPLE_FIELDS.index(name) for name in (
        "nodes_alive", "elapsed_ns", "rss_bytes", "rss_anon_bytes", "smaps_rss_bytes", "pss_bytes", "private_dirty_bytes",
        "anonymous_bytes", "vm_hwm_bytes", "allocator_allocated_bytes", "sample_ns"))
SAMPLE_WIDTH = len(SAMPLE_FIELDS)


def fail(message):
    print("failure\t" + message.replace("\n", " ").replace("\t", " "))
    sys.stdout.flush()
    os._exit(1)


def parse_arguments(argv):
    if len(argv) % 2:
        fail("bad request: arguments come in `--key value` pairs")
    values = dict(zip(argv[0::2], argv[1::2]))
    required = ["--trial-id", "--python-layout", "--python-fields", "--nodes", "--checkpoints", "--smaps", "--allocator-schedule",
                "--allocator-statistics", "--expect-malloc-provider", "--probe-nodes", "--phases", "--seed"]
    for key in required:
        if key not in values:
            fail("bad request: missing " + key)
    return values


# ---------------------------------------------------------------------------------------------------------------
# Fields: the request's type tokens (Field.typeToken in Swift) and the values of bytes, string and array fields,
# drawn per node exactly as NodeDraw.swift describes (a test, PythonFieldDrawTests, compares the two).

SCALAR_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float", "double", "bool")
VARIABLE_TYPES = ("bytes", "string", "array")
# FieldLength.maximumLength(of:): 1 MiB of bytes or characters, 128 Ki array elements.
MAXIMUM_LENGTH = {"bytes": 1_048_576, "string": 1_048_576, "array": 131_072}
# (bits, signed) of the integer element types: an array element j of node i is i + j truncated to the type.
INTEGER_WIDTH = {"int8": (8, True), "int16": (16, True), "int32": (32, True), "int64": (64, True),
                 "uint8": (8, False), "uint16": (16, False), "uint32": (32, False), "uint64": (64, False)}
MASK64 = (1 << 64) - 1
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class FieldSpec:
    """One field of the request: its name, its kind (a scalar type, `reference`, or `bytes`/`string`/`array`),
    an array's element type and a variable field's length, `("fixed", n)`, `("uniform", a, b)`,
    `("lognormal", median, sigma, max)` or `("choice", ((length, weight), ...))`."""

    def __init__(self, name, kind, element=None, length=None):
        self.name = name
        self.kind = kind
        self.element = element
        self.length = length

    def largest(self):
        """The largest length a node can draw (FieldLength.largest)."""
        form = self.length
        if form[0] == "fixed":
            return form[1]
        if form[0] == "uniform":
            return form[2]
        if form[0] == "lognormal":
            return form[3]
        return max(length for length, _ in form[1])


def parse_length(text, where):
    """A FieldLength.token: `40`, `uniform(8,40)`, `lognormal(20.0,0.6,400)`, `choice(8@0.7,120@0.3)`."""
    def count(value, what):
        try:
            number = int(value)
        except ValueError:
            fail("bad request: %s: %s must be a whole number, got %r" % (where, what, value))
        if number < 0:
            fail("bad request: %s: %s must not be negative, got %d" % (where, what, number))
        return number

    def real(value, what):
        try:
            number = float(value)
        except ValueError:
            fail("bad request: %s: %s must be a number, got %r" % (where, what, value))
        if not math.isfinite(number):
            fail("bad request: %s: %s must be finite, got %r" % (where, what, value))
        return number

    if "(" not in text:
        return ("fixed", count(text, "the length"))
    if not text.endswith(")"):
        fail("bad request: %s: expected a length such as 40, uniform(8,40), lognormal(20,0.6,400) or "
             "choice(8@0.7,120@0.3), got %r" % (where, text))
    kind, arguments = text[:-1].split("(", 1)
    parts = arguments.split(",")
    if kind == "uniform" and len(parts) == 2:
        lower, upper = count(parts[0], "uniform's lower bound"), count(parts[1], "uniform's upper bound")
        if lower > upper:
            fail("bad request: %s: uniform(%d,%d) has its lower bound above its upper bound" % (where, lower, upper))
        return ("uniform", lower, upper)
    if kind == "lognormal" and len(parts) == 3:
        median, sigma = real(parts[0], "lognormal's median"), real(parts[1], "lognormal's sigma")
        if median <= 0 or sigma < 0:
            fail("bad request: %s: lognormal needs a positive median and a sigma of 0 or more, got %r" % (where, text))
        return ("lognormal", median, sigma, count(parts[2], "lognormal's max"))
    if kind == "choice" and parts and all("@" in part for part in parts):
        options = tuple((count(part.split("@")[0], "a choice's length"), real(part.split("@")[1], "a choice's weight"))
                        for part in parts)
        if any(weight <= 0 for _, weight in options):
            fail("bad request: %s: every choice weight must be positive, got %r" % (where, text))
        return ("choice", options)
    fail("bad request: %s: expected uniform(a,b), lognormal(median,sigma,max) or choice(length@weight,...), got %r"
         % (where, text))


def parse_field(item):
    """One `name:token` of --python-fields: `x:int64`, `next:reference`, `tag:bytes[40]`,
    `name:string[uniform(8,40)]`, `scores:array<int64>[10]`."""
    name, separator, token = item.partition(":")
    where = "--python-fields field %r" % name
    if not name or not separator or not token:
        fail("bad request: --python-fields: expected name:type, got %r" % item)
    if not name.isidentifier():
        fail("bad request: %s: the name must be a Python identifier" % where)
    kind, element, length = token, None, None
    if "[" in token:
        if not token.endswith("]"):
            fail("bad request: %s: expected type[length], got %r" % (where, token))
        kind, length = token[:-1].split("[", 1)
    if "<" in kind:
        if not kind.endswith(">"):
            fail("bad request: %s: expected array<element>, got %r" % (where, token))
        kind, element = kind[:-1].split("<", 1)
    if kind in SCALAR_TYPES or kind == "reference":
        if element is not None or length is not None:
            fail("bad request: %s: %s fields have no element type or length, got %r" % (where, kind, token))
        return FieldSpec(name, kind)
    if kind not in VARIABLE_TYPES:
        fail("bad request: %s: unknown type %r (expected one of %s, reference, %s)"
             % (where, kind, ", ".join(SCALAR_TYPES), ", ".join(VARIABLE_TYPES)))
    if length is None:
        fail("bad request: %s: a %s field needs a length, as in %s[40]" % (where, kind, kind))
    if kind == "array" and element not in SCALAR_TYPES:
        fail("bad request: %s: an array's element must be one of %s, got %r" % (where, ", ".join(SCALAR_TYPES), element))
    if kind != "array" and element is not None:
        fail("bad request: %s: only an array has an element type, got %r" % (where, token))
    field = FieldSpec(name, kind, element, parse_length(length, where))
    if field.largest() > MAXIMUM_LENGTH[kind]:
        fail("bad request: %s: %s fields hold at most %d elements, got a length up to %d"
             % (where, kind, MAXIMUM_LENGTH[kind], field.largest()))
    return field


def parse_fields(text):
    fields = [parse_field(item) for item in text.split(";") if item]
    if not fields:
        fail("bad request: --python-fields names no field")
    return fields


def mix(z):
    """SplitMix64's output function on 64-bit unsigned values (NodeDraw.mix)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def choice_thresholds(options):
    """NodeDraw.choiceThresholds: floor(cumulative weight * 2^53), the last 2^53."""
    cumulative = 0.0
    thresholds = []
    for index, (_, weight) in enumerate(options):
        cumulative += weight
        thresholds.append(1 << 53 if index == len(options) - 1 else int(math.floor(cumulative * 9007199254740992.0)))
    return thresholds


def length_draw(form):
    """The function from a node's first hash h1 to its length (NodeDraw.length)."""
    if form[0] == "fixed":
        count = form[1]
        return lambda h1: count
    if form[0] == "uniform":
        lower, span = form[1], form[2] - form[1] + 1
        return lambda h1: lower + h1 % span
    if form[0] == "choice":
        pairs = tuple(zip(choice_thresholds(form[1]), (length for length, _ in form[1])))
        last = form[1][-1][0]
        def choose(h1):
            draw = h1 >> 11
            for threshold, length in pairs:
                if draw < threshold:
                    return length
            return last
        return choose
    median, sigma, cap = form[1], form[2], form[3]
    log, cos, exp, sqrt, two_pi = math.log, math.cos, math.exp, math.sqrt, 2 * math.pi
    def lognormal(h1):
        # Box–Muller in IEEE doubles with the C library's log, cos and exp (what math calls), as NodeDraw does.
        u1 = ((h1 >> 11) + 1) * 1.1102230246251565e-16  # 2^-53
        u2 = (mix(h1 ^ 0xA24BAED4963EE407) >> 11) * 1.1102230246251565e-16
        value = median * exp(sigma * (sqrt(-2 * log(u1)) * cos(two_pi * u2))) + 0.5
        return cap if value >= cap else int(math.floor(value))
    return lognormal


def node_hash_base(seed, position):
    """The part of NodeDraw.firstHash that does not depend on the node: seed ^ (k + 1)·0x9E3779B97F4A7C15."""
    return (seed & MASK64) ^ (((position + 1) * 0x9E3779B97F4A7C15) & MASK64)


def node_draw(field, seed, position):
    """(length, content offset) of node i for this field, as a function of i: for the parity test."""
    base, length = node_hash_base(seed, position), length_draw(field.length)
    def draw(i):
        h1 = mix(base ^ ((i * 0xD1B54A32D192ED03) & MASK64))
        return length(h1), h1 % 26
    return draw


def node_draws(field, seed, position, nodes):
    """Every node's draw for this field, packed `length << 5 | offset` in an array('I') of 4 B per node (lengths
    are at most 2^20, offsets below 26). Made before the allocate baseline, like the permutation: hashing in
    Python costs several times what building a small object does, and the lab times building nodes, not
    drawing them (the Swift layouts' inline hash costs a few ns). The table is the worker's, not the nodes'."""
    draw = node_draw(field, seed, position)
    draws = array.array("I", bytes(4 * nodes))
    for i in range(nodes):
        length, offset = draw(i)
        draws[i] = length << 5 | offset
    return draws


def field_builder(field, seed, position, nodes):
    """The function of the node index i (below `nodes`) that builds field `position`'s value, made (sources and
    node_draws included) before the allocate baseline so that building a node allocates the node's own objects:

    - bytes: a `bytes` of L bytes, string: a `str` of L ASCII letters, both a slice SRC[off:off + L] of a source
      "abc…zabc…" made here, off = h1 mod 26. CPython hands out shared objects for the empty and the one-character
      str and bytes (its own caches), so such values cost a node nothing: that is real CPython, kept.
    - array: a Python `list` of L objects, element j = i + j: ints truncated to the element type (int8 wraps at
      128), floats for float and double (float rounded to single precision, as Float(i + j) is), True/False for
      bool ((i + j) & 1 == 1, the low bit; shared singletons). A `list` and not an `array('q')`: ORM rows,
      decoded JSON and plain Python code hold lists of int objects (each int 28–32 bytes plus an 8-byte slot),
      and that is the cost the lab reports; array('q') would pack 8 bytes per element and could be offered as
      an option, never as the default. Ints from -5 to 256 are CPython's shared small ints (node i < 257 shares
      some), others are objects of their own. The list is copied once (`[:]`) so that it has exactly L slots,
      as a list display has: list(range(...)) rounds its capacity up on CPython 3.9+ (and more on 3.6–3.7)."""
    draws = node_draws(field, seed, position, nodes)
    largest = field.largest()
    if field.kind in ("string", "bytes"):
        text = LETTERS * (largest // 26 + 2)
        source = text if field.kind == "string" else text.encode("ascii")
        def build_text(i):
            packed = draws[i]
            offset = packed & 31
            return source[offset:offset + (packed >> 5)]
        return build_text
    element = field.element
    if element == "bool":
        bools = [index & 1 == 1 for index in range(largest + 2)]
        def build_bools(i):
            start = i & 1
            return bools[start:start + (draws[i] >> 5)]
        return build_bools
    if element in ("float", "double"):
        single = element == "float"
        def build_floats(i):
            count = draws[i] >> 5
            if single and i + count > 1 << 24:  # beyond 2^24 a float cannot hold every integer: round as Float does
                return array.array("f", range(i, i + count)).tolist()
            return list(map(float, range(i, i + count)))[:]
        return build_floats
    bits, signed = INTEGER_WIDTH[element]
    limit = 1 << (bits - 1) if signed else 1 << bits
    width_mask, offset = (1 << bits) - 1, (1 << (bits - 1)) if signed else 0
    def build_ints(i):
        count = draws[i] >> 5
        if i + count <= limit:  # every i + j fits the type
            return list(range(i, i + count))[:]
        return [((value + offset) & width_mask) - offset for value in range(i, i + count)][:]
    return build_ints


class Dl_info(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


class Allocator:
    """The allocator's identity, ownership query, statistics and purge, through ctypes: the entry points the
    Swift worker calls (CLayoutLabShims), found with dlsym in the whole process and prepared before the phase.
    Statistics map onto the same six columns as AllocatorStatistics.swift; -1 marks a figure the allocator
    does not have (an empty cell)."""

    STATS = ("stats.allocated", "stats.active", "stats.resident", "stats.metadata", "stats.mapped", "stats.retained")
    TCMALLOC = ("generic.current_allocated_bytes", "generic.heap_size", "tcmalloc.pageheap_free_bytes",
                "tcmalloc.pageheap_unmapped_bytes", "generic.total_physical_bytes")

    def __init__(self, source):
        self.source = source
        # PyDLL: a call keeps the GIL, so that a pool thread sampling the allocator (ThreadedTrial.sample) holds it
        # for the whole sample, as Sampler.read does.
        self.process = ctypes.PyDLL(None)
        self.value = ctypes.c_size_t(0)
        self.size = ctypes.c_size_t(ctypes.sizeof(ctypes.c_size_t))
        self.epoch = ctypes.c_uint64(1)
        if source == "jemalloc":
            self.mallctl = self.function("mallctl")
            self.names = [name.encode() for name in self.STATS]
        elif source == "mallinfo2":
            self.mallinfo2 = self.function("mallinfo2")
            self.mallinfo2.restype = Mallinfo2
        elif source == "mimalloc":
            self.process_info = self.function("mi_process_info")
            self.process_info.restype = None
            # elapsed, user, system, rss, peak rss, commit, peak commit, faults: preallocated, passed by pointer.
            self.info = [ctypes.c_size_t(0) for _ in range(8)]
            self.info_pointers = [ctypes.pointer(value) for value in self.info]
            self.in_heap = self.function("mi_is_in_heap_region")
            self.in_heap.restype = ctypes.c_bool
            self.in_heap.argtypes = [ctypes.c_void_p]
        elif source == "tcmalloc":
            self.numeric = self.function("MallocExtension_GetNumericProperty")
            self.numeric.restype = ctypes.c_int
            self.properties = [name.encode() for name in self.TCMALLOC]
            self.property_values = [ctypes.c_size_t(0) for _ in self.TCMALLOC]
            self.property_pointers = [ctypes.pointer(value) for value in self.property_values]
            self.ownership = self.function("MallocExtension_GetOwnership")
            self.ownership.restype = ctypes.c_int
            self.ownership.argtypes = [ctypes.c_void_p]

    def function(self, name):
        """A C function of the process (the preloaded allocator included), or a failure naming it."""
        function = getattr(self.process, name, None)
        if function is None:
            fail("%s statistics asked for, but %s is not loaded" % (self.source, name))
        return function

    def provider(self):
        libdl = ctypes.CDLL(ctypes.util.find_library("dl") or None)
        info = Dl_info()
        address = ctypes.cast(self.process.malloc, ctypes.c_void_p)
        if not libdl.dladdr(address, ctypes.byref(info)) or not info.dli_fname:
            fail("cannot tell which shared object provides malloc (dladdr failed)")
        return os.path.realpath(info.dli_fname.decode())

    def owns(self, pointer):
        """Whether the allocator claims `pointer` (jemalloc arenas.lookup, mimalloc mi_is_in_heap_region,
        tcmalloc MallocExtension_GetOwnership), or None where it has no way to say."""
        if self.source == "jemalloc":
            arena = ctypes.c_uint(0)
            size = ctypes.c_size_t(ctypes.sizeof(arena))
            address = ctypes.c_void_p(pointer)
            return self.mallctl(b"arenas.lookup", ctypes.byref(arena), ctypes.byref(size), ctypes.byref(address),
                                ctypes.sizeof(address)) == 0
        if self.source == "mimalloc":
            return bool(self.in_heap(pointer))
        if self.source == "tcmalloc":
            return self.ownership(pointer) == 1  # kOwned
        return None

    def verify(self, expected):
        """Proves which allocator serves malloc, as MallocProviderCheck does in the Swift worker: dladdr of
        malloc names the expected file, a fresh malloc(64) belongs to the allocator where it can say, and its
        statistics can be read. Returns the provider's real path."""
        provider = self.provider()
        if provider != os.path.realpath(expected):
            fail("malloc is served by %s, not by the requested %s; was the library preloaded?" % (provider, expected))
        malloc, free = self.process.malloc, self.process.free
        malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
        free.restype, free.argtypes = None, [ctypes.c_void_p]
        probe = malloc(64)
        owned = self.owns(probe)
        free(probe)
        if owned is False:
            fail("a fresh malloc(64) does not belong to %s (its ownership query refused it)" % self.source)
        self.read_into(array.array("q", [0]) * 6, 0)
        return provider

    def version(self):
        if self.source == "jemalloc":
            pointer = ctypes.c_char_p()
            size = ctypes.c_size_t(ctypes.sizeof(pointer))
            if self.mallctl(b"version", ctypes.byref(pointer), ctypes.byref(size), None, 0) == 0:
                return pointer.value.decode()
        if self.source == "mallinfo2":
            return os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
        if self.source == "mimalloc":
            version = getattr(self.process, "mi_version", None)
            if version is not None:
                number = version()
                return "%d.%d.%d" % (number // 100, number // 10 % 10, number % 10)
        if self.source == "tcmalloc":
            version = getattr(self.process, "tc_version", None)
            if version is not None:
                version.restype = ctypes.c_char_p
                version.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
                text = version(None, None, None)
                return text.decode() if text else ""
        return ""

    def read_into(self, store, offset):
        """Writes allocated, active, resident, metadata, mapped, retained into store[offset:offset+6];
        -1 marks a figure the allocator does not have."""
        if self.source == "jemalloc":
            size = self.size
            self.mallctl(b"epoch", None, None, ctypes.byref(self.epoch), 8)
            for index, name in enumerate(self.names):
                size.value = 8
                if self.mallctl(name, ctypes.byref(self.value), ctypes.byref(size), None, 0) != 0:
                    fail("mallctl " + name.decode() + " failed")
                store[offset + index] = self.value.value
        elif self.source == "mallinfo2":
            info = self.mallinfo2()
            store[offset] = info.uordblks + info.hblkhd
            store[offset + 1] = store[offset + 2] = store[offset + 3] = -1
            store[offset + 4] = info.arena + info.hblkhd
            store[offset + 5] = -1
        elif self.source == "mimalloc":
            # Only its commit: release builds keep no allocation counters, and its "rss" is an estimate.
            self.process_info(*self.info_pointers)
            for index in range(6):
                store[offset + index] = -1
            # Summed per-thread counters can wrap below 0 after frees from other threads: no figure then.
            commit = self.info[5].value
            store[offset + 4] = commit if commit < (1 << 63) else -1
        elif self.source == "tcmalloc":
            values = self.property_values
            for index, name in enumerate(self.properties):
                if not self.numeric(name, self.property_pointers[index]):
                    values[index].value = (1 << 64) - 1  # refused: an empty cell, as in the Swift worker
            refused = (1 << 64) - 1
            allocated, heap, free, unmapped, physical = (-1 if v.value == refused else v.value for v in values)
            store[offset] = allocated
            store[offset + 1] = heap - free - unmapped if min(heap, free, unmapped) >= 0 else -1
            store[offset + 2] = -1
            # Metadata as the Swift worker has it: total_physical - heap_size + pageheap_unmapped.
            store[offset + 3] = physical - heap + unmapped if min(physical, heap, unmapped) >= 0 else -1
            store[offset + 4] = heap
            store[offset + 5] = unmapped
        else:
            for index in range(6):
                store[offset + index] = -1

    def purge(self):
        """Asks the allocator to return free memory, through the Swift worker's entry points (ll_purge):
        jemalloc arena.<all>.purge, glibc malloc_trim(0), mimalloc mi_collect(true), tcmalloc
        MallocExtension_ReleaseFreeMemory. False where the allocator offers none."""
        if self.source == "jemalloc":
            return self.mallctl(b"arena.4096.purge", None, None, None, 0) == 0  # 4096: MALLCTL_ARENAS_ALL
        if self.source == "mallinfo2":
            self.process.malloc_trim(0)
            return True
        if self.source == "mimalloc":
            collect = getattr(self.process, "mi_collect", None)
            if collect is None:
                return False
            collect.restype, collect.argtypes = None, [ctypes.c_bool]
            collect(True)
            return True
        if self.source == "tcmalloc":
            release = getattr(self.process, "MallocExtension_ReleaseFreeMemory", None)
            if release is None:
                return False
            release.restype = None
            release()
            return True
        return False


class Counters:
    """The Swift worker's CostCounters, as far as Python reaches: the thread's CPU clock and its rusage, summed
    over the stretches between sampling callbacks, and /proc/stat's steal and busy time over the whole phase.
    No hardware counters (their cells stay empty); callgrind does not run Python trials.

    The reads nest as the Swift PhaseRecorder nests them, rusage outermost: resume calls getrusage, then the
    CPU clock; pause the CPU clock, then getrusage. So neither getrusage nor the struct_rusage it builds (from
    the measured allocator under PYTHONMALLOC=malloc) falls inside the CPU stretch; what remains inside is the
    interpreter's call into thread_time_ns and the int it returns. The functions are looked up once, the
    totals list is reused from phase to phase, and pause releases the start readings, so that resume frees
    nothing inside a stretch."""

    FIELDS = 12  # PhaseCounters.fields: cpu, minor, major, voluntary, involuntary, steal, neighbour, 4 hardware, interval

    def __init__(self, phases):
        self.stat = os.open("/proc/stat", os.O_RDONLY)
        self.stat_buffer = bytearray(1024)
        self.stat_view = memoryview(self.stat_buffer)
        self.ns_per_tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
        self.getrusage = resource.getrusage
        self.thread = resource.RUSAGE_THREAD
        self.thread_time_ns = time.thread_time_ns
        self.totals = [0] * 5
        self.start_cpu = 0
        self.start_usage = None
        self.machine_start = (None, 0, 0)
        self.phases = [None] * phases

    def machine(self):
        # The process's CPU time includes that of the children a fork phase reaped: its own work, not others'.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        process_ns = time.process_time_ns() + int((children.ru_utime + children.ru_stime) * 1e9)
        length = os.preadv(self.stat, [self.stat_view], 0)
        line = bytes(self.stat_buffer[:length]).split(b"\n", 1)[0].split()
        if len(line) < 9 or line[0] != b"cpu":
            return (None, process_ns, time.monotonic_ns())
        user, nice, system, _, _, irq, softirq, steal = (int(v) for v in line[1:9])
        return ((user + nice + system + irq + softirq, steal), process_ns, time.monotonic_ns())

    def begin(self):
        self.totals[:] = (0, 0, 0, 0, 0)
        self.machine_start = self.machine()

    def resume(self):
        self.start_usage = self.getrusage(self.thread)
        self.start_cpu = self.thread_time_ns()

    def pause(self):
        now = self.thread_time_ns()
        usage = self.getrusage(self.thread)
        before = self.start_usage
        totals = self.totals
        totals[0] += now - self.start_cpu
        totals[1] += usage.ru_minflt - before.ru_minflt
        totals[2] += usage.ru_majflt - before.ru_majflt
        totals[3] += usage.ru_nvcsw - before.ru_nvcsw
        totals[4] += usage.ru_nivcsw - before.ru_nivcsw
        # Released here, outside any stretch, so that resume replaces no object inside one (0 is cached).
        self.start_usage = None
        self.start_cpu = 0

    def end(self, phase):
        stat, process_ns, wall_ns = self.machine()
        first, first_process_ns, first_wall_ns = self.machine_start
        steal = neighbour = ""
        if stat is not None and first is not None:
            steal = str((stat[1] - first[1]) * self.ns_per_tick)
            neighbour = str((stat[0] - first[0]) * self.ns_per_tick - (process_ns - first_process_ns))
        cells = [str(value) for value in self.totals] + [steal, neighbour] + [""] * 4 + [str(wall_ns - first_wall_ns)]
        self.phases[phase] = "counters\t%d\t%s" % (phase, "\t".join(cells))


class Sampler:
    """Reads statm, status and (when asked) smaps_rollup into fixed bytearrays, and the allocator.

    The /proc reads call libc's pread through ctypes.PyDLL, which keeps the GIL through the call (os.preadv drops
    it): a pool thread of a threaded trial that samples (ThreadedTrial.sample) holds the GIL for the whole sample,
    so no other pool thread runs Python code meanwhile (a sample is far shorter than the 5 ms switch interval
    after which a waiting thread could ask for the GIL). The classic trial has one thread: no difference there."""

    def __init__(self, allocator, capacity, smaps_schedule, allocator_schedule, per_phase, counters):
        self.allocator = allocator
        self.counters = counters
        self.stretch_open = False
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.statm = os.open("/proc/self/statm", os.O_RDONLY)
        self.status = os.open("/proc/self/status", os.O_RDONLY)
        self.smaps = os.open("/proc/self/smaps_rollup", os.O_RDONLY)
        self.buffer = bytearray(8192)
        self.view = memoryview(self.buffer)
        self.pread = ctypes.PyDLL(None, use_errno=True).pread
        self.pread.restype = ctypes.c_ssize_t
        self.pread.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long]
        self.buffer_window = (ctypes.c_char * len(self.buffer)).from_buffer(self.buffer)  # pins the bytearray
        self.buffer_address = ctypes.addressof(self.buffer_window)
        self.store = array.array("q", [-1]) * (capacity * SAMPLE_WIDTH)
        self.phase_of = array.array("q", [0]) * capacity
        self.count = 0
        self.smaps_schedule = smaps_schedule
        self.allocator_schedule = allocator_schedule
        self.per_phase = per_phase
        self.phase = 0
        self.in_phase = 0
        self.work_ns = 0
        self.resumed = 0

    def read(self, descriptor):
        """Reads the file from its start into the buffer, holding the GIL; returns the length read."""
        length = self.pread(descriptor, self.buffer_address, len(self.buffer), 0)
        if length < 0:
            fail("cannot read /proc/self: %s" % os.strerror(ctypes.get_errno()))
        return length

    def kilobytes(self, key, length):
        start = self.buffer.find(key, 0, length)
        if start < 0:
            return -1
        start += len(key)
        end = self.buffer.find(b"kB", start, length)
        return int(self.buffer[start:end]) * 1024

    def included(self, schedule, last):
        if schedule == "every":
            return True
        if schedule == "off":
            return False
        return self.in_phase == 0 or self.in_phase == self.per_phase - 1 or last

    def begin(self, phase, samples):
        """Starts a phase that takes `samples` samples (its checkpoints plus the baseline), as the Swift
        PhaseRecorder does: the last of them reads the boundary samplers."""
        self.phase = phase
        self.per_phase = samples
        self.in_phase = 0
        self.work_ns = 0
        self.counters.begin()
        self.counters.resume()
        self.stretch_open = True
        self.resumed = time.monotonic_ns()

    def end(self):
        """Ends the phase: its counters cover its stretches up to its last checkpoint, as its time does."""
        self.stretch_open = False
        self.counters.end(self.phase)

    def checkpoint(self, nodes, last=False):
        entered = time.monotonic_ns()
        if self.stretch_open:
            self.counters.pause()
            self.stretch_open = False
        self.work_ns += entered - self.resumed
        if self.in_phase < self.per_phase:
            self.take(nodes, self.work_ns, last, entered)
        if not last and self.in_phase < self.per_phase:
            self.counters.resume()
            self.stretch_open = True
        self.resumed = time.monotonic_ns()

    def take(self, nodes, elapsed_ns, last, entered):
        """Stores one sample: `nodes` alive, `elapsed_ns` of the phase's work so far, the /proc readings and the
        allocator's; sample_ns runs from `entered`. The classic checkpoint and a threaded trial's sampling
        thread (ThreadedTrial) both sample through it."""
        store = self.store
        base = self.count * SAMPLE_WIDTH
        store[base + NODES_ALIVE] = nodes
        store[base + ELAPSED_NS] = elapsed_ns
        length = self.read(self.statm)
        store[base + RSS] = int(self.buffer[:length].split()[1]) * self.page
        length = self.read(self.status)
        store[base + RSS_ANON] = self.kilobytes(b"RssAnon:", length)
        store[base + VM_HWM] = self.kilobytes(b"VmHWM:", length)
        if self.included(self.smaps_schedule, last):
            length = self.read(self.smaps)
            store[base + SMAPS_RSS] = self.kilobytes(b"\nRss:", length)
            store[base + PSS] = self.kilobytes(b"\nPss:", length)
            store[base + PRIVATE_DIRTY] = self.kilobytes(b"\nPrivate_Dirty:", length)
            store[base + ANONYMOUS] = self.kilobytes(b"\nAnonymous:", length)
        if self.allocator_schedule != "off" and (self.phase == 0 or self.included(self.allocator_schedule, last)):
            # The six allocator_* fields are consecutive, in Allocator.read_into's order.
            self.allocator.read_into(store, base + ALLOCATOR_FIRST)
        store[base + SAMPLE_NS] = time.monotonic_ns() - entered
        self.phase_of[self.count] = self.phase
        self.count += 1
        self.in_phase += 1

    def replies(self):
        required = [name in REQUIRED_SAMPLE_FIELDS for name in SAMPLE_FIELDS]
        lines = []
        for index in range(self.count):
            base = index * SAMPLE_WIDTH
            values = self.store[base:base + SAMPLE_WIDTH]
            cells = [str(value) if value >= 0 or required[k] else "" for k, value in enumerate(values)]
            lines.append("sample\t%d\t%s" % (self.phase_of[index], "\t".join(cells)))
        return lines


def layout_source(layout, fields, threaded=False):
    """The Python source of one layout's node type, its constructor `make(i, nodes)`, `visit(node)` (what a
    traversal reads, as one int) and `mutate(node)`. Scalar value k of node i is i + k + 1000 (distinct int
    objects: CPython caches only -5..256), floats i + k + 0.5, bools alternate, references point at the even
    node ((i - 1) // 2 rounded down to even), as in the Swift layouts; a bytes, string or array field k is
    `F<k>(i)`, its field_builder, which the caller puts in the namespace. `threaded`: the constructor is
    `make(i, nodes, lo)` for a thread building its slice from node lo (even), and a reference points at the
    even node lo + ((i - lo - 1) // 2 rounded down to even) of that slice (none for node lo), as the Swift
    threaded layouts do: a node never refers into another thread's slice."""
    names = [field.name for field in fields]
    def value(k, field):
        kind = field.kind
        if kind in VARIABLE_TYPES:
            return "F%d(i)" % k
        if kind == "reference":
            if threaded:
                return "(nodes[lo + (((i - lo - 1) >> 1) & ~1)] if i != lo else None)"
            return "(nodes[((i - 1) >> 1) & ~1] if i else None)"
        if kind in ("double", "float"):
            return "(i + %d + 0.5)" % k
        if kind == "bool":
            return "((i + %d) & 1 == 0)" % k
        return "(i + %d + 1000)" % k
    values = ", ".join(value(k, field) for k, field in enumerate(fields))
    # Attribute reads that never touch __dict__ (asking for it would build a dict on CPython 3.11+).
    def read(k, name):
        return "node[%d]" % k if layout == "python-tuple" else "node.%s" % name
    # visit: the ints a traversal reads, summed: int scalar fields, the length of a str, bytes or float/bool
    # list (len reads the object's header), and the elements of an int list (sum reads every element object).
    # Floats, bools and references are read by nothing but the node's own slots, as before.
    def term(k, field):
        if field.kind in ("string", "bytes") or (field.kind == "array" and field.element in ("float", "double", "bool")):
            return "len(%s)" % read(k, field.name)
        if field.kind == "array":
            return "sum(%s)" % read(k, field.name)
        if field.kind in INTEGER_WIDTH:
            return read(k, field.name)
        return None
    terms = [t for t in (term(k, field) for k, field in enumerate(fields)) if t is not None]
    reader = "def visit(node):\n    return %s\n" % (" + ".join(terms) or "0")
    assign = "; ".join("self.%s = %s" % (name, name) for name in names) or "pass"
    parameters = ", ".join(names)
    # mutate: write every field but references, as the Swift layouts do (+1, toggle). Python ints and floats
    # are immutable, so each write makes a new object and frees the old one: that is what mutation costs here.
    # A list is written in place, element by element (its slots stay, its int or float objects are replaced);
    # str and bytes are immutable values that a program replaces rather than writes: mutate leaves them alone.
    # Tuples cannot be written at all: mutate does not apply to them.
    def write(field):
        name = field.name
        if field.kind == "array":
            update = {"bool": "not v", "float": "v + 1.0", "double": "v + 1.0"}.get(field.element, "v + 1")
            return "a = node.%s; a[:] = [%s for v in a]" % (name, update)
        if field.kind == "bool":
            return "node.%s = not node.%s" % (name, name)
        if field.kind in ("double", "float"):
            return "node.%s = node.%s + 1.0" % (name, name)
        return "node.%s = node.%s + 1" % (name, name)
    writes = [write(field) for field in fields if field.kind not in ("reference", "string", "bytes")] or ["pass"]
    mutator = ("mutate = None\n" if layout in ("python-tuple", "python-namedtuple") else
               "def mutate(node):\n    %s\n" % "; ".join(writes))
    reader = reader + mutator
    head = "def make(i, nodes, lo):\n" if threaded else "def make(i, nodes):\n"
    if layout == "python-dict-class":
        return ("class Node:\n    def __init__(self, %s):\n        %s\n" % (parameters, assign)
                + head + "    return Node(%s)\n" % values + reader)
    if layout == "python-slots-class":
        return ("class Node:\n    __slots__ = (%s)\n    def __init__(self, %s):\n        %s\n"
                % ("".join(repr(n) + ", " for n in names), parameters, assign)
                + head + "    return Node(%s)\n" % values + reader)
    if layout == "python-dict-and-slots":
        return ("class Node:\n    __slots__ = (%s'__dict__',)\n    def __init__(self, %s):\n        %s\n"
                % ("".join(repr(n) + ", " for n in names), parameters, assign)
                + head + "    return Node(%s)\n" % values + reader)
    if layout == "python-dataclass-slots":
        annotations = "\n".join("    %s: object" % name for name in names)
        return ("from dataclasses import dataclass\n@dataclass(slots=True)\nclass Node:\n%s\n" % annotations
                + head + "    return Node(%s)\n" % values + reader)
    if layout == "python-namedtuple":
        return ("from collections import namedtuple\nNode = namedtuple('Node', %r)\n" % names
                + head + "    return Node(%s)\n" % values + reader)
    if layout == "python-tuple":
        return head + "    return (%s,)\n" % values + reader
    fail("unknown Python layout " + layout)


def layout_namespace(layout, fields, seed, nodes):
    """Runs layout_source with each bytes, string or array field's builder (for nodes 0..nodes-1) in the
    namespace: their sources and draws are made now."""
    namespace = {"F%d" % k: field_builder(field, seed, k, nodes) for k, field in enumerate(fields)
                 if field.kind in VARIABLE_TYPES}
    exec(layout_source(layout, fields), namespace)
    return namespace


def owned_size(value):
    """sys.getsizeof of the objects a field value adds to its node: an int or float object; a str or bytes
    object; a list and its element objects. CPython's shared objects add nothing: the small ints -5..256,
    True, False, None, the empty and the one-character str and bytes (references are other nodes).

    What CPython gives (measured with pyenv's 3.6.15 … 3.13.0, python_field_sizes.py): a compact ASCII str of L
    characters is 49 + L bytes on 3.6–3.11 and 41 + L on 3.12+ (the wstr pointer is gone), a bytes 33 + L, a list
    of exactly L slots 56 + 8 L on 3.8+ (72 + 8 L on 3.6–3.7), an int below 2^30 28, a float 24."""
    kind = type(value)
    if kind is int:
        return 0 if -5 <= value <= 256 else sys.getsizeof(value)
    if kind is float:
        return sys.getsizeof(value)
    if kind is str or kind is bytes:
        return sys.getsizeof(value) if len(value) > 1 else 0
    if kind is list:
        return sys.getsizeof(value) + sum(owned_size(element) for element in value)
    return 0


def getsizeof_node(node):
    """sys.getsizeof of the object, plus its __dict__ where it has one, plus what its field values add
    (owned_size): its int and float objects, str, bytes, lists and their elements."""
    total = sys.getsizeof(node)
    if hasattr(node, "__dict__"):
        total += sys.getsizeof(node.__dict__)
        values = list(node.__dict__.values())
    elif isinstance(node, tuple):
        values = list(node)
    else:
        values = [getattr(node, name) for name in node.__slots__]
    return total + sum(owned_size(value) for value in values)


def fill_schedule(work, checkpoints):
    """The Swift worker's checkpoint schedule: `count` equal steps through `work` items, rounded half up."""
    count = max(1, min(checkpoints, work))
    schedule = [int(work * (k + 1) / count + 0.5) for k in range(count)]
    schedule[-1] = work
    return schedule


def make_permutation(nodes, seed):
    """The Swift worker's seeded Fisher–Yates permutation (SplitMix64), in an array('q') of 8 B per node."""
    mask = (1 << 64) - 1
    permutation = array.array("q", range(nodes))
    state = seed & mask
    for index in range(nodes - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        other = z % (index + 1)
        permutation[index], permutation[other] = permutation[other], permutation[index]
    return permutation


def visiting_order(container, permutation):
    """The nodes of `container` one by one, in the permutation's order when there is one."""
    return iter(container) if permutation is None else (container[j] for j in permutation)


def nodes_processed(phase, nodes):
    """Work items of a phase, as PhaseSpec.nodesProcessed: what ns_per_node divides by."""
    parts = phase.split(":")
    if parts[0] in ("free-half", "reallocate"):
        return nodes // 2
    if parts[0] == "churn":
        return int(parts[1]) * int(float(parts[2]) * nodes + 0.5)
    if parts[0] == "idle":
        return 0
    return nodes


def gil_enabled():
    """Whether this interpreter runs with the GIL: sys._is_gil_enabled() where it exists (3.13+); before it every
    build had the GIL, unless sysconfig says the build is free-threaded (Py_GIL_DISABLED)."""
    probe = getattr(sys, "_is_gil_enabled", None)
    if probe is not None:
        return bool(probe())
    import sysconfig
    return not sysconfig.get_config_var("Py_GIL_DISABLED")


# A fork child's record (ForkChildReport's six figures, -1 where unread), written to its pipe as 6 int64s.
FORK_FIGURES = 6
FORK_RECORD_BYTES = 8 * FORK_FIGURES


def read_own_smaps(buffer):
    """(Private_Dirty, Shared_Clean + Shared_Dirty, Pss, Rss) of the calling process in bytes, each -1 where absent,
    from /proc/self/smaps_rollup opened now: a descriptor opened before fork would name the parent."""
    try:
        descriptor = os.open("/proc/self/smaps_rollup", os.O_RDONLY)
    except OSError:
        return (-1, -1, -1, -1)
    try:
        length = os.preadv(descriptor, [buffer], 0)
    finally:
        os.close(descriptor)

    def kilobytes(key):
        start = buffer.find(key, 0, length)
        if start < 0:
            return -1
        start += len(key)
        return int(buffer[start:buffer.find(b"kB", start, length)]) * 1024
    shared_clean, shared_dirty = kilobytes(b"\nShared_Clean:"), kilobytes(b"\nShared_Dirty:")
    shared = shared_clean + shared_dirty if shared_clean >= 0 and shared_dirty >= 0 else -1
    return (kilobytes(b"\nPrivate_Dirty:"), shared, kilobytes(b"\nPss:"), kilobytes(b"\nRss:"))


def fork_reader(layout, fields):
    """touch(node): reads every attribute of the node (each read takes and drops a reference to the value, so
    it writes the value's reference count, and the loop writes the node's: that is what a reading child costs)."""
    reads = ["node[%d]" % k if layout == "python-tuple" else "node.%s" % field.name for k, field in enumerate(fields)]
    namespace = {}
    exec("def touch(node):\n    %s\n" % ("; ".join(reads) or "pass"), namespace)
    return namespace["touch"]


def fork_phase(index, phase, container, permutation, touch, mutate, gc_freeze):
    """A `fork:K:work:order` phase after allocate: forks K children (gc.freeze() first when asked); each waits until
    all K exist (the parent closes a `start` pipe after the last fork), reads its own smaps_rollup, does the work on
    every node in the order, then one full collection with the collector enabled (what a worker process meets
    sooner or later), writes one byte to a shared `done` pipe and waits until all K are done (the parent closes a
    `measure` pipe after K done bytes, or when the done pipe ends early: a child died), reads smaps_rollup again,
    writes its record to its pipe and waits for the release (so that every Pss is read while all K children and
    the parent are alive, each child's pages as the others' work left them). Returns (applicable, fork-child
    reply lines); a child that ends without its record fails the worker, naming it."""
    _, children, work, order = phase.split(":")
    children = int(children)
    if work == "mutate" and mutate is None or container is None:
        return 0, []
    buffer = bytearray(8192)
    read_own_smaps(buffer)  # warm
    pipes = [os.pipe() for _ in range(children)]
    release_read, release_write = os.pipe()
    start_read, start_write = os.pipe()
    done_read, done_write = os.pipe()
    measure_read, measure_write = os.pipe()
    pids = []
    if gc_freeze:
        gc.freeze()
    for child in range(children):
        pid = os.fork()
        if pid == 0:
            code = 5
            try:
                for other, (read_end, write_end) in enumerate(pipes):
                    os.close(read_end)
                    if other != child:
                        os.close(write_end)
                os.close(release_write)
                for descriptor in (start_write, done_read, measure_write):
                    os.close(descriptor)
                os.read(start_read, 1)  # end of file once the parent has forked all K children
                before = read_own_smaps(buffer)[0]
                nodes = visiting_order(container, permutation if order == "random" else None)
                start = time.monotonic_ns()
                if work == "traverse":
                    for node in nodes:
                        if node is not None:
                            touch(node)
                elif work == "mutate":
                    for node in nodes:
                        if node is not None:
                            mutate(node)
                work_ns = time.monotonic_ns() - start if work != "none" else -1
                node = nodes = None
                # A worker process has its collector on, and a full collection comes sooner or later: it writes the
                # GC header of every tracked object it visits (gc.freeze() moves them out of its reach).
                gc.enable()
                gc.collect()
                os.write(done_write, b"d")
                os.close(done_write)  # so that the done pipe ends when every child has written or died
                os.read(measure_read, 1)  # end of file once all K children are done
                after = read_own_smaps(buffer)
                record = array.array("q", (work_ns, before) + after).tobytes()
                if os.write(pipes[child][1], record) == FORK_RECORD_BYTES:
                    os.read(release_read, 1)
                    code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    os.close(start_write)  # all K children exist: they start their work
    for descriptor in (start_read, done_write, measure_read):
        os.close(descriptor)
    for _, write_end in pipes:
        os.close(write_end)
    os.close(release_read)
    done = 0
    while done < children:
        chunk = os.read(done_read, children - done)
        if not chunk:
            break  # a child died before it was done: the record loop below names it
        done += len(chunk)
    os.close(done_read)
    os.close(measure_write)  # all K children are done (or one died): they read their `after` figures
    records = [b""] * children
    for child, (read_end, _) in enumerate(pipes):
        while len(records[child]) < FORK_RECORD_BYTES:
            chunk = os.read(read_end, FORK_RECORD_BYTES - len(records[child]))
            if not chunk:
                break
            records[child] += chunk
        if len(records[child]) < FORK_RECORD_BYTES:
            os.close(release_write)
            for other, pid in enumerate(pids):
                if other != child:
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
            _, status = os.waitpid(pids[child], 0)
            for other, pid in enumerate(pids):
                if other != child:
                    os.waitpid(pid, 0)
            fail("fork child %d of %d %s before it reported" % (child + 1, children, describe_status(status)))
    os.close(release_write)
    failed = None
    for child, pid in enumerate(pids):
        _, status = os.waitpid(pid, 0)
        if status != 0 and failed is None:
            failed = (child, status)
    for read_end, _ in pipes:
        os.close(read_end)
    if gc_freeze:
        gc.unfreeze()
    if failed is not None:
        fail("fork child %d of %d %s after it reported" % (failed[0] + 1, children, describe_status(failed[1])))
    lines = []
    for child, record in enumerate(records):
        figures = array.array("q")
        figures.frombytes(record)
        lines.append("fork-child\t%d\t%d\t%s" % (index, child, "\t".join(str(v) if v >= 0 else "" for v in figures)))
    return 1, lines


def describe_status(status):
    """`was killed by SIGKILL`, `exited with status 3`: how a child ended, from its wait status."""
    if os.WIFSIGNALED(status):
        import signal
        try:
            name = signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            name = "signal %d" % os.WTERMSIG(status)
        return "was killed by " + name
    return "exited with status %d" % os.WEXITSTATUS(status)


def build(make, nodes, schedule, sampler):
    """The allocate loop (allocate and allocate-warm): the baseline sample, the list, then the nodes in
    checkpoint segments. Returns the list."""
    sampler.checkpoint(0)
    container = [None] * nodes
    i = 0
    for end in schedule:
        while i < end:
            container[i] = make(i, container)
            i += 1
        sampler.checkpoint(i)
    sampler.end()
    return container


# ---------------------------------------------------------------------------------------------------------------
# Threads (`--threads T`, T >= 1): every phase's work on a pool of T threads, the main thread sampling. The same
# design as the Swift worker's ThreadedTrial and ThreadPool (docs there), in Python's terms.


def slice_bounds(nodes, threads):
    """The T + 1 bounds of the threads' slices, as the Swift worker has them: slice t is [b(t), b(t+1)) with
    b(t) = (t * N // T) rounded down to even and b(T) = N. An even start keeps a slice's references (to even
    nodes of the slice itself) off the odd nodes free-half frees."""
    return [nodes if t == threads else (t * nodes // threads) & ~1 for t in range(threads + 1)]


def shuffle_slices(permutation, bounds, seed):
    """Overwrites `permutation` with a seeded Fisher–Yates shuffle of each slice within its own positions, as the
    Swift ThreadedTrial does (SplitMix64 seeded with seed + t for slice t): random orders and churn never let
    two threads touch one node."""
    mask = (1 << 64) - 1
    for t in range(len(bounds) - 1):
        low, high = bounds[t], bounds[t + 1]
        for index in range(low, high):
            permutation[index] = index
        state = (seed + t) & mask
        for index in range(high - 1, low, -1):
            state = (state + 0x9E3779B97F4A7C15) & mask
            z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
            z ^= z >> 31
            other = low + z % (index - low + 1)
            permutation[index], permutation[other] = permutation[other], permutation[index]


def threaded_layout_namespace(layout, fields, namespace):
    """The threaded constructor `make(i, nodes, lo)` (layout_source with threaded=True), with the classic
    namespace's field builders (their sources and draws are made once)."""
    threaded = {key: value for key, value in namespace.items() if key[:1] == "F" and key[1:].isdigit()}
    exec(layout_source(layout, fields, threaded=True), threaded)
    return threaded


class AllocatorThreadFigures:
    """The allocator's own view of its threads at a phase's end, as the Swift AllocatorThreadFiguresReader reads
    it (the same C entry points, through ctypes; everything it passes by pointer is made here):
    - jemalloc: arenas.narenas; arenas in use (initialized, with threads bound or active pages);
      stats.arenas.<MALLCTL_ARENAS_ALL>.tcache_bytes;
    - glibc (mallinfo2 statistics): the `<heap nr=` entries malloc_info(0, ·) writes into a preallocated 1 MiB
      buffer opened with fmemopen, and those whose current system size is non-zero (mallinfo2 itself has no
      per-arena figures);
    - tcmalloc: tcmalloc.current_total_thread_cache_bytes;
    - mimalloc and others: none (mimalloc has no arena or thread-cache statistic in a release build).
    read() returns (arenas, arenas used, thread cache bytes), None where not known."""

    GLIBC_BUFFER_BYTES = 1 << 20

    def __init__(self, allocator):
        self.allocator = allocator
        self.source = allocator.source
        self.file = None
        if self.source == "jemalloc":
            self.unsigned = ctypes.c_uint(0)
            self.flag = ctypes.c_bool(False)
            self.size_value = ctypes.c_size_t(0)
            self.length = ctypes.c_size_t(0)
            self.epoch = ctypes.c_uint64(1)
        elif self.source == "tcmalloc":
            self.cached = ctypes.c_size_t(0)
        elif self.source == "mallinfo2":
            process = allocator.process
            info = getattr(process, "malloc_info", None)
            fmemopen = getattr(process, "fmemopen", None)
            if info is not None and fmemopen is not None:
                fmemopen.restype, fmemopen.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
                info.restype, info.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_void_p]
                for name in ("fflush", "ftell", "rewind", "fputc"):
                    getattr(process, name).argtypes = [ctypes.c_int, ctypes.c_void_p] if name == "fputc" else [ctypes.c_void_p]
                process.ftell.restype = ctypes.c_long
                self.buffer = ctypes.create_string_buffer(self.GLIBC_BUFFER_BYTES)
                self.file = fmemopen(self.buffer, self.GLIBC_BUFFER_BYTES, b"w")
                self.malloc_info = info
                if self.file:
                    # The FILE's own buffer is allocated by its first write: done here, before any phase.
                    process.fputc(32, self.file)
                    process.fflush(self.file)

    def mallctl_read(self, name, value):
        self.length.value = ctypes.sizeof(value)
        return self.allocator.mallctl(name, ctypes.byref(value), ctypes.byref(self.length), None, 0) == 0

    def read(self):
        if self.source == "jemalloc":
            mallctl = self.allocator.mallctl
            self.length.value = 8
            if mallctl(b"epoch", ctypes.byref(self.epoch), ctypes.byref(self.length), ctypes.byref(self.epoch), 8) != 0:
                return (None, None, None)
            if not self.mallctl_read(b"arenas.narenas", self.unsigned):
                return (None, None, None)
            count = self.unsigned.value
            used = 0
            for index in range(count):
                if not self.mallctl_read(b"arena.%d.initialized" % index, self.flag) or not self.flag.value:
                    continue
                threads = self.unsigned.value if self.mallctl_read(b"stats.arenas.%d.nthreads" % index, self.unsigned) else 0
                pages = self.size_value.value if self.mallctl_read(b"stats.arenas.%d.pactive" % index, self.size_value) else 0
                if threads > 0 or pages > 0:
                    used += 1
            # 4096 is MALLCTL_ARENAS_ALL: the statistics merged over every arena.
            cached = self.size_value.value if self.mallctl_read(b"stats.arenas.4096.tcache_bytes", self.size_value) else None
            return (count, used, cached)
        if self.source == "tcmalloc":
            if self.allocator.numeric(b"tcmalloc.current_total_thread_cache_bytes", ctypes.byref(self.cached)):
                return (None, None, self.cached.value)
            return (None, None, None)
        if self.source == "mallinfo2" and self.file:
            process = self.allocator.process
            process.rewind(self.file)
            ctypes.memset(self.buffer, 0, self.GLIBC_BUFFER_BYTES)
            if self.malloc_info(0, self.file) != 0:
                return (None, None, None)
            process.fflush(self.file)
            written = process.ftell(self.file)
            if written <= 0 or written >= self.GLIBC_BUFFER_BYTES - 1:
                return (None, None, None)
            text = ctypes.string_at(self.buffer, written)
            if b"</malloc>" not in text:
                return (None, None, None)
            heaps = text.split(b"<heap nr=")[1:]
            current = b'<system type="current" size="'
            used = 0
            for heap in heaps:
                heap = heap.split(b"</heap>", 1)[0]
                start = heap.find(current)
                if start >= 0 and int(heap[start + len(current):heap.index(b'"', start + len(current))]) > 0:
                    used += 1
            return (len(heaps), used, None)
        return (None, None, None)


class ThreadedTrial:
    """A trial on a pool of T threads (`--threads T`, T >= 1), as the Swift worker's ThreadedTrial runs one.

    The pool is started in __init__, before the allocate baseline, and lives for the whole trial; its threads
    park in a start barrier (threading.Barrier of T + 1: the pool and the sampling thread) between phases and
    meet again in an end barrier. Thread t owns slice t of the nodes (slice_bounds) of the one container the
    main thread makes inside the allocate phase: allocate, traverse, mutate and free-all work on its own slice;
    free-half and reallocate on its odd nodes (work items b(t)/2 .. b(t+1)/2); churn on its share of the work
    items in a shuffle of its own slice; remote-free: thread t drops every node of slice (t + 1) mod T. With
    CPython's reference counting a node's memory (and its field objects') is freed by the thread that drops
    its last reference, and no node refers outside its slice: remote-free frees every node on another thread
    than the one that built it (with T = 1, on its own). purge runs on the sampling thread.

    Sampling: each pool thread publishes its work items done and its live change in its own slot of two lists
    made here (the live change first), at 4 local checkpoints per global one (each thread's local granule is
    its items / (4 · checkpoints), rounded up); the publisher that brings the sum of items over the next global
    checkpoint does, under the crossing lock (only one thread samples at a time: the Sampler's buffers are
    shared), one of two things:
    - under the GIL (the default build): it takes the sample itself (sample), holding the GIL throughout (the
      Sampler's reads keep it), which stops the other pool threads anyway. The time it spends sampling is left
      out of its timing, and, as every thread is stopped meanwhile, out of every thread's wall time and the
      phase's time, as the classic worker leaves its checkpoints out. (A main thread woken to sample got the GIL
      only after the pool thread's 5 ms switch interval, and again after each of its reads: at T = 1 the
      samples came late, most of them after the pool had finished.)
    - free-threaded: it writes one byte per crossed checkpoint into a pipe, which the main thread reads, one
      byte per sample, into a preallocated buffer (a pipe is a counting semaphore that allocates nothing;
      threading.Semaphore's Condition makes a lock per wait); the main thread then reads the global live count
      and samples while the pool runs on, never waiting for it.
    The last sample is taken by the main thread after the end barrier.

    Time: a phase's wall time runs from the first pool thread's start (after the start barrier) to the last
    thread's end, plus what the sampling thread does for the phase: making the container (allocate) and
    releasing the emptied one (free-all, remote-free), less the pool's own samples (under the GIL). Per
    thread: wall time (less the pool's samples within it) and items (the `threads` reply: slowest and
    fastest), CPU time (time.thread_time_ns) and rusage (RUSAGE_THREAD), less the sampling thread's own
    during its samples, summed over the pool in the `counters` reply; the counters' interval is the phase's
    whole wall time. Under the GIL the threads interleave: one runs Python code at a time.

    Live counts: a drop phase (free-all, remote-free) empties each slice from its end down, so that every node
    has lost its referrers (higher nodes of its slice) when its slot is emptied and is freed at once: the
    published live change is what is alive, reference fields or not.

    Between checkpoints nothing is allocated but what the classic worker allows itself (short-lived ints, an
    islice per local checkpoint, the iterator a traversal runs on); threading.Barrier's own bookkeeping (a lock
    and a deque entry per waiting thread, made before the wait and freed after it) comes at the phase's start
    and end, outside the pool's timed work."""

    LOCAL_PER_GLOBAL = 4

    def __init__(self, threads, nodes, checkpoints, phases, namespace, threaded_namespace, permutation, has_references,
                 allocator, sampler, counters, seed):
        import threading
        self.threads = threads
        self.nodes = nodes
        self.checkpoints = checkpoints
        self.phases = phases
        self.make = threaded_namespace["make"]
        self.visit = namespace["visit"]
        self.mutate = namespace["mutate"]
        self.has_references = has_references
        self.allocator = allocator
        self.sampler = sampler
        self.counters = counters
        self.figures = AllocatorThreadFigures(allocator)
        self.bounds = slice_bounds(nodes, threads)
        self.permutation = permutation
        if permutation is not None:
            shuffle_slices(permutation, self.bounds, seed)
        self.container = None
        # The current phase, set by the main thread before the start barrier.
        self.kind = ""
        self.random_order = False
        # Per thread, one slot each: work (slice, work items), local checkpoints, published progress, results.
        self.slice_start = [0] * threads
        self.slice_end = [0] * threads
        self.first = [0] * threads
        self.end = [0] * threads
        local = max(checkpoints, 1) * self.LOCAL_PER_GLOBAL
        self.local = [[0] * local for _ in range(threads)]
        self.local_count = [0] * threads
        self.progress = [0] * threads
        self.live = [0] * threads
        self.checksums = [0] * threads
        self.starts = [0] * threads
        self.ends = [0] * threads
        self.cpu = [0] * threads
        self.usage_start = [None] * threads
        self.usage_end = [None] * threads
        self.global_schedule = [0] * max(checkpoints, 1)
        self.global_count = 0
        self.next_checkpoint = 0
        self.crossing_lock = threading.Lock()
        # Under the GIL a pool thread takes the intermediate samples itself (sample); per phase, preallocated:
        self.pool_samples = gil_enabled()
        self.sampled = 0
        self.sampled_ns = 0
        self.sample_begin = [0] * max(checkpoints, 1)
        self.sample_end = [0] * max(checkpoints, 1)
        self.sample_cpu = [0] * threads
        self.sample_usage = [[0] * 4 for _ in range(threads)]
        self.live_start = 0
        self.prepare_ns = 0
        self.released = 0
        self.wake_read, self.wake_write = os.pipe()
        self.token = b"x"
        self.wake = [bytearray(1)]
        self.monotonic_ns = time.monotonic_ns
        self.thread_time_ns = time.thread_time_ns
        self.getrusage = resource.getrusage
        self.rusage_thread = resource.RUSAGE_THREAD
        self.work = {"allocate": self.build_slice, "allocate-warm": self.build_slice, "traverse": self.traverse_slice,
                     "mutate": self.mutate_slice, "free-half": self.free_half_slice, "reallocate": self.reallocate_slice,
                     "churn": self.churn_slice, "free-all": self.drop_slice, "remote-free": self.drop_slice}
        self.lines = []
        self.purged = False
        self.start_barrier = threading.Barrier(threads + 1)
        self.end_barrier = threading.Barrier(threads + 1)
        self.pool = [threading.Thread(target=self.loop, args=(t,), name="pool-%d" % t, daemon=True) for t in range(threads)]
        for thread in self.pool:
            thread.start()

    # The pool threads' side.

    def loop(self, t):
        try:
            while True:
                self.start_barrier.wait()
                self.run_slice(t)
                self.end_barrier.wait()
        except BaseException as error:  # a pool thread's failure fails the trial, never hangs it
            fail("pool thread %d: %s: %s" % (t, type(error).__name__, error))

    def run_slice(self, t):
        self.usage_start[t] = self.getrusage(self.rusage_thread)
        cpu = self.thread_time_ns()
        self.starts[t] = self.monotonic_ns()
        self.work[self.kind](t)
        self.ends[t] = self.monotonic_ns()
        self.cpu[t] = self.thread_time_ns() - cpu
        self.usage_end[t] = self.getrusage(self.rusage_thread)

    def publish(self, t, items, change):
        """Thread t has done `items` work items and changed the live count by `change`: the live change is stored
        first, so whoever sees the items sees a live change at least as recent. For each global checkpoint (but
        the last, which the main thread takes after the end barrier) the sum has now reached: under the GIL,
        takes the sample itself; free-threaded, posts a wake-up to the main thread."""
        self.live[t] = change
        self.progress[t] = items
        if self.next_checkpoint < self.global_count - 1:  # only ever grows: a stale read just takes the lock
            with self.crossing_lock:
                next_checkpoint, count, schedule = self.next_checkpoint, self.global_count - 1, self.global_schedule
                total = sum(self.progress)
                while next_checkpoint < count and total >= schedule[next_checkpoint]:
                    next_checkpoint += 1
                    if self.pool_samples:
                        self.sample(t)
                    else:
                        os.write(self.wake_write, self.token)
                self.next_checkpoint = next_checkpoint

    def sample(self, t):
        """Pool thread t, under the crossing lock and holding the GIL (the Sampler's reads keep it, so the other
        pool threads stand still until it is done), takes the sample of the global checkpoint it crossed. Its
        elapsed_ns is the phase's time so far less the earlier samples; the sample's own time (from `entered`
        to its end) is recorded to leave it out of the threads' wall times and the phase's time, and thread t's
        CPU time and rusage during it out of the counters. Allocates what a classic checkpoint does (a
        struct_rusage per read, short-lived ints)."""
        entered = self.monotonic_ns()
        cpu = self.thread_time_ns()
        before = self.getrusage(self.rusage_thread)
        earliest = 0
        for start in self.starts:
            if start and (earliest == 0 or start < earliest):
                earliest = start
        elapsed = self.prepare_ns + entered - (earliest or self.released) - self.sampled_ns
        self.sampler.take(self.live_start + sum(self.live), elapsed, False, entered)
        after = self.getrusage(self.rusage_thread)
        self.sample_cpu[t] += self.thread_time_ns() - cpu
        usage = self.sample_usage[t]
        usage[0] += after.ru_minflt - before.ru_minflt
        usage[1] += after.ru_majflt - before.ru_majflt
        usage[2] += after.ru_nvcsw - before.ru_nvcsw
        usage[3] += after.ru_nivcsw - before.ru_nivcsw
        before = after = None
        k = self.sampled
        left = self.monotonic_ns()
        self.sample_begin[k], self.sample_end[k] = entered, left
        self.sampled_ns += left - entered
        self.sampled = k + 1

    def sampled_within(self, begin, end):
        """Nanoseconds of the pool's samples (this phase) within [begin, end]: time every pool thread stood still."""
        total = 0
        for k in range(self.sampled):
            low, high = max(begin, self.sample_begin[k]), min(end, self.sample_end[k])
            if high > low:
                total += high - low
        return total

    def build_slice(self, t):
        container, make, lo, schedule = self.container, self.make, self.slice_start[t], self.local[t]
        i = first = self.first[t]
        for k in range(self.local_count[t]):
            end = schedule[k]
            while i < end:
                container[i] = make(i, container, lo)
                i += 1
            self.publish(t, i - first, i - first)

    def visiting(self, t):
        """Thread t's nodes from its first work item on: its slice of the container, or of the slice's shuffle
        (the same generator the classic worker uses), started at the slice by the iterator's own index."""
        if self.random_order:
            positions = iter(self.permutation)
            positions.__setstate__(self.first[t])
            container = self.container
            return (container[j] for j in positions)
        order = iter(self.container)
        order.__setstate__(self.first[t])
        return order

    def traverse_slice(self, t):
        visit, schedule, order = self.visit, self.local[t], self.visiting(t)
        w = first = self.first[t]
        checksum = 0
        for k in range(self.local_count[t]):
            end = schedule[k]
            for node in itertools.islice(order, end - w):
                if node is not None:
                    checksum += visit(node)
            w = end
            self.publish(t, w - first, 0)
        self.checksums[t] = checksum

    def mutate_slice(self, t):
        mutate, schedule, order = self.mutate, self.local[t], self.visiting(t)
        w = first = self.first[t]
        for k in range(self.local_count[t]):
            end = schedule[k]
            for node in itertools.islice(order, end - w):
                if node is not None:
                    mutate(node)
            w = end
            self.publish(t, w - first, 0)

    def free_half_slice(self, t):
        # The slice's odd nodes: no node refers to one (references point at even nodes of the slice).
        container, schedule = self.container, self.local[t]
        w = first = self.first[t]
        dropped = 0
        for k in range(self.local_count[t]):
            end = schedule[k]
            while w < end:
                i = 2 * w + 1
                if container[i] is not None:
                    container[i] = None
                    dropped += 1
                w += 1
            self.publish(t, w - first, -dropped)

    def reallocate_slice(self, t):
        container, make, lo, schedule = self.container, self.make, self.slice_start[t], self.local[t]
        w = first = self.first[t]
        added = 0
        for k in range(self.local_count[t]):
            end = schedule[k]
            while w < end:
                i = 2 * w + 1
                if container[i] is None:
                    added += 1
                container[i] = make(i, container, lo)
                w += 1
            self.publish(t, w - first, added)

    def churn_slice(self, t):
        # Only without reference fields (see the classic churn): each replaced node is freed at once.
        container, make, permutation, schedule = self.container, self.make, self.permutation, self.local[t]
        lo, length = self.slice_start[t], self.slice_end[t] - self.slice_start[t]
        w = first = self.first[t]
        added = 0
        for k in range(self.local_count[t]):
            end = schedule[k]
            while w < end:
                i = permutation[lo + (w - first) % length]
                if container[i] is None:
                    added += 1
                container[i] = make(i, container, lo)
                w += 1
            self.publish(t, w - first, added)

    def drop_slice(self, t):
        # free-all: the thread's own slice; remote-free: the next thread's (its work items are that slice). Work
        # item w empties slot first + last - w, from the slice's end down: a node's referrers are higher nodes of
        # its slice (references are slice-local, to even nodes), so they are gone when its slot is emptied and the
        # drop frees it at once; the live change counts freed nodes, not just emptied slots.
        container, schedule = self.container, self.local[t]
        w = first = self.first[t]
        top = first + self.end[t] - 1
        dropped = 0
        for k in range(self.local_count[t]):
            end = schedule[k]
            while w < end:
                i = top - w
                if container[i] is not None:
                    container[i] = None
                    dropped += 1
                w += 1
            self.publish(t, w - first, -dropped)

    # The sampling (main) thread's side.

    def assign(self, kind, phase):
        """Every thread's slice and work items in this phase (as the Swift ThreadedTrial.work(of:phase:)) and
        its local checkpoints, spaced as the Swift PoolWorker spaces them."""
        bounds, threads, nodes = self.bounds, self.threads, self.nodes
        total = nodes_processed(phase, nodes)
        for t in range(threads):
            s = (t + 1) % threads if kind == "remote-free" else t
            low, high = bounds[s], bounds[s + 1]
            first, end = low, high
            if kind in ("free-half", "reallocate"):
                first, end = low // 2, high // 2
            elif kind == "churn":
                first, end = (total * low // nodes, total * high // nodes) if nodes > 0 else (0, 0)
            self.slice_start[t], self.slice_end[t], self.first[t], self.end[t] = low, high, first, end
            items = end - first
            local = self.local[t]
            count = min(items, len(local))
            for k in range(count):
                local[k] = first + int(items * (k + 1) / count + 0.5)
            if count > 0:
                local[count - 1] = end
            self.local_count[t] = count
            self.progress[t] = self.live[t] = self.checksums[t] = self.starts[t] = self.ends[t] = self.cpu[t] = 0
        schedule = fill_schedule(total, self.checkpoints)
        self.global_schedule[:len(schedule)] = schedule
        self.global_count = len(schedule)
        self.next_checkpoint = 0
        self.sampled = self.sampled_ns = 0
        for t in range(threads):
            self.sample_cpu[t] = 0
            self.sample_usage[t][:] = (0, 0, 0, 0)

    def run(self):
        """Runs every phase; returns the `phase` reply lines (the `threads` lines are in self.lines)."""
        outcomes = []
        live = 0
        for index, phase in enumerate(self.phases):
            kind = phase.split(":")[0]
            if kind == "fork":
                fail("bad request: a fork phase cannot run with threads")
            checksum = 0
            if kind == "purge":
                self.run_alone(index, live, purge=True)
                applicable = 1 if self.purged else 0
            elif self.applies(kind):
                live, checksum = self.run_pooled(index, kind, phase, live)
                applicable = 1
            else:
                self.run_alone(index, live, purge=False)
                self.figures_line(index, timed=False)
                applicable = 1 if kind == "free-all" else 0  # free-all of nothing: nothing left to free
            outcomes.append("phase\t%d\t%s\t%d\t%d\t%d" % (index, phase, checksum, live, applicable))
        return outcomes

    def applies(self, kind):
        """Whether the pool runs this phase: a phase the lab knows, on a container (but a build), and not mutate
        on tuples or churn where references would keep replaced nodes alive uncounted (as in the classic trial)."""
        if kind not in self.work:
            return False
        if kind in ("allocate", "allocate-warm"):
            return True
        if self.container is None:
            return False
        if kind == "mutate":
            return self.mutate is not None
        if kind == "churn":
            return not self.has_references and self.nodes > 0
        return True

    def run_alone(self, index, live, purge):
        """A phase the pool does not run (purge; a phase that does not apply): a baseline and a last sample."""
        sampler, counters = self.sampler, self.counters
        sampler.phase, sampler.per_phase, sampler.in_phase = index, 2, 0
        counters.begin()
        sampler.take(live, 0, False, self.monotonic_ns())
        counters.resume()
        started = self.monotonic_ns()
        self.purged = self.allocator.purge() if purge else False
        elapsed = self.monotonic_ns() - started
        counters.pause()
        sampler.take(live, elapsed, True, self.monotonic_ns())
        counters.end(index)
        return live

    def run_pooled(self, index, kind, phase, live_start):
        sampler, counters, monotonic_ns = self.sampler, self.counters, self.monotonic_ns
        self.kind = kind
        self.random_order = phase.endswith(":random")
        self.assign(kind, phase)
        building = kind in ("allocate", "allocate-warm")
        samples = self.global_count + 1
        sampler.phase, sampler.per_phase, sampler.in_phase = index, samples, 0
        counters.begin()
        sampler.take(live_start, 0, False, monotonic_ns())
        prepare_ns = 0
        if building:
            started = monotonic_ns()
            self.container = None
            self.container = [None] * self.nodes
            prepare_ns = monotonic_ns() - started
        self.live_start, self.prepare_ns = live_start, prepare_ns
        released = self.released = monotonic_ns()
        self.start_barrier.wait()
        starts, live, wake_read, wake = self.starts, self.live, self.wake_read, self.wake
        for _ in range(0 if self.pool_samples else self.global_count - 1):
            while os.readv(wake_read, wake) != 1:
                pass
            now_live = live_start + sum(live)
            entered = monotonic_ns()
            earliest = 0
            for start in starts:
                if start and (earliest == 0 or start < earliest):
                    earliest = start
            sampler.take(now_live, prepare_ns + entered - (earliest or released), False, entered)
        self.end_barrier.wait()
        if self.pool_samples and self.sampled != self.global_count - 1:
            fail("phase %d (%s): the pool took %d of its %d intermediate samples"
                 % (index, phase, self.sampled, self.global_count - 1))
        finish_ns = 0
        if kind in ("free-all", "remote-free"):
            started = monotonic_ns()
            self.container = None
            finish_ns = monotonic_ns() - started
        live_end = live_start + sum(live)
        first_start, last_end = min(starts), max(self.ends)
        sampler.take(live_end, prepare_ns + last_end - first_start + finish_ns - self.sampled_ns, True, monotonic_ns())

        usage_start, usage_end, sampling = self.usage_start, self.usage_end, self.sample_usage
        threads = range(self.threads)
        counters.totals[:] = (
            sum(self.cpu) - sum(self.sample_cpu),
            sum(usage_end[t].ru_minflt - usage_start[t].ru_minflt - sampling[t][0] for t in threads),
            sum(usage_end[t].ru_majflt - usage_start[t].ru_majflt - sampling[t][1] for t in threads),
            sum(usage_end[t].ru_nvcsw - usage_start[t].ru_nvcsw - sampling[t][2] for t in threads),
            sum(usage_end[t].ru_nivcsw - usage_start[t].ru_nivcsw - sampling[t][3] for t in threads))
        counters.end(index)
        for t in range(self.threads):
            usage_start[t] = usage_end[t] = None
        self.figures_line(index, timed=True)
        return live_end, sum(self.checksums)

    def figures_line(self, index, timed):
        """The phase's `threads` reply: the slowest and the fastest thread's wall ns and items (pool phases),
        then the allocator's arenas, arenas used and thread-cache bytes; empty where unknown."""
        cells = ["", "", "", ""]
        if timed:
            # A thread's wall time leaves out the pool's samples within it (every pool thread stood still then).
            timed_threads = [(self.ends[t] - self.starts[t] - self.sampled_within(self.starts[t], self.ends[t]),
                              self.end[t] - self.first[t]) for t in range(self.threads)]
            slowest = max(timed_threads, key=lambda pair: pair[0])
            fastest = min(timed_threads, key=lambda pair: pair[0])
            cells = [str(slowest[0]), str(fastest[0]), str(slowest[1]), str(fastest[1])]
        cells += ["" if value is None else str(value) for value in self.figures.read()]
        self.lines.append("threads\t%d\t%d\t%s" % (index, self.threads, "\t".join(cells)))


def main():
    values = parse_arguments(sys.argv[1:])
    layout = values["--python-layout"]
    fields = parse_fields(values["--python-fields"])
    nodes = int(values["--nodes"])
    checkpoints = int(values["--checkpoints"])
    phases = values["--phases"].split(",")
    allocator = Allocator(values["--allocator-statistics"])
    provider = allocator.verify(values["--expect-malloc-provider"])
    # The bytes, string and array fields' sources are made here, before the allocate baseline.
    namespace = layout_namespace(layout, fields, int(values["--seed"]), nodes)
    make = namespace["make"]
    visit = namespace["visit"]
    mutate = namespace["mutate"]
    has_references = any(field.kind == "reference" for field in fields)
    # Built before the allocate baseline, as in the Swift worker, so its 8 B per node is not counted as nodes.
    needs_permutation = any(p.startswith("traverse:random") or p.startswith("mutate:random") or p.startswith("churn")
                            or (p.startswith("fork:") and p.endswith(":random")) for p in phases)
    permutation = make_permutation(nodes, int(values["--seed"])) if needs_permutation else None

    counters = Counters(len(phases))
    sampler = Sampler(allocator, (checkpoints + 1) * len(phases), values["--smaps"],
                      values["--allocator-schedule"], checkpoints + 1, counters)
    sampler.checkpoint(0)  # warm the samplers
    sampler.count = 0
    counters.machine()
    counters.resume()
    counters.pause()
    schedule = fill_schedule(nodes, checkpoints)  # never more checkpoints than nodes, as in the Swift worker
    outcomes = []
    fork_lines = []
    thread_lines = []
    threads = int(values.get("--threads", "0"))
    gc.disable()  # no collector pauses inside the timed loop; nothing here makes cycles

    if threads >= 1:
        # Every phase on a pool of T threads (started now, before the allocate baseline); the classic loop is skipped.
        trial = ThreadedTrial(threads, nodes, checkpoints, phases, namespace,
                              threaded_layout_namespace(layout, fields, namespace), permutation, has_references,
                              allocator, sampler, counters, int(values["--seed"]))
        outcomes, thread_lines = trial.run(), trial.lines
    else:
        sampler.begin(0, len(schedule) + 1)
        container = build(make, nodes, schedule, sampler)
        outcomes.append("phase\t0\tallocate\t0\t%d\t1" % nodes)

    live = nodes
    for index, phase in enumerate(phases[1:] if threads < 1 else [], start=1):
        kind = phase.split(":")[0]
        if kind == "idle":
            # Sleep, sampling on a time schedule: what the allocator gives back by itself while nothing runs.
            seconds = float(phase.split(":")[1])
            sampler.begin(index, checkpoints + 1)
            sampler.checkpoint(live)
            start = time.monotonic_ns()
            total = int(seconds * 1e9)
            for k in range(1, checkpoints + 1):
                delay = start + total * k // checkpoints - time.monotonic_ns()
                if delay > 0:
                    time.sleep(delay / 1e9)
                sampler.checkpoint(live, last=(k == checkpoints))
            sampler.end()
            outcomes.append("phase\t%d\t%s\t0\t%d\t1" % (index, phase, live))
            continue
        if kind == "allocate-warm":
            # After free-all (the validator sees to it): the allocate loop again, on memory already faulted in.
            sampler.begin(index, len(schedule) + 1)
            container = build(make, nodes, schedule, sampler)
            live = nodes
            outcomes.append("phase\t%d\t%s\t0\t%d\t1" % (index, phase, live))
            continue
        random_order = phase.endswith(":random")
        steps = fill_schedule(nodes_processed(phase, nodes), checkpoints) if container is not None else [0]
        ends_at_once = kind in ("free-all", "purge", "fork") or container is None
        sampler.begin(index, 2 if ends_at_once else len(steps) + 1)
        sampler.checkpoint(live)
        applicable = 1
        checksum = 0
        w = 0
        if container is None and kind not in ("purge", "free-all"):
            applicable = 0
            sampler.checkpoint(live, last=True)
        elif kind == "traverse":
            # One iterator over the container (sequential) or over the permutation (random): no slice copies.
            order = visiting_order(container, permutation if random_order else None)
            for end in steps:
                for node in itertools.islice(order, end - w):
                    if node is not None:
                        checksum += visit(node)
                w = end
                sampler.checkpoint(live)
            # A list iterator stopped at the end still holds the list, and the loop variable the last node (and
            # what it refers to): free-all must free them all.
            order = node = None
        elif kind == "mutate" and mutate is not None:
            order = visiting_order(container, permutation if random_order else None)
            for end in steps:
                for node in itertools.islice(order, end - w):
                    if node is not None:
                        mutate(node)
                w = end
                sampler.checkpoint(live)
            order = node = None
        elif kind == "free-half":
            # The odd nodes: no node refers to one (references point at even nodes), so each is freed here.
            for end in steps:
                while w < end:
                    i = 2 * w + 1
                    if container[i] is not None:
                        container[i] = None
                        live -= 1
                    w += 1
                sampler.checkpoint(live)
        elif kind == "reallocate":
            for end in steps:
                while w < end:
                    i = 2 * w + 1
                    if container[i] is None:
                        live += 1
                    container[i] = make(i, container)
                    w += 1
                sampler.checkpoint(live)
        elif kind == "churn" and not has_references and nodes > 0:
            # Each replaced node is freed at once (nothing else refers to it). With reference fields an old
            # node can outlive its slot, and Python cannot count when it goes without a finalizer on every
            # node: churn does not apply then.
            for end in steps:
                while w < end:
                    i = permutation[w % nodes]
                    if container[i] is None:
                        live += 1
                    container[i] = make(i, container)
                    w += 1
                sampler.checkpoint(live)
        elif kind == "free-all":
            container = None
            live = 0
            sampler.checkpoint(live, last=True)
        elif kind == "purge":
            applicable = 1 if allocator.purge() else 0
            sampler.checkpoint(live, last=True)
        elif kind == "fork":
            applicable, lines = fork_phase(index, phase, container, permutation, fork_reader(layout, fields), mutate,
                                           values.get("--python-gc-freeze") == "1")
            fork_lines += lines
            sampler.checkpoint(live, last=True)
        else:
            applicable = 0
            sampler.checkpoint(live, last=True)
        sampler.end()
        outcomes.append("phase\t%d\t%s\t%d\t%d\t%d" % (index, phase, checksum, live, applicable))

    # Python-specific probe, after the measured phases: getsizeof per node, then tracemalloc over a
    # separate build of probe nodes (tracing slows allocation, so it never runs while timing).
    probe = min(int(values["--probe-nodes"]), nodes)
    python_line = "python\t0\t\t"
    if probe > 0:
        import tracemalloc
        sample = [make(i, []) if i == 0 else None for i in range(1)]
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        built = [None] * probe
        for i in range(probe):
            built[i] = make(i, built)
        traced = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        sizes = sum(getsizeof_node(built[i]) for i in range(0, probe, max(1, probe // 1000)))
        measured = len(range(0, probe, max(1, probe // 1000)))
        python_line = "python\t%d\t%d\t%d" % (probe, sizes * probe // measured, traced - 8 * probe)
        del sample, built

    print("identity\t%s\t%s" % (provider, allocator.version()))
    print("interpreter\t%d\t%s" % (gil_enabled(), "" if START_RSS_BYTES is None else START_RSS_BYTES))
    for line in sampler.replies():
        print(line)
    for line in outcomes:
        print(line)
    for line in fork_lines:
        print(line)
    for line in thread_lines:
        print(line)
    for line in counters.phases:
        print(line)
    print(python_line)
    print("done")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
