"""中文 in what ``gridmuster network import`` and ``network elevation`` print: the import
report, the elevation report and their one-line errors (the same numbers as in English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli_here

pytestmark = pytest.mark.cli

EXTRACT = ROOT / "data" / "osm" / "pyrosm_test.osm.pbf"
ZONES = ROOT / "scenarios" / "osm" / "kotka_low_zones.geojson"
WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(line: str, allowed: tuple[str, ...]) -> list[str]:
    for name in allowed:
        line = line.replace(name, "")
    return WORD.findall(line)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("town")
    out = folder / "town.graphml"
    zh = cli_here("--lang", "zh", "network", "import", str(EXTRACT), "--out", str(out),
                  "--mode", "drive")
    assert zh.returncode == 0, zh.stderr
    en = cli_here("--lang", "en", "network", "import", str(EXTRACT), "--out",
                  str(folder / "en.graphml"), "--mode", "drive")
    return out, zh.stdout, en.stdout


def test_import_report_in_chinese(town):
    out, zh, en = town
    assert "路网：706 个节点，742 条路段，道路共 43.27 公里" in zh
    assert "network: 706 nodes, 742 edges, 43.27 km of road" in en  # the same numbers
    assert "出行模式 drive 下保留" in zh and "连通分量：" in zh and "被截断的道路线" in zh
    allowed = (str(EXTRACT), str(out), out.name, "drive", "graphml", "network:")
    for line in zh.splitlines():
        if line.startswith("按道路等级统计的道路"):  # OSM's own class names (residential, …)
            continue
        assert not english_words(line, allowed), line


def test_elevation_report_in_chinese(town, tmp_path):
    out, _zh, _en = town
    target = tmp_path / "e.graphml"
    done = cli_here("--lang", "zh", "network", "elevation", str(out), "--constant", "6",
                    "--zones", str(ZONES), "--out", str(target))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "高程来源 常数 6 米 + 低洼区" in text
    assert "已为 706 个节点中的 706 个赋值" in text
    assert re.search(r"高程（米）：最小 [\d.]+，中位数 [\d.]+，最大 6\.00", text)
    assert "nodes" not in text and "median" not in text
    english = cli_here("--lang", "en", "network", "elevation", str(out), "--constant", "6",
                       "--out", str(tmp_path / "en.graphml"))
    assert "elevation from constant 6 m: 706 of 706 nodes" in english.stdout


def test_network_errors_in_chinese(tmp_path):
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(b"garbage" * 50)
    done = cli_here("--lang", "zh", "network", "import", str(corrupt), "--out",
                    str(tmp_path / "x.graphml"))
    assert done.returncode == 2
    assert "不是可读取的 OpenStreetMap 数据片段" in done.stderr
    done = cli_here("--lang", "zh", "network", "import", str(EXTRACT), "--out",
                    str(tmp_path / "x.graphml"), "--speed", "residential=fast")
    assert done.returncode == 2 and "应为 道路等级=时速" in done.stderr
