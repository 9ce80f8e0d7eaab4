"""A report's figures are in the report's language, not the language of the run they come
from: a comparison run in English, reported in 中文, has Chinese charts (their titles, axes
and legends are drawn anew), not only Chinese captions under English images."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import BUNDLED, ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _png_title(png: bytes) -> str:
    """The Title text chunk of a PNG (iTXt: UTF-8; tEXt: Latin-1)."""
    i = 8
    while i < len(png):
        n = int.from_bytes(png[i:i + 4], "big")
        kind, data = png[i + 4:i + 8], png[i + 8:i + 8 + n]
        if kind == b"iTXt" and data.startswith(b"Title\0"):
            return data.split(b"\0", 5)[-1].decode("utf-8")
        if kind == b"tEXt" and data.startswith(b"Title\0"):
            return data.split(b"\0", 1)[1].decode("latin-1")
        i += 12 + n
    return ""


@pytest.fixture(scope="module")
def english_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("en") / "compare"
    _cli("--lang", "en", "compare", str(BUNDLED), "--plans", "baseline,night", "--reps", "3",
         "--no-store", "--out", str(out))
    return out


def _figures(html: str) -> list[tuple[str, bytes]]:
    return [(alt, base64.b64decode(data)) for alt, data in re.findall(
        r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', html)]


def test_chinese_report_of_an_english_run_has_chinese_figures(english_run: Path,
                                                              tmp_path: Path) -> None:
    target = tmp_path / "report-zh.html"
    _cli("--lang", "zh", "report", str(english_run), "--out", str(target))
    figures = _figures(target.read_text(encoding="utf-8"))
    on_disk = {p.read_bytes() for p in english_run.glob("*.png")}
    assert len(figures) == len(on_disk) == 3
    for alt, png in figures:
        assert CJK.search(alt), alt  # the chart's own title, in Chinese
        assert CJK.search(_png_title(png)), _png_title(png)
        assert png not in on_disk  # drawn anew, not the English image
    assert "按集结点分列的 60 分钟内集结人数" in [alt for alt, _ in figures]


def test_english_report_keeps_english_figures(english_run: Path, tmp_path: Path) -> None:
    target = tmp_path / "report-en.html"
    _cli("--lang", "en", "report", str(english_run), "--out", str(target))
    alts = [alt for alt, _ in _figures(target.read_text(encoding="utf-8"))]
    assert alts and not any(CJK.search(a) for a in alts), alts
    assert "Youchegang one-hour mustering drill" in alts


def test_chinese_gbt_report_of_an_english_run_has_chinese_figures(english_run: Path,
                                                                  tmp_path: Path) -> None:
    target = tmp_path / "evaluation.docx"
    _cli("--lang", "zh", "report", str(english_run), "--format", "gbt46792", "--out",
         str(target))
    alts = [alt for alt, _ in _figures(target.with_suffix(".html").read_text(encoding="utf-8"))]
    assert len(alts) == 3 and all(CJK.search(a) for a in alts), alts
    with zipfile.ZipFile(target) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        images = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    described = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(described) == 3 and all(CJK.search(d) for d in described), described
    assert all(CJK.search(_png_title(png)) for png in images)


def test_a_review_and_a_sensitivity_chart_beside_the_run_are_drawn_in_the_report_language(
        english_run: Path, tmp_path: Path) -> None:
    """A review (and a sensitivity analysis) written in English into the run's folder: a
    Chinese report draws their charts anew from review.json and sensitivity.json."""
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(english_run, folder)
    observed = ROOT / "scenarios" / "observed" / "youchegang_drill_checkins.csv"
    _cli("--lang", "en", "review", str(BUNDLED), "--observed", str(observed), "--reps", "19",
         "--out", str(folder))
    _cli("--lang", "en", "sensitivity", str(BUNDLED), "--metric", "mustered_60min",
         "--method", "morris", "--n", "2",
         "--reps", "1", "--no-store", "--out", str(folder))
    english = {p.stem: p.read_bytes() for p in folder.glob("*.png")}
    assert {"review", "sensitivity"} <= set(english), sorted(english)
    target = tmp_path / "report-zh.html"
    _cli("--lang", "zh", "report", str(folder), "--out", str(target))
    figures = dict(_figures(target.read_text(encoding="utf-8")))
    assert len(figures) == len(english) == 5, sorted(figures)
    for alt, png in figures.items():
        assert png not in english.values(), alt  # every chart drawn anew
        assert CJK.search(_png_title(png)), (alt, _png_title(png))
