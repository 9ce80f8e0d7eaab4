"""An analysis names its assumptions in the reader's language: the scenario files' labels are
English, so in 中文 an assumption without ``label_zh`` is named by the words of its path."""

from __future__ import annotations

import re

import pytest

from sim.analysis.sensitivity import factors
from sim.core.scenario import load_scenario
from sim.present.i18n import use_lang
from sim.present.setting_words import named
from tests.helpers import ROOT

BUNDLED = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
CODE = re.compile(r"[a-z]+_[a-z_]+|\b[a-z_]+\.[a-z_]+\b")  # a field name or a dotted path


@pytest.mark.parametrize("scenario", BUNDLED)
def test_every_bundled_assumption_has_a_chinese_name_without_code(scenario):
    s = load_scenario(ROOT / "scenarios" / scenario)
    fs = factors(s)
    with use_lang("zh"):
        names = [a.name for a in named(s.kind, s.raw, fs)]
    for a, name in zip(fs, names, strict=True):
        assert re.search(r"[\u4e00-\u9fff]", name), (a.path, name)
        code = [w for w in CODE.findall(name) if w != "village_committee"]  # (a shelter's id)
        assert not code and a.path not in name, (a.path, name)
    with use_lang("en"):  # (English: the planner's own labels, as written)
        assert [a.name for a in named(s.kind, s.raw, fs)] == [a.name for a in fs]


@pytest.mark.parametrize("scenario", BUNDLED)
def test_every_bundled_assumption_gives_its_source_in_chinese(scenario):
    """The source column of sensitivity and robustness reads in the planner's language: each
    bundled assumption's ``source_zh``, and ``source`` as written in English."""
    s = load_scenario(ROOT / "scenarios" / scenario)
    fs = factors(s)
    with use_lang("zh"):
        shown = [a.source for a in named(s.kind, s.raw, fs)]
    for a, source in zip(fs, shown, strict=True):
        assert source == a.source_zh and source.startswith("假设"), (a.path, source)
        assert not re.search(r"[A-Za-z]{3,}", source.replace("parameters.md", "").replace(
            "IMO MSC.1/Circ.1533", "").replace("IMO", "")), (a.path, source)
    with use_lang("en"):
        assert [a.source for a in named(s.kind, s.raw, fs)] == [a.source for a in fs]


def test_a_source_without_source_zh_is_shown_as_written():
    s = load_scenario(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    bare = [a.model_copy(update={"source_zh": ""}) for a in factors(s)]
    with use_lang("zh"):
        assert [a.source for a in named(s.kind, s.raw, bare)] == [a.source for a in bare]


def test_a_label_zh_given_by_the_planner_is_used():
    s = load_scenario(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    with use_lang("zh"):
        names = {a.path: a.name for a in named(s.kind, s.raw, factors(s))}
    assert names["network.synthetic.low_side_elevation_m"] == "河边一侧地面高程（米）"
    assert names["evacuation.population.compliance"] == "常住人口：接到通知后撤离的比例（比例，0–1）"


def test_checkpoints_are_named_in_chinese_and_a_count_not_twice():
    """Yanguan's checkpoints have ``name_zh``: in 中文 no English name of theirs is left, and
    a count whose unit is what it counts is not written "通道数（通道数）"."""
    s = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    fs = factors(s)
    with use_lang("zh"):
        names = {f.path: a.name for f, a in zip(fs, named(s.kind, s.raw, fs), strict=True)}
    assert names["festival.checkpoints.H1.lanes"] == "检查点：高速出口：通道数"
    assert names["festival.checkpoints.V1.queue_limit"] == "检查点：1 号村口：最多排队人数（人）"
    assert not [n for n in names.values() if re.search(r"[A-Za-z]{3,}", n)], names
