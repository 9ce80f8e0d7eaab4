"""Visitor counts per interval read from a CSV file (`counts_csv`)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from sim.core.errors import ScenarioError
from sim.core.scenario import parse_scenario
from sim.run.experiments import execute
from tests.helpers import ROOT, cli

TIDE = ROOT / "scenarios" / "tide_yanguan.yaml"


def _with_counts(tmp_path, counts_text: str):
    raw = yaml.safe_load(TIDE.read_text())
    for f in (ROOT / "scenarios").glob("yanguan*"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    inline = copy.deepcopy(raw)
    mode = inline["festival"]["modes"]["rail"]
    mode.pop("profile", None)
    mode["counts"] = [1200, 2400, 3600, 1800, 600]
    mode["interval_min"] = 60
    from_file = copy.deepcopy(inline)
    del from_file["festival"]["modes"]["rail"]["counts"]
    from_file["festival"]["modes"]["rail"]["counts_csv"] = "rail_counts.csv"
    (tmp_path / "rail_counts.csv").write_text(counts_text)
    return inline, from_file


def test_counts_from_a_csv_equal_the_same_counts_inline(tmp_path):
    inline, from_file = _with_counts(
        tmp_path, "interval_start,visitors\n06:00,1200\n07:00,2400\n08:00,3600\n09:00,1800\n"
                  "10:00,600\n")
    a = parse_scenario(inline, tmp_path)
    b = parse_scenario(from_file, tmp_path)
    assert b.plan().model.festival.modes["rail"].counts == [1200, 2400, 3600, 1800, 600]
    ra = execute(a.plan(), [0], seed=3, keep_events=())[0]
    rb = execute(b.plan(), [0], seed=3, keep_events=())[0]
    assert pd.Series(ra.metrics).equals(pd.Series(rb.metrics))
    # The file's content is part of the scenario digest (stored results are not reused).
    (tmp_path / "rail_counts.csv").write_text("visitors\n1\n2\n3\n")
    assert parse_scenario(from_file, tmp_path).digest != b.digest


def test_bad_counts_files_name_the_field_and_line(tmp_path):
    _, from_file = _with_counts(tmp_path, "visitors\n100\nmany\n-5\n")
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(from_file, tmp_path)
    text = str(exc.value)
    assert "festival.modes.rail.counts_csv: rail_counts.csv: line 3, column visitors: " \
           "not a number (got 'many')" in text
    assert "line 4, column visitors: negative value" in text
    from_file["festival"]["modes"]["rail"]["counts_csv"] = "nowhere.csv"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(from_file))
    r = cli("validate", str(path))
    assert r.returncode == 2 and "festival.modes.rail.counts_csv: file not found" in r.stderr
    assert "Traceback" not in r.stderr
