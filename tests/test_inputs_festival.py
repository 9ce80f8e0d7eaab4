"""Festival inputs: clock times of any length with plain errors, staff posted versus the pool,
and a warm-up that lets an M/M/c checkpoint under sustained load match Erlang C."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.errors import ScenarioError
from sim.core.rng import replication_key
from sim.kinds.festival.model import checked_groups
from sim.run.experiments import plan_inputs, run_plan
from tests.festival_helpers import erlang_c, small_festival
from tests.helpers import build


def _problems(tmp_path, **festival: object) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        build(tmp_path, small_festival(festival=festival))
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("field,value", [("day_end", "99:99"), ("day_end", "ab"),
                                         ("tide_time", "6.30"), ("day_start", "5:0")])
def test_bad_clock_times_give_a_plain_error_naming_field_and_value(tmp_path, field, value):
    problems = _problems(tmp_path, **{field: value})
    assert problems == [f"festival.{field}: must be a clock time HH:MM with minutes 00–59; "
                        f"hours go past 24 for the next day (e.g. 26:30) (got {value!r})"]
    assert not any("pattern" in p or "regex" in p or "^" in p for p in problems)


def test_days_of_any_length_and_unquoted_clock_times(tmp_path):
    s = build(tmp_path, small_festival(festival={"day_end": "48:00"}))
    assert s.model.festival.horizon == 48 * 60 - 5 * 60
    s = build(tmp_path, small_festival(festival={"day_end": "100:30"}))
    assert s.model.festival.horizon == 100 * 60 + 30 - 5 * 60
    # YAML reads an unquoted 06:30 as the integer 390 (base 60); it is the clock time again.
    s = build(tmp_path, small_festival(festival={"tide_time": 390}))
    assert s.model.festival.tide_time == "06:30"


def test_warm_up_must_lie_within_the_day(tmp_path):
    assert _problems(tmp_path, warm_up_until="09:00") == [
        "festival.warm_up_until: must be from day_start (05:00) and before day_end (08:00) "
        "(got '09:00')"]


def test_staff_posted_versus_pool_per_group_and_where(tmp_path):
    # Pool: volunteer 100, medical 10, security 10. Posted: 3 volunteers at checkpoint X's one
    # shift, 2 + 2 stewards at P1 and P2, and a team group of 2 teams × 2 medical.
    s = build(tmp_path, small_festival(festival={
        "teams": {"medics": {"count": 2, "members": {"medical": 2}, "bases": ["B"]}}}))
    inp = plan_inputs(s.plan(None))
    st = inp.staffing
    assert st["volunteer"] == {"pool": 100, "posted": 7, "not_posted": 93,
                               "checkpoints": {"X": {"all": 3}},
                               "viewing_points": {"P1": 2, "P2": 2}, "teams": {}}
    assert st["medical"]["posted"] == 4 and st["medical"]["teams"] == {"medics": 4}
    assert st["security"] == {"pool": 10, "posted": 0, "not_posted": 10, "checkpoints": {},
                              "viewing_points": {}, "teams": {}}
    assert inp.warnings[1] == ("staff group medical: the pool has 10 but the plan posts 4 "
                               "at checkpoints, viewing points and teams; 6 are not posted "
                               "anywhere (they do not act in the model)")
    assert len(inp.warnings) == 3
    assert inp.staffing_lines[-1] == ("staff volunteer: pool 100, posted 7 — checkpoints 3 (by "
                                      "shift: all 3); viewing points 4")
    summary = run_plan(s, None, 1).summary()
    assert summary["staffing"] == st and summary["warnings"] == inp.warnings


# ρ = 0.95: λ = 9.5 groups of one per minute, c = 10 lanes, exponential checks of mean 1 min
# (μ = 1 per minute). Erlang C: P(wait) = 0.826, mean wait Wq = 1.651 min.
LAM_PER_H, C, WARM_UP = 570, 10, "10:00"


def _sustained(tmp_path, day_end: str, warm_up: str | None):
    fest = {"day_start": "00:00", "day_end": day_end, "tide_time": "06:30",
            "modes": {"road": {"profile": [{"at": "00:00", "per_hour": LAM_PER_H}]}},
            "check_types": {"scan": {"per_person": {"dist": "exponential", "mean": 1.0}}},
            "checkpoints": {"X": {"lanes": C, "roster": {"all": {
                "start": "00:00", "end": day_end, "staff": {"volunteer": C}}}}},
            "warm_up_until": warm_up}
    return plan_inputs(build(tmp_path, small_festival(festival=fest)).plan(None))


def _mean_waits(inp, reps: int) -> np.ndarray:
    out = []
    for r in range(reps):
        _, cr = checked_groups(inp, replication_key(11, r))
        m = inp.measured(cr.arrival)
        out.append(float((np.minimum(cr.start, inp.horizon) - cr.arrival)[m].mean()))
    return np.array(out)


def test_warm_up_mean_wait_at_rho_095_matches_erlang_c(tmp_path):
    _, wq = erlang_c(LAM_PER_H / 60, 1.0, C)
    # 24 days of 190 h after a 10 h warm-up (about 4 relaxation times of this queue,
    # 1 / (cμ(1 − √ρ)²) ≈ 155 min): 24 × 108,000 ≈ 2.6 million measured visitors. At ρ = 0.95
    # the run-to-run spread of a day's mean wait is ~16 % at this length, so the standard error
    # of the mean of 24 days is ~3.3 %: the 12 % tolerance is at least 3 standard errors
    # (asserted, so a lucky seed cannot pass a noisier set-up). Measured with more days (README,
    # "Festival horizons"): from empty, a 16-hour day reads 4.9 ± 2.7 % low at 10 lanes, and
    # more with fewer lanes (about 20 % at 4, 28 % at 3), whose queues relax more slowly.
    waits = _mean_waits(_sustained(tmp_path, "200:00", WARM_UP), reps=24)
    se = waits.std(ddof=1) / math.sqrt(waits.size)
    assert 3 * se < 0.12 * wq, (se, wq)
    assert abs(waits.mean() - wq) / wq < 0.12, (waits.mean(), wq)
