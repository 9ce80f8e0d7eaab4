"""What the cyclic garbage collector does with a plan's inputs: decided once per process, at
the process boundary, never inside a replication.

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

import gc
import multiprocessing

_owned = False


def own_process() -> None:
    """Called by an entry point that owns the whole process (the ``gridmuster`` command)."""
    global _owned
    _owned = True


def owns_process() -> bool:
    return _owned or multiprocessing.parent_process() is not None


def inputs_built() -> None:
    """After a plan's inputs are built: in a process of our own, collect what building left
    and freeze the rest, so that collections during the replications skip the inputs."""
    if owns_process():
        gc.collect()
        gc.freeze()
