"""What the written reports call things, on the bundled scenarios' real outputs: the Chinese
after-action report carries its own glyphs, figures have plain captions (never file names),
and injects, staff groups, incident types, roles and reasons are named as a planner names
them, in English and in 中文."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.helpers import cli_here as cli

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a code name such as mustered_60min_by_ap


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small comparison of two plans of each bundled kind (muster, evacuation, festival)."""
    base = tmp_path_factory.mktemp("outputs")
    out = {}
    for name, scenario, plans in (
            ("muster", "muster_youchegang.yaml", "baseline,app_outage_drill"),
            ("evacuation", "rainstorm_duhu.yaml", "baseline,exercise"),
            ("festival", "tide_yanguan.yaml", "reported,fewer_volunteers")):
        folder = base / name
        r = cli("compare", str(ROOT / "scenarios" / scenario), "--plans", plans, "--reps", "2",
                "--no-store", "--xlsx", "--out", str(folder))
        assert r.returncode == 0, r.stderr
        out[name] = folder
    return out


def _report(folder: Path, lang: str, tmp_path: Path) -> str:
    path = tmp_path / f"{folder.name}-{lang}.html"
    r = cli("--lang", lang, "report", str(folder), "--out", str(path))
    assert r.returncode == 0, r.stderr
    return path.read_text(encoding="utf-8")


def test_chinese_after_action_report_carries_the_glyphs_it_uses(outputs, tmp_path):
    """On a computer without Chinese fonts the report still shows its Chinese: the page embeds
    a subset of the shipped font covering every CJK character it uses; English embeds none."""
    from fontTools.ttLib import TTFont

    html = _report(outputs["muster"], "zh", tmp_path)
    face = re.search(r'@font-face\{font-family:"gridmuster-cjk";src:url\(data:font/ttf;base64,'
                     r'([A-Za-z0-9+/=]+)\)', html)
    assert face is not None
    assert re.search(r'body\{font-family:[^}]*"gridmuster-cjk",\s*sans-serif', html)
    cmap = TTFont(io.BytesIO(base64.b64decode(face.group(1)))).getBestCmap()
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    cjk = {c for c in text if ord(c) >= 0x2E80}
    assert "集" in cjk and not [c for c in cjk if ord(c) not in cmap]
    assert len(face.group(1)) < 200_000  # a subset, not the 1.3 MB font
    assert "@font-face" not in _report(outputs["muster"], "en", tmp_path)
