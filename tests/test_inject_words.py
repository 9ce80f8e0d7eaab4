"""What each inject makes the model do, in words (the reports' storyline): every inject type
has its sentence, in English and in 中文, with its numbers and names and no code name."""

from __future__ import annotations

import re

import pytest

from sim.core.injects import INJECT_TYPES
from sim.present.i18n import use_lang
from sim.present.inject_words import inject_details, storyline

EXAMPLES = {
    "road_closed": ("muster", {"edges": [["V1", "V2"], ["V2", "V3"]]}, ["V1–V2", "V2–V3"]),
    "road_reopened": ("evacuation", {"edges": [["V2", "V3"]]}, ["V2–V3"]),
    "channel_outage": ("muster", {"channel": "phone_tree", "duration_min": 20}, ["20"]),
    "squad_delayed": ("evacuation", {"role": "militia", "grid": "G03", "delay_min": 15},
                      ["G03", "15"]),
    "squad_redirected": ("muster", {"role": "cadre", "to": "S2"}, ["S2"]),
    "reinforcement_arrives": ("evacuation", {"role": "emergency_squad", "count": 1200,
                                             "node": "V3-1", "to": "VC02"},
                              ["V3-1", "1,200", "VC02"]),
    "shelter_full": ("evacuation", {"shelter": "VC01"}, ["VC01"]),
    "shelter_lost": ("evacuation", {"shelter": "school"}, ["school"]),
    "visitor_surge": ("festival", {"factor": 2.5, "duration_min": 60, "mode": "rail"},
                      ["2.5", "60"]),
    "checkpoint_lane_closed": ("festival", {"checkpoint": "H1", "lanes": 4,
                                            "duration_min": 45}, ["H1", "4", "45"]),
    "extra_rainfall": ("evacuation", {"mm": 40, "duration_min": 60}, ["40", "60"]),
}
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|[{}]")


def test_every_inject_type_has_an_example():
    assert set(EXAMPLES) == set(INJECT_TYPES)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("inject_type", INJECT_TYPES)
def test_each_inject_is_written_with_its_figures_and_no_code(inject_type, lang):
    kind, fields, shown = EXAMPLES[inject_type]
    with use_lang(lang):
        text = inject_details(kind, inject_type, fields)
    assert text and not CODE.search(text), text
    for part in shown:
        assert part in text, (part, text)
    assert bool(re.search(r"[\u4e00-\u9fff]", text)) == (lang == "zh"), text


def test_words_for_the_kinds_codes():
    with use_lang("en"):
        assert inject_details("muster", "channel_outage",
                              {"channel": "grid_app", "duration_min": 20}) == (
            "grid app down for 20 min")
        assert inject_details("evacuation", "squad_delayed", {"role": "reserve",
                                                              "delay_min": 30}) == (
            "reserve force members who have not left yet set off 30 min later")
        # A way of arriving the festival names, and one the scenario names itself.
        assert inject_details("festival", "visitor_surge", {"factor": 2.5, "duration_min": 60,
                                                            "mode": "rail"}) == (
            "arrivals by rail × 2.5 for 60 min")
        assert inject_details("festival", "visitor_surge", {"factor": 2, "duration_min": 10,
                                                            "mode": "bus"}) == (
            "arrivals by bus × 2 for 10 min")
    with use_lang("zh"):
        assert inject_details("evacuation", "extra_rainfall", {"mm": 40, "duration_min": 60}) == (
            "60 分钟内追加降雨 40 毫米")
        assert inject_details("festival", "visitor_surge", {"factor": 2.5, "duration_min": 60,
                                                            "mode": "rail"}) == (
            "乘火车到达的人数 × 2.5，持续 60 分钟")


def test_storyline_has_a_note_column_only_when_a_note_is_given_and_reads_old_summaries():
    fields = {"channel": "grid_app", "duration_min": 20}
    new = {"kind": "muster", "injects": [
        {"t_min": 0.0, "type": "channel_outage", "label": "channel outage", "note": "",
         "fields": fields}]}
    with use_lang("en"):
        header, rows = storyline([new, new])  # (two plans with the same inject: one row)
        assert header == ["minute", "inject", "what the model does"]
        assert rows == [["0", "alert channel down", "grid app down for 20 min"]]
        # A summary written before injects kept their fields: its label is what happens.
        old = {"kind": "muster", "injects": [{"t_min": 10.0, "type": "road_closed",
                                              "label": "bridge closed"}]}
        header, rows = storyline([old])
        assert header == ["minute", "inject", "what the model does"]
        assert rows == [["10", "road closed", "bridge closed"]]
        header, rows = storyline([old, dict(new, injects=[dict(new["injects"][0],
                                                                note="app down")])])
        assert header[-1] == "the facilitator's note"
        assert rows == [["0", "alert channel down", "grid app down for 20 min", "app down"],
                        ["10", "road closed", "bridge closed", ""]]


def test_storyline_minutes_carry_the_clock_time_when_the_plan_has_one():
    summary = {"kind": "festival", "injects": [
        {"t_min": 390.0, "type": "checkpoint_lane_closed", "label": "H1 scanners down",
         "note": "H1 scanners down", "fields": {"checkpoint": "H1", "lanes": 4,
                                                "duration_min": 45}}]}
    with use_lang("en"):
        assert storyline([summary], "05:00")[1][0][0] == "390 (11:30)"
        assert storyline([summary], "22:00")[1][0][0] == "390 (04:30)"  # past midnight
        assert storyline([summary])[1][0][0] == "390"
    with use_lang("zh"):
        assert storyline([summary], "05:00")[1][0][0] == "390（11:30）"


def test_large_counts_are_written_in_full():
    with use_lang("en"):
        text = inject_details("evacuation", "reinforcement_arrives",
                              {"role": "militia", "count": 1_234_567, "node": "V1"})
    assert "1,234,567" in text and "e+" not in text
