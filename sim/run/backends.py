"""Where replications run: this process, local worker processes, or a Dask cluster.

Whatever the backend, replication ``i`` is the same pure function of (plan, seed, i), so the
results are bit-identical; only the wall time changes.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from sim.core.errors import Problem, ScenarioError
from sim.core.results import ReplicationResult
from sim.present.i18n import _

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


def guided_chunks(jobs: Sequence[Job], workers: int) -> list[tuple[Job, list[int]]]:
    """Every plan's replications cut into chunks that shrink as the work runs out (guided
    self-scheduling): each chunk is the work left divided by twice the workers, but not less
    than a 64th of a worker's share, taken in order (largest first, the plans one after
    another). Early chunks are few and large (little overhead per chunk: about 2 ms each on a
    Dask cluster), the last ones small, so the workers finish together. Equal chunks of an
    eighth of a worker's share per plan made 48 chunks of a three-plan comparison on two
    workers; this makes about 20."""
    total = sum(len(j.replications) for j in jobs)
    workers = max(workers, 1)
    least = max(1, math.ceil(total / (workers * 64)))
    out: list[tuple[Job, list[int]]] = []
    left = total
    for j in jobs:
        reps, at = j.replications, 0
        while at < len(reps):
            size = min(max(math.ceil(left / (2 * workers)), least), len(reps) - at)
            out.append((j, reps[at:at + size]))
            at += size
            left -= size
    return out


def _context() -> Any:
    # fork starts workers in milliseconds; spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@dataclass(frozen=True)
class Job:
    """Replications of one plan to run, and where each finished chunk of results goes."""

    setup: Any
    replications: list[int]
    on_results: OnResults


def run_tasks(task: Task, setup: Any, replications: Sequence[int], seed: int,
              keep_events: tuple[int, ...], backend: Backend, on_results: OnResults) -> None:
    """Run ``task(setup, chunk, seed, keep_events)`` over chunks of replications; hand each
    chunk's results to ``on_results`` as soon as it finishes (in completion order)."""
    run_jobs(task, [Job(setup, list(replications), on_results)], seed, keep_events, backend)


def run_jobs(task: Task, jobs: Sequence[Job], seed: int, keep_events: tuple[int, ...],
             backend: Backend) -> None:
    """Several plans' replications on one backend at once: every plan's chunks are queued
    together, so a worker that finishes the last chunk of one plan starts on the next plan
    instead of waiting for the other workers to finish theirs (issue 16)."""
    jobs = [j for j in jobs if j.replications]
    if not jobs:
        return
    if backend.dask:
        _run_dask(task, jobs, seed, keep_events, backend)
    elif backend.workers <= 1 or sum(len(j.replications) for j in jobs) == 1:
        for j in jobs:
            for r in j.replications:
                j.on_results(task(j.setup, [r], seed, keep_events))
    else:
        # Several chunks per worker balance the load and give progress as they finish.
        with ProcessPoolExecutor(max_workers=backend.workers, mp_context=_context()) as pool:
            futures = {pool.submit(task, j.setup, c, seed, keep_events): j
                       for j, c in guided_chunks(jobs, backend.workers)}
            for f in as_completed(futures):
                futures[f].on_results(f.result())


_CLIENTS: dict[tuple[str, int], Any] = {}


DASK_CONNECT_S = 10  # a scheduler that is up answers in well under a second
_DASK_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|inproc|ucx)://)?(\[[0-9a-fA-F:.]+\]|[\w.-]+)"
                           r"(?::(\d{1,5}))?")


def check_dask_address(address: str) -> str:
    """``local`` or a scheduler address (``[tcp://]HOST[:PORT]``), else a --dask problem:
    refused at once, not after a connection attempt."""
    if address == "local":
        return address
    m = _DASK_ADDRESS.fullmatch(address.strip())
    if m is None or (m.group(2) is not None and not 0 < int(m.group(2)) < 65536):
        raise ScenarioError([Problem("--dask", _(
            "not a scheduler address; give HOST:PORT (e.g. tcp://10.0.0.5:8786) or local"),
            address)])
    return address


def _dask_client(backend: Backend) -> Any:
    """One client per (address, workers) for the life of the process: a comparison of several
    plans, or an optimiser's many candidates, reuse one cluster instead of starting one each."""
    try:
        from dask.distributed import Client, LocalCluster  # deferred: dask (only with --dask)
    except ImportError:
        raise ScenarioError([Problem("--dask", _(
            "needs the optional extra: pip install 'gridmuster[dask]'"))]) from None
    assert backend.dask is not None
    key = (backend.dask, backend.workers)
    if key not in _CLIENTS:
        if backend.dask == "local":
            import dask  # deferred: dask (only with --dask)

            from sim.run.dask_cluster import PROFILER_OFF  # deferred: beside dask's imports

            with dask.config.set(PROFILER_OFF):  # (the nannies pass it to their workers)
                cluster = LocalCluster(n_workers=max(backend.workers, 1), threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            check_dask_address(backend.dask)
            try:
                client = Client(backend.dask, timeout=DASK_CONNECT_S)
            except (OSError, TimeoutError) as exc:  # distributed raises OSError on timeout
                raise ScenarioError([Problem("--dask", _(
                    "cannot reach the Dask scheduler at {address} within {s} s ({why}); start "
                    "it, check the address, or use --dask local", address=backend.dask,
                    s=DASK_CONNECT_S, why=str(exc).splitlines()[0] if str(exc) else
                    type(exc).__name__), backend.dask)]) from None
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


def _run_dask(task: Task, jobs: list[Job], seed: int, keep_events: tuple[int, ...],
              backend: Backend) -> None:
    from dask.distributed import as_completed as dask_completed  # deferred: dask (only with --dask)

    client = _dask_client(backend)
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    owner: dict[Any, Job] = {}
    # The plan goes to each worker once, not with every chunk (each worker builds its inputs
    # from it once, on its first chunk); hash=False: no content hash of a model.
    shared = {id(j): client.scatter(j.setup, broadcast=True, hash=False) for j in jobs}
    chunks = guided_chunks(jobs, n_workers)
    # (Submitted in one map, in order: Dask runs earlier submissions first, largest first.)
    futures = client.map(task, [shared[id(j)] for j, _ in chunks], [c for _, c in chunks],
                         [seed] * len(chunks), [keep_events] * len(chunks), pure=False)
    owner.update({f: j for f, (j, _) in zip(futures, chunks, strict=True)})
    for f in dask_completed(list(owner)):
        owner[f].on_results(f.result())
