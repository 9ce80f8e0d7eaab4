"""No interpreter-wide switch inside a replication (issue 12): the garbage collector is left
alone by the kinds, and built inputs are frozen only by entry points that own their process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading

import pytest

from sim.core.scenario import load_scenario
from sim.run import gc_policy
from sim.run.experiments import run_plan
from tests.helpers import ROOT


def _refuse(*_args: object) -> None:
    raise AssertionError("an interpreter-wide GC switch was used")


@pytest.mark.parametrize("scenario, plan", [("tide_yanguan.yaml", "reported"),
                                            ("rainstorm_yangning.yaml", "baseline")])
def test_replications_never_switch_the_collector(monkeypatch, scenario, plan):
    monkeypatch.setattr(gc, "disable", _refuse)
    monkeypatch.setattr(gc, "enable", _refuse)
    monkeypatch.setattr(gc, "freeze", _refuse)  # not owning the process: nothing is frozen
    monkeypatch.setattr(gc_policy, "_owned", False)
    s = load_scenario(f"scenarios/{scenario}")
    errors: list[BaseException] = []

    def session() -> None:  # as a dashboard session: a thread of the server
        try:
            run_plan(s, plan, 1, 3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=session)
    t.start()
    t.join()
    assert errors == [] and gc.isenabled()


def test_built_inputs_are_frozen_only_in_a_process_of_our_own(monkeypatch):
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    monkeypatch.setattr(gc_policy, "_owned", False)
    assert not gc_policy.owns_process()  # pytest's own process, not a worker
    gc_policy.inputs_built()
    assert frozen == []
    gc_policy.own_process()
    gc_policy.inputs_built()
    assert frozen == [1]


def test_inputs_built_restores_malloc_only_in_an_owned_process_started_with_a_low_trim(
        monkeypatch):
    called: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(gc_policy, "usual_malloc", lambda: called.append(1) or True)
    for owned, env, want in [(False, "65536", 0), (True, None, 0), (True, "65536", 1)]:
        called.clear()
        monkeypatch.setattr(gc_policy, "_owned", owned)
        monkeypatch.setattr(gc_policy.multiprocessing, "parent_process", lambda: None)
        if env is None:
            monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
        else:
            monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", env)
        gc_policy.inputs_built()
        assert len(called) == want, (owned, env)


SPEED = """
import ctypes, time
from sim.core.scenario import load_scenario
from sim.run.experiments import run_replications
from sim.run.gc_policy import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, usual_malloc
setup = load_scenario("scenarios/muster_youchegang.yaml").plan("baseline")
libc = ctypes.CDLL("libc.so.6")
def cpu():
    t = time.process_time()
    run_replications(setup, list(range(1, 101)), 1, ())
    return time.process_time() - t
cpu()
low, usual = [], []
for _ in range(3):  # alternate: the machine's load touches both alike
    libc.mallopt(M_TRIM_THRESHOLD, 65536)  # as Dask's nanny starts a worker
    libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    low.append(cpu())
    assert usual_malloc()
    usual.append(cpu())
print(min(low) / min(usual))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_usual_malloc_undoes_the_slowdown_of_a_low_trim_threshold():
    # Measured 1.8x (0.50 against 0.28 s for 200 replications); asserted with a wide margin.
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    done = subprocess.run([sys.executable, "-c", SPEED], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) > 1.25, done.stdout
