"""No interpreter-wide switch inside a replication (issue 12): the garbage collector is left
alone by the kinds, and built inputs are frozen only by entry points that own their process."""

from __future__ import annotations

import gc
import threading

import pytest

from sim.core.scenario import load_scenario
from sim.run import gc_policy
from sim.run.experiments import run_plan


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
