"""What the cyclic garbage collector does with a plan's inputs (and glibc's memory thresholds,
see ``usual_malloc``): decided once per process, at the process boundary, never inside a
replication.

A plan's inputs (a town's roster, routing tables, households) are large and live as long as
the plan runs; every full collection walks them again. Measured (festival day, CPU per
replication, shared 2-core machine): 0.66–0.70 s with the collector paused around the
replication, 0.75–0.95 s with it running, 0.65–0.69 s with it running after ``gc.freeze()``
(the inputs moved out of its reach); the 50k-resident evacuation shows no difference.

``gc.freeze()`` is interpreter-wide and keeps what it freezes from cyclic collection, so only
an entry point that owns its process asks for it: the command line (``own_process()``) and
the worker processes of the process pool and of a local Dask cluster (a process started by
``multiprocessing``). The dashboard, whose sessions are threads of one server, never does:
there the collector runs as usual.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sys

_owned = False


def own_process() -> None:
    """Called by an entry point that owns the whole process (the ``gridmuster`` command)."""
    global _owned
    _owned = True


def owns_process() -> bool:
    return _owned or multiprocessing.parent_process() is not None


def inputs_built() -> None:
    """After a plan's inputs are built: in a process of our own, collect what building left
    and freeze the rest, so that collections during the replications skip the inputs; and
    give back glibc's usual memory thresholds if the process was started with a low one."""
    if owns_process():
        gc.collect()
        gc.freeze()
        if os.environ.get("MALLOC_TRIM_THRESHOLD_"):
            usual_malloc()


# glibc's mallopt parameters (malloc.h) and the values set: memory freed at the top of the
# heap is given back above 32 MB, and blocks from 4 MB up get their own mapping.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
TRIM_BYTES, MMAP_BYTES = 32 * 2**20, 4 * 2**20


def usual_malloc() -> bool:
    """Raise glibc's trim and mapping thresholds in this process; True if it took.

    A Dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_=65536`` (Dask's default
    ``distributed.nanny.pre-spawn-environ``, so that workers give memory back to the system
    soon). A replication makes and frees many numpy arrays, and with that setting each free
    may give pages back and each new array map them again: a Youchegang replication took
    1.8x the CPU (0.50 s against 0.28 s for 200, measured in one process with and without
    the variable), the Dask workers' overhead in ``bench_experiments.py``. The thresholds
    raised here cost at most 32 MB of freed memory kept per worker, whose caches are bounded
    anyway. Nothing happens off Linux/glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_BYTES))
    except (OSError, AttributeError):  # not glibc
        return False
