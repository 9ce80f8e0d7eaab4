"""Random streams keyed by entity, for common random numbers across plans.

Each replication gets a key from ``SeedSequence(seed).spawn(...)``; each entity (responder,
household, visitor stream...) is identified by a stable string id. A uniform draw is a pure
function of (replication key, entity id, slot), computed with the SplitMix64 mixer in
vectorised numpy. Why not one ``numpy.random.Generator`` per entity: creating thousands of
generators per replication costs more than the simulation itself, and a counter-based mixer
gives the same guarantee that matters here: adding or removing one entity never changes the
draws of any other entity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def replication_key(seed: int, replication: int) -> int:
    """The 64-bit key of one replication: child ``replication`` of ``SeedSequence(seed)``.

    ``SeedSequence(seed).spawn(n)[i]`` equals ``SeedSequence(seed, spawn_key=(i,))``, so a
    replication's stream does not depend on how many replications are run or in what order.
    """
    child = np.random.SeedSequence(seed, spawn_key=(replication,))
    return int(child.generate_state(1, np.uint64)[0])


def entity_hashes(ids: Iterable[str]) -> np.ndarray:
    """Stable 64-bit hashes of entity ids (independent of PYTHONHASHSEED): each id's 8-byte
    BLAKE2b digest read as a little-endian unsigned integer."""
    # The digests joined and read in one go: the same numbers as int.from_bytes(..., "little")
    # per id, without a Python int per entity (a town's households are tens of thousands).
    blake2b = hashlib.blake2b
    raw = b"".join([blake2b(i.encode(), digest_size=8).digest() for i in ids])
    return np.frombuffer(raw, dtype="<u8").astype(np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def uniforms(key: int, hashes: np.ndarray, n_slots: int) -> np.ndarray:
    """Array ``(len(hashes), n_slots)`` of uniforms in (0, 1), one row per entity.

    Slot ``j`` of entity ``e`` is always the same number for the same replication key, whatever
    the other entities are.
    """
    with np.errstate(over="ignore"):
        base = _mix(hashes ^ np.uint64(key))
        slots = np.arange(1, n_slots + 1, dtype=np.uint64) * _GOLDEN
        raw = _mix(base[:, None] + slots[None, :])
    return ((raw >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def stream_generator(key: int, name: str) -> np.random.Generator:
    """A numpy Generator for a named shared source (weather, arrivals), keyed like entities."""
    h = int(entity_hashes([name])[0])
    return np.random.default_rng(np.random.SeedSequence([key, h]))


def pick(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Index of the category each uniform falls in, for categories with the given weights."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
