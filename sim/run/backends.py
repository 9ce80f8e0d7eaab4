"""Where replications run: this process, local worker processes, or a Dask cluster.

Whatever the backend, replication ``i`` is the same pure function of (plan, seed, i), so the
results are bit-identical; only the wall time changes.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from sim.core.results import ReplicationResult

OnResults = Callable[[list[ReplicationResult]], None]
Task = Callable[[Any, list[int], int, tuple[int, ...]], list[ReplicationResult]]


@dataclass(frozen=True)
class Backend:
    """``workers`` local processes, or ``dask``: a scheduler address such as
    ``tcp://10.0.0.5:8786``, or ``"local"`` for a LocalCluster of ``workers`` processes."""

    workers: int = 1
    dask: str | None = None

    def describe(self) -> str:
        if self.dask:
            return f"dask {self.dask}" + (f" ({self.workers} workers)" if self.dask == "local"
                                          else "")
        return f"{self.workers} local process{'es' if self.workers > 1 else ''}"


def _chunks(items: list[int], n_chunks: int) -> list[list[int]]:
    size = max(1, math.ceil(len(items) / max(n_chunks, 1)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _context() -> Any:
    # fork starts workers in milliseconds; spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(task: Task, setup: Any, replications: Sequence[int], seed: int,
              keep_events: tuple[int, ...], backend: Backend, on_results: OnResults) -> None:
    """Run ``task(setup, chunk, seed, keep_events)`` over chunks of replications; hand each
    chunk's results to ``on_results`` as soon as it finishes (in completion order)."""
    reps = list(replications)
    if not reps:
        return
    if backend.dask:
        _run_dask(task, setup, reps, seed, keep_events, backend, on_results)
    elif backend.workers <= 1 or len(reps) == 1:
        for r in reps:
            on_results(task(setup, [r], seed, keep_events))
    else:
        # Several chunks per worker balance the load and give progress as they finish.
        with ProcessPoolExecutor(max_workers=backend.workers, mp_context=_context()) as pool:
            futures = [pool.submit(task, setup, c, seed, keep_events)
                       for c in _chunks(reps, backend.workers * 8)]
            for f in as_completed(futures):
                on_results(f.result())


_CLIENTS: dict[tuple[str, int], Any] = {}


def _dask_client(backend: Backend) -> Any:
    """One client per (address, workers) for the life of the process: a comparison of several
    plans, or an optimiser's many candidates, reuse one cluster instead of starting one each."""
    try:
        from dask.distributed import Client, LocalCluster  # deferred: dask (only with --dask)
    except ImportError:
        raise RuntimeError("--dask needs the optional extra: pip install 'gridmuster[dask]'"
                           ) from None
    assert backend.dask is not None
    key = (backend.dask, backend.workers)
    if key not in _CLIENTS:
        if backend.dask == "local":
            cluster = LocalCluster(n_workers=max(backend.workers, 1), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(backend.dask, timeout=30)
        _CLIENTS[key] = client
        atexit.register(close_dask)
    return _CLIENTS[key]


def close_dask() -> None:
    for client in list(_CLIENTS.values()):
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    _CLIENTS.clear()


def _run_dask(task: Task, setup: Any, reps: list[int], seed: int, keep_events: tuple[int, ...],
              backend: Backend, on_results: OnResults) -> None:
    from dask.distributed import as_completed as dask_completed  # deferred: dask (only with --dask)

    client = _dask_client(backend)
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    chunks = _chunks(reps, n_workers * 8)
    # The plan goes to each worker once, not with every chunk (each worker builds its inputs
    # from it once, on its first chunk); hash=False: no content hash of a pydantic model.
    shared = client.scatter(setup, broadcast=True, hash=False)
    futures = client.map(task, [shared] * len(chunks), chunks, [seed] * len(chunks),
                         [keep_events] * len(chunks), pure=False)
    for f in dask_completed(futures):
        on_results(f.result())
