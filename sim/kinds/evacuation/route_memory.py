"""Where a worker keeps what its route tables compute on demand (rows searched, answers per
node, road graphs), each bounded: at county scale the memory of one worker stays within its
budget however many tables and replications it runs (``routes``)."""

from __future__ import annotations

import contextlib
import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Caches' budgets. Measured at 300 grids (24,300 nodes, 60 tables): the far rows and the
# squads' rows are used while their state is in force and rarely after, so 8 and 4 MB make
# the same searches as 48 and 24 MB did (1,298 a replication), and 4 MB of graphs (three)
# the same 58 rebuilds a replication (0.5 ms each) as 8 MB; each MB is a MB of peak memory.
FAR_ROWS_BYTES = 8 * 2**20  # far rows, kept across replications (sparse: most are small)
BASE_ROWS_BYTES = 4 * 2**20  # squads' rows from their bases and shelters (sparse)
DENSE_ROWS_BYTES = 16 * 2**20  # dense rows to walk full tables' routes (a town's: small)
GRAPH_BYTES = 4 * 2**20  # both-ways road graphs of route tables (~1.1 MB at 24,300 nodes)
MEMO_KEYS_PER_TABLE = 2**40  # (shelter, node) pairs of one table's memo keys, at most


class RowCache:
    """Rows of route tables built on demand (dense rows to walk full tables' routes, sparse
    rows of limited searches from shelters and squad bases), the most recently used kept up
    to a byte budget: trips that re-plan at the same change of the network head for the same
    few shelters, so the rows are reused, and a worker's memory stays bounded at county
    scale. (Not locked: threads sharing inputs, the dashboard's jobs, may at worst compute a
    row twice or misjudge the budget a little.)"""

    def __init__(self, budget_bytes: int = 256 * 2**20):
        self.budget = budget_bytes
        self.used = 0
        self._rows: OrderedDict[tuple[int, int, int, str], tuple[np.ndarray, ...]] = OrderedDict()

    def get(self, key: tuple[int, int, int, str], make: Callable[[], tuple[np.ndarray, ...]]
            ) -> tuple[np.ndarray, ...]:
        got = self._rows.get(key)
        if got is not None:
            self._touch(key)
            return got
        got = self._rows[key] = make()
        self.used += sum(a.nbytes for a in got)
        while self.used > self.budget and len(self._rows) > 1:
            _, old = self._rows.popitem(last=False)
            self.used -= sum(a.nbytes for a in old)
        return got

    def peek(self, key: tuple[int, int, int, str]) -> tuple[np.ndarray, ...] | None:
        got = self._rows.get(key)
        if got is not None:
            self._touch(key)
        return got

    def _touch(self, key: tuple[int, int, int, str]) -> None:
        # (Evicted meanwhile by another thread: the row in hand still holds. A try, not
        # ``contextlib.suppress``: this runs at every hop of a county's walks.)
        try:  # noqa: SIM105 (see above)
            self._rows.move_to_end(key)
        except KeyError:
            pass

    def put(self, key: tuple[int, int, int, str], value: tuple[np.ndarray, ...]) -> None:
        self.drop(key)
        self._rows[key] = value
        self.used += sum(a.nbytes for a in value)
        while self.used > self.budget and len(self._rows) > 1:
            _, old = self._rows.popitem(last=False)
            self.used -= sum(a.nbytes for a in old)

    def drop(self, key: tuple[int, int, int, str]) -> None:
        old = self._rows.pop(key, None)
        if old is not None:
            self.used -= sum(a.nbytes for a in old)


class Memo:
    """Answers remembered by key, in two generations of up to ``size`` entries each: an
    answer asked again moves to the young one, and when the young one is full the old one
    is dropped (about the ``size`` to ``2 × size`` most recently asked, at the cost of two
    dictionaries). Shared by a plan's route tables, so that a worker's memory is bounded
    however many tables and replications it runs. (Not locked, as ``RowCache``.)"""

    def __init__(self, size: int):
        self.size = size
        self.young: dict[Any, Any] = {}  # (read directly on hot paths: ``young.get`` first)
        self._old: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        got = self.young.get(key)
        if got is None:
            got = self._old.get(key)
            if got is not None:
                self.put(key, got)
        return got

    def put(self, key: Any, value: Any) -> None:
        if len(self.young) >= self.size:
            self._old, self.young = self.young, {}
        self.young[key] = value

    def __len__(self) -> int:
        return len(self.young) + len(self._old)


class Memos:
    """The per-node memos of a plan's route tables (see ``RouteTable``), keyed by integers
    (half the memory of tuples): each table numbers its nodes from its own ``first_key``.
    Sizes (entries a generation): at 300 grids a replication asks 33,000-52,000 nodes'
    shelters (the benchmark towns of ``bench_scaling.py``, with and without ``--repeating``),
    ~24,000 routes and ~4,000 far minutes. A generation holds more than a replication asks,
    so an answer asked again in the next replication is still held (with 45,000 nodes'
    shelters, 28,000 of 123,000 asks a replication missed in the 52,000-node case, and a
    replication took about 10 % longer). They hold about 60 MB at most (a node's shelters
    ~350 bytes, a route ~250); the peak of a 300-grid worker rose by 3 MB, to 397 MB."""

    def __init__(self, candidates: int = 65_000, paths: int = 35_000, columns: int = 8_000):
        self.candidates = Memo(candidates)
        self.paths = Memo(paths)
        self.columns = Memo(columns)
        self._tables = itertools.count()  # (``next`` of a count is atomic: threads share it)

    def first_key(self, keys: int) -> int:
        """The first of ``keys`` integers for a new table's memo keys, apart from every other
        table's (even two built at once by two threads)."""
        if keys > MEMO_KEYS_PER_TABLE:
            raise ValueError(f"a route table of {keys:,} (shelter, node) pairs is beyond "
                             f"{MEMO_KEYS_PER_TABLE:,}")
        return next(self._tables) * MEMO_KEYS_PER_TABLE


class GraphCache:
    """The both-ways road graphs of route tables (``both_ways``), the most recently used kept
    up to a byte budget: a replication searches the tables of the state in force, a few at a
    time, so a few graphs serve it, and each table keeps only its weights' state (the same
    roads, rebuilt exactly by ``Routes.both_of``). (Not locked, as ``RowCache``.)"""

    def __init__(self, budget_bytes: int = 0):
        self.budget = budget_bytes
        self.used = 0
        self._graphs: OrderedDict[int, csr_matrix] = OrderedDict()

    def get(self, key: int) -> csr_matrix | None:
        got = self._graphs.get(key)
        if got is not None:
            with contextlib.suppress(KeyError):  # (evicted meanwhile by another thread)
                self._graphs.move_to_end(key)
        return got

    def put(self, key: int, graph: csr_matrix) -> None:
        old = self._graphs.pop(key, None)
        if old is not None:
            self.used -= _graph_bytes(old)
        self._graphs[key] = graph
        self.used += _graph_bytes(graph)
        while self.used > self.budget and len(self._graphs) > 1:
            _, out = self._graphs.popitem(last=False)
            self.used -= _graph_bytes(out)


def _graph_bytes(g: csr_matrix) -> int:
    return int(g.data.nbytes + g.indices.nbytes + g.indptr.nbytes)
