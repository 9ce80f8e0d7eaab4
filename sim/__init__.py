"""gridmuster: discrete-event simulation of emergency mobilisation in grid-governed towns."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"

# Modules that only present or transport results: editing them cannot change a replication,
# so they are left out of the code digest (a wrong exclusion here would let --resume mix
# results of different code; a needless inclusion only costs a recomputation).
_PRESENTATION = ("cli", "plots", "maps", "report", "replay", "tables", "planedit", "figures",
                 "output", "__main__", "present")


@functools.cache
def code_digest() -> str:
    """Content hash of the ``sim/`` source files that can change a replication's results.

    Computed once per process (about 100 small files, a few milliseconds). The run store keys
    stored replications on it, so ``--resume`` never reuses results of other model code."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part.startswith(_PRESENTATION) for part in rel.parts):
            continue
        h.update(rel.as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def model_version() -> str:
    """What stored replications are keyed on: the release and the model code's digest."""
    return f"{__version__}+{code_digest()}"
