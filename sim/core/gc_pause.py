"""Pausing the cyclic garbage collector around one replication.

A replication allocates ~10⁵ short-lived SimPy events and generators; with a large town's
routing tables alive, cyclic GC passes over them cost a third of the run or more (festival day
with gc on: about 65 % more CPU). The switch is interpreter-wide, so it is restored exactly as
found; issue 12 asks for it to go once allocations are cut."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
