"""A real Dask cluster on this machine: ``dask scheduler`` and ``dask worker`` as separate
processes on 127.0.0.1, as a planner's IT would start them on several machines.

For the test that checks byte-identical outputs on a cluster and for the benchmark of the
speed-up from 1 to 2 workers (issue 16); ``gridmuster compare --dask tcp://HOST:PORT`` then
uses the address. Not used at run time by the simulator itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ClusterError(RuntimeError):
    """The cluster did not start (the message holds the processes' logs)."""


def dask_command() -> str | None:
    """The ``dask`` command of this interpreter's environment, else the one on the PATH."""
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.exists() else shutil.which("dask")


def _scheduler_address(where: Path, scheduler: subprocess.Popen[bytes], timeout: float
                       ) -> str:
    """The address the scheduler wrote to its ``--scheduler-file``, once it has."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if where.is_file():
            try:
                address = json.loads(where.read_text(encoding="utf-8")).get("address")
            except ValueError:  # (being written)
                address = None
            if isinstance(address, str) and address:
                return address
        if scheduler.poll() is not None:
            raise ClusterError("the Dask scheduler stopped before it was up")
        time.sleep(0.1)
    raise ClusterError(f"the Dask scheduler wrote no address to {where} in {timeout:g} s")


def _wait_for_workers(address: str, n: int, procs: list[subprocess.Popen[bytes]],
                      timeout: float) -> None:
    from dask.distributed import Client  # deferred: dask is an optional extra

    deadline = time.monotonic() + timeout
    with Client(address, timeout=timeout) as client:
        while len(client.scheduler_info().get("workers", {})) < n:
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise ClusterError(f"{n} Dask workers did not join {address}")
            time.sleep(0.3)


# Dask's sampling profiler off in the workers (``distributed.worker.profile.enabled``): it
# walks every thread's stack each 10 ms, and a replication took about 8 % more CPU with it
# on (Duhu, one worker, turned on and off three times in turn: 2.49-2.78 s against
# 2.22-2.42 s for 15 replications). Set where we start the workers; a user's own may set it
# in the environment, as the README shows.
PROFILER_OFF = {"distributed.worker.profile.enabled": False}
WORKER_ENV = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


@contextmanager
def local_cluster(workers: int, folder: Path, timeout: float = 120.0) -> Iterator[str]:
    """Start a scheduler and ``workers`` single-threaded worker processes on 127.0.0.1 (a free
    port; logs and worker files in ``folder``); yield the scheduler's address; stop them all.

    Raises ClusterError (with the logs) when the cluster does not come up in ``timeout`` s.
    """
    exe = dask_command()
    if exe is None:
        raise ClusterError("the dask command is not installed (pip install 'gridmuster[dask]')")
    folder.mkdir(parents=True, exist_ok=True)
    # The scheduler binds a port of its own choosing (--port 0) and writes its address to a
    # file: a port found free here and handed over could be taken by another process first
    # ("Address already in use", seen once in a full test run).
    where = folder / "scheduler.json"
    where.unlink(missing_ok=True)
    # Workers unpickle gridmuster's task functions: they import this checkout.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    env.update({k: v for k, v in WORKER_ENV.items() if k not in os.environ})
    names = [folder / f"dask{i}.log" for i in range(workers + 1)]
    procs: list[subprocess.Popen[bytes]] = []
    with ExitStack() as stack:
        logs = [stack.enter_context(p.open("w")) for p in names]
        try:
            procs.append(subprocess.Popen(
                [exe, "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file",
                 str(where), "--dashboard-address", ":0", "--no-show"],
                cwd=folder, env=env, stdout=logs[0], stderr=subprocess.STDOUT))
            try:
                address = _scheduler_address(where, procs[0], timeout)
            except ClusterError as exc:
                raise ClusterError(f"{exc}\n" + "\n".join(p.read_text() for p in names)
                                   ) from None
            for i in range(1, workers + 1):
                procs.append(subprocess.Popen(
                    [exe, "worker", address, "--nworkers", "1", "--nthreads", "1",
                     "--host", "127.0.0.1", "--no-dashboard",
                     "--local-directory", str(folder / f"w{i}")],
                    cwd=folder, env=env, stdout=logs[i], stderr=subprocess.STDOUT))
            try:
                _wait_for_workers(address, workers, procs, timeout)
            except (ClusterError, OSError) as exc:
                raise ClusterError(f"{exc}\n" + "\n".join(p.read_text() for p in names)
                                   ) from None
            yield address
        finally:
            _stop(procs)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in reversed(procs):  # workers first, then the scheduler
        p.terminate()
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
