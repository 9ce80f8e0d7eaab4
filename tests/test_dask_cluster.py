"""Replications on a real Dask cluster of separate processes give byte-identical outputs.

Starts ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (a free port), runs
``gridmuster compare --dask tcp://127.0.0.1:PORT`` and compares every output file with the same
comparison run by ``--workers 1`` (all but the wall time written into ``comparison.json``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "muster_youchegang.yaml"
DASK = Path(sys.executable).with_name("dask")

pytestmark = pytest.mark.slow  # two cluster starts and two comparisons: ~30-60 s on 2 cores


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_workers(address: str, n: int, procs: list[subprocess.Popen[bytes]],
                      timeout: float = 120.0) -> None:
    from dask.distributed import Client

    deadline = time.monotonic() + timeout
    with Client(address, timeout=timeout) as client:
        while len(client.scheduler_info().get("workers", {})) < n:
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise RuntimeError("the Dask cluster did not start")
            time.sleep(0.3)


@pytest.fixture
def cluster(tmp_path):
    if not DASK.exists() and shutil.which("dask") is None:
        pytest.skip("the dask command is not installed")
    exe = str(DASK) if DASK.exists() else "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    # Workers unpickle gridmuster's task functions: they import this checkout.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = [(tmp_path / f"dask{i}.log").open("w") for i in range(3)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(subprocess.Popen(
            [exe, "scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--dashboard-address", ":0", "--no-show"],
            cwd=tmp_path, env=env, stdout=logs[0], stderr=subprocess.STDOUT))
        for i in (1, 2):
            procs.append(subprocess.Popen(
                [exe, "worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--host", "127.0.0.1", "--no-dashboard",
                 "--local-directory", str(tmp_path / f"w{i}")],
                cwd=tmp_path, env=env, stdout=logs[i], stderr=subprocess.STDOUT))
        try:
            _wait_for_workers(address, 2, procs)
        except RuntimeError:
            raise RuntimeError("\n".join((tmp_path / f"dask{i}.log").read_text()
                                         for i in range(3))) from None
        yield address
    finally:
        for p in reversed(procs):  # workers first, then the scheduler
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in logs:
            f.close()


def _compare(out: Path, *backend: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "sim", "compare", str(SCENARIO), "--plans", "baseline,phone_tree",
         "--reps", "6", "--seed", "3", "--no-store", "--out", str(out), *backend],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def _without_wall_time(text: bytes) -> bytes:
    """``elapsed_s`` is the wall time of each plan's run, the one field that may differ."""
    return re.sub(rb'"elapsed_s": [0-9.e+-]+', b'"elapsed_s": 0', text)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (_without_wall_time(p.read_bytes())
                                         if p.suffix == ".json" else p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_compare_on_a_dask_cluster_is_byte_identical_to_one_worker(cluster, tmp_path):
    _compare(tmp_path / "dask", "--dask", cluster)
    _compare(tmp_path / "one", "--workers", "1")
    dask, one = _files(tmp_path / "dask"), _files(tmp_path / "one")
    assert dask.keys() == one.keys()
    assert any(name.endswith(".csv") for name in one)
    assert b'"elapsed_s": 0' in dask["comparison.json"]  # the one field set aside is there
    differ = [name for name in one if dask[name] != one[name]]
    assert differ == []
