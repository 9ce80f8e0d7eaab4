"""The reference every simulation benchmark is measured against in the same run: SimPy alone."""

from __future__ import annotations

import time
from collections.abc import Callable

import simpy


def bare_simpy(processes: int = 2000, steps: int = 6, rounds: int = 5,
               clock: Callable[[], float] = time.perf_counter) -> float:
    """Events per second of SimPy alone (processes that only wait), best of ``rounds``.

    ``clock=time.process_time`` counts CPU, not wall, time, so that other work on a shared
    machine does not count."""
    best = 0.0
    for _ in range(rounds):
        env = simpy.Environment()

        def proc(env: simpy.Environment):  # type: ignore[no-untyped-def]
            for _ in range(steps):
                yield env.timeout(1.0)

        for _ in range(processes):
            env.process(proc(env))
        t = clock()
        env.run()
        events = processes * (steps + 2)  # timeouts + Initialize + the process's own end
        best = max(best, events / max(clock() - t, 1e-9))
    return best


def bare_simpy_cpu() -> float:
    """:func:`bare_simpy` in events per CPU second."""
    return bare_simpy(clock=time.process_time)
