"""Chunks of replications for worker processes and Dask (``guided_chunks``): every
replication of every plan exactly once, in order; few large chunks first and small ones at
the end, so that the workers finish together."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from sim.run.backends import Job, guided_chunks


def _jobs(sizes: list[int]) -> list[Job]:
    return [Job(f"plan{i}", list(range(100 * i, 100 * i + n)), lambda _r: None)
            for i, n in enumerate(sizes)]


@given(st.lists(st.integers(0, 400), min_size=1, max_size=5), st.integers(1, 16))
def test_every_replication_once_in_order_and_chunks_shrink(sizes, workers):
    jobs = _jobs(sizes)
    chunks = guided_chunks(jobs, workers)
    # Each plan's replications, in order, once, and only its own.
    for j in jobs:
        assert [r for k, c in chunks if k is j for r in c] == j.replications
    assert all(c for _, c in chunks)
    total = sum(sizes)
    least = max(1, math.ceil(total / (workers * 64)))
    left = total
    for k, c in chunks:
        # Never more than the work left over twice the workers (or the least chunk), and
        # less only where the plan runs out.
        want = max(math.ceil(left / (2 * workers)), least)
        rest = len(k.replications) - k.replications.index(c[0])
        assert len(c) == min(want, rest), (len(c), want, rest)
        left -= len(c)


def test_a_three_plan_comparison_on_two_workers_is_cut_into_few_chunks():
    chunks = guided_chunks(_jobs([500, 500, 500]), 2)
    sizes = [len(c) for _, c in chunks]
    assert len(sizes) <= 20  # (equal chunks of an eighth of a worker's share made 48)
    assert sizes[0] == 375 and sizes[-1] <= 12  # (a worker's tail: about 30 ms here)
