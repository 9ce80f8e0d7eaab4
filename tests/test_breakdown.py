"""One typed breakdown, ``metric[key=value]``: parse and format are each other's inverse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.core.results import Breakdown, base_metric, breakdowns_in

_word = st.text(st.characters(blacklist_characters="[]=\n", blacklist_categories=("Cs",)),
                min_size=1, max_size=12)


@given(_word, _word, st.text(st.characters(blacklist_characters="\n",
                                           blacklist_categories=("Cs",)), max_size=12))
def test_parse_inverts_name(metric: str, key: str, value: str) -> None:
    b = Breakdown(metric, key, value)
    assert Breakdown.parse(b.name) == b
    assert base_metric(b.name) == metric


def test_plain_metrics_are_not_breakdowns() -> None:
    for name in ("t90_min", "mustered_60min", "odd[name]", "x[=v]", "[k=v]"):
        assert Breakdown.parse(name) is None
        assert base_metric(name) == name


def test_values_may_hold_brackets_and_signs() -> None:
    b = Breakdown.parse("wait_p95_min[checkpoint=Gate [north] = A]")
    assert b == Breakdown("wait_p95_min", "checkpoint", "Gate [north] = A")


def test_breakdowns_in_filters_by_metric_and_key() -> None:
    names = ["t90_min", "mustered_60min[role=cadre]", "roster[role=cadre]",
             "mustered_60min[ap=AP1]", "mustered_60min[role=militia]"]
    assert [b.value for b in breakdowns_in(names, "mustered_60min", "role")] == \
        ["cadre", "militia"]
    assert [b.metric for b in breakdowns_in(names, key="role")] == \
        ["mustered_60min", "roster", "mustered_60min"]
    assert len(breakdowns_in(names)) == 4
