"""Replications on a real Dask cluster of separate processes give byte-identical outputs.

Starts ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (a free port), runs
``gridmuster compare --dask tcp://127.0.0.1:PORT`` and compares every output file with the same
comparison run by ``--workers 1`` (all but the wall time written into ``comparison.json``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")
from sim.run.dask_cluster import dask_command, local_cluster  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "muster_youchegang.yaml"

pytestmark = pytest.mark.slow  # two cluster starts and two comparisons: ~30-60 s on 2 cores


@pytest.fixture
def cluster(tmp_path):
    if dask_command() is None:
        pytest.skip("the dask command is not installed")
    with local_cluster(2, tmp_path / "cluster") as address:
        yield address


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


def _profiling(dask_worker) -> bool:  # type: ignore[no-untyped-def]
    return "profile" in dask_worker.periodic_callbacks


def test_workers_we_start_run_without_dask_s_sampling_profiler(cluster):
    """The profiler samples every thread's stack each 10 ms (about 8 % of a replication's CPU):
    off in the workers of ``local_cluster`` and of ``--dask local``, on by Dask's default."""
    from dask.distributed import Client

    from sim.run.backends import Backend, _dask_client, close_dask

    with Client(cluster) as client:
        assert list(client.run(_profiling).values()) == [False, False]
    try:
        local = _dask_client(Backend(workers=1, dask="local"))
        assert list(local.run(_profiling).values()) == [False]
    finally:
        close_dask()
    import dask

    assert dask.config.get("distributed.worker.profile.enabled") is True  # (left as it was)
