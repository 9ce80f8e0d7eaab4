"""A run stopped from the page (cancelled, or over its time limit) says why in the page's
language: the reason is made in the job's thread, which does not carry the language, so it is
kept as a catalogue text and translated where it is shown."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from tests.helpers import BUNDLED  # noqa: E402  (the Youchegang drill)


class Cache:
    def get(self, key):
        return None

    def put(self, key, value):
        raise AssertionError("a stopped job records nothing")


def _stopped_job(**kwargs):
    from dashboard.jobs import Job
    from sim.core.scenario import load_scenario

    s = load_scenario(BUNDLED)
    plans = s.plan_names()[:2]
    job = Job(s, plans, reps=3, seed=1, workers=1, first_reps=1, cache=Cache(),
              keys=[("k", p, 3, 1) for p in plans], **kwargs)
    job.total = len(plans) * job.reps
    return job


@pytest.mark.parametrize("how, en, zh", [
    ("cancel", "cancelled", "已取消"),
    ("limit", "over the time limit of 0 min", "超过了 0 分钟的时限"),
])
def test_a_stopped_run_says_why_in_the_page_language(how, en, zh):
    from sim.present.i18n import _, use_lang

    job = _stopped_job(time_limit_s=0.0) if how == "limit" else _stopped_job()
    if how == "cancel":
        job.cancel_event.set()
    job._run()  # in this thread: the first replication's tick stops it
    assert job.result is None and not job.error
    assert job.stopped == en
    text, values = job.stopped_why
    with use_lang("en"):
        assert _(text, **values) == en
    with use_lang("zh"):
        assert _(text, **values) == zh
