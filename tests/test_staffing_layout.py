"""The festival's staffing layout (``sim.kinds.festival.staffing``), the part of the staffing
editor that knows the section: it counts posted staff as the scenario's own model does, writes
back what it read, and the kind hands it to the dashboard through ``DashboardDefaults``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sim.core.kind import kind_named
from sim.core.planedit import resolved
from sim.core.scenario import load_scenario
from sim.kinds.festival import config
from sim.kinds.festival.staffing import STAFFING

YANGUAN = Path(__file__).resolve().parents[1] / "scenarios" / "tide_yanguan.yaml"


def test_posted_and_pool_agree_with_the_scenario_model_on_every_plan():
    s = load_scenario(YANGUAN)
    for plan in s.plan_names():  # staff_scale (fewer_volunteers), a bigger pool (next50_*)
        section = resolved(s.raw, plan)["festival"]
        params = s.plan(plan).model.festival
        model_posted = config.posted(params)
        assert {g: n for g, n in STAFFING.posted(section).items() if n} == model_posted, plan
        rows = config.staffing(params)
        assert {g: n for g, n in STAFFING.available(section).items() if n} == {
            g: r["pool"] for g, r in rows.items() if r["pool"]}, plan


def test_writing_back_the_posts_as_read_changes_nothing_but_an_edit_lands_in_place():
    s = load_scenario(YANGUAN)
    section = resolved(s.raw, "reported")["festival"]
    posts = STAFFING.posts(section)
    assert len(posts) == 23 and len({p.key for p in posts}) == 23
    same = STAFFING.write(section, posts, STAFFING.pool(section))
    assert STAFFING.posts(same) == posts and STAFFING.posted(same) == STAFFING.posted(section)
    i = next(k for k, p in enumerate(posts) if p.key == ("shift", "V1", "early"))
    edited = [dataclasses.replace(p, staff={**p.staff, "volunteer": p.staff["volunteer"] + 5})
              if k == i else p for k, p in enumerate(posts)]
    out = STAFFING.write(section, edited, STAFFING.pool(section))
    assert out["checkpoints"]["V1"]["roster"]["early"]["staff"]["volunteer"] == \
        section["checkpoints"]["V1"]["roster"]["early"]["staff"]["volunteer"] + 5
    # V2 shares V1's roster through a YAML anchor in the file: it is not edited with it
    assert out["checkpoints"]["V2"] == section["checkpoints"]["V2"]
    assert STAFFING.posted(out)["volunteer"] == STAFFING.posted(section)["volunteer"] + 5
    assert section["checkpoints"]["V1"]["roster"]["early"]["staff"] != \
        out["checkpoints"]["V1"]["roster"]["early"]["staff"]  # the input is left alone


def test_only_the_festival_kind_has_posts_to_staff():
    assert kind_named("festival").dashboard.staffing is STAFFING
    assert kind_named("muster").dashboard.staffing is None
    assert kind_named("evacuation").dashboard.staffing is None
    assert STAFFING.is_staff_parameter("checkpoints.H1.roster.day.staff.volunteer")
    assert STAFFING.is_staff_parameter("teams.security.count")
    assert not STAFFING.is_staff_parameter("checkpoints.H1.lanes")
