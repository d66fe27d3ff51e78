"""Drives the Python worker's Allocator class without a trial: python_allocator_probe.py WORKER SOURCE LIBRARY
prints the provider, whether the allocator owns a fresh malloc(64) and a foreign (mmap) address, the six
statistics figures (-1: none), whether purge ran, and the version. Run with the library in LD_PRELOAD."""
import ctypes, importlib.util, mmap, sys, array
spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
worker = importlib.util.module_from_spec(spec); spec.loader.exec_module(worker)
allocator = worker.Allocator(sys.argv[2])
provider = allocator.verify(sys.argv[3])
malloc = allocator.process.malloc
own = malloc(64)
foreign = mmap.mmap(-1, 1 << 21)
address = ctypes.addressof(ctypes.c_char.from_buffer(foreign))
store = array.array("q", [0]) * 6
allocator.read_into(store, 0)
print(provider, allocator.owns(own), allocator.owns(address), list(store), allocator.purge(), allocator.version())
