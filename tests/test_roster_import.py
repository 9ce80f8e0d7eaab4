"""Rosters and grid lists from spreadsheets: a scenario's roster exported to .xlsx and imported
back is the same roster; Chinese headers, role and travel-mode names; bad rows are errors with
row numbers and nothing is written; names stay out of the scenario unless asked."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import yaml

from sim.core.forces import build_roster
from sim.core.roster_import import (
    apply_grids,
    apply_roster,
    parse_grids,
    parse_roster,
    read_rows,
    roster_table,
)
from sim.core.scenario import parse_scenario
from sim.network.coords import from_wgs84
from sim.present.excel import results_xlsx, table_xlsx
from sim.present.i18n import use_lang
from tests.helpers import LONLAT, fixed_muster, line_graphml, osmnx_like, write_scenario
from tests.helpers import cli_here as cli
from tests.helpers import drill_summary as _summary


def _scenario(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = fixed_muster()
    data["grids"] = [{"id": "GA", "node": "A", "residents": 900},
                     {"id": "GB", "node": "B", "residents": 1300},
                     {"id": "GC", "node": "C", "residents": 400}]
    data["forces"] = {"grid_head": {"per_grid": 1}, "cadre": {"count": 7},
                      "reserve": {"per_residents": 300}, "militia": {"count": 3,
                                                                    "grids": ["GB"]}}
    return data


def _roster(s):
    return [(r.id, r.role, r.grid) for r in build_roster(dict(s.model.forces),
                                                         list(s.model.grids))]


@pytest.mark.parametrize("chinese", [True, False])
def test_roster_round_trip_through_xlsx(tmp_path, chinese):
    data = _scenario(tmp_path)
    s = parse_scenario(data, tmp_path)
    before = build_roster(dict(s.model.forces), list(s.model.grids))
    book = table_xlsx(roster_table(before, chinese))
    rows, problems = read_rows(book, "roster.xlsx")
    assert problems == []
    imported = parse_roster(rows, s.model.grid_ids())
    assert imported.ok, imported.problems
    new, _notes = apply_roster(data, imported)
    s2 = parse_scenario(new, tmp_path)
    assert _roster(s2) == _roster(s)
    assert len(_roster(s2)) == 3 + 7 + (3 + 5 + 2) + 3  # by hand: per_grid, count, ceil(r/300)
    assert new["forces"]["militia"] == {"by_grid": {"GB": 3}}


CHINESE_CSV = """姓名,角色,网格,上级,出行方式
张三,网格长,GA,,步行
李四,专职网格员,GA,张三,电动车
王五,专职网格员,GB,张三,汽车
赵六,专职网格员,GC,李四,电动车
"""


def test_chinese_csv_in_gb18030_with_modes_and_names_kept_apart(tmp_path):
    data = _scenario(tmp_path)
    path = write_scenario(tmp_path, data)
    (tmp_path / "花名册.csv").write_bytes(CHINESE_CSV.encode("gb18030"))
    r = cli("import", "roster", str(tmp_path / "花名册.csv"), "--scenario", str(path))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "s.imported.yaml"
    text = out.read_text(encoding="utf-8")
    assert "张三" not in text and "李四" not in text  # no personal names in the scenario
    new = yaml.safe_load(text)
    assert new["forces"] == {"grid_head": {"by_grid": {"GA": 1}},
                             "grid_worker_ft": {"by_grid": {"GA": 1, "GB": 1, "GC": 1}}}
    assert new["muster"]["roles"]["grid_worker_ft"]["modes"] == {"car": 0.3333,
                                                                 "ebike": 0.6667}
    assert new["muster"]["roles"]["grid_head"]["modes"] == {"walk": 1.0}
    assert "not simulated" in r.stdout  # the phone-tree parents were checked, not modelled
    assert not (tmp_path / "s.imported.names.csv").exists()
    r = cli("import", "roster", str(tmp_path / "花名册.csv"), "--scenario", str(path),
            "--out", str(tmp_path / "named.yaml"), "--keep-names")
    assert r.returncode == 0, r.stderr
    names = list(csv.reader(io.StringIO((tmp_path / "named.names.csv")
                                        .read_text(encoding="utf-8-sig"))))
    assert names == [["responder_id", "name"], ["GA-grid_head-001", "张三"],
                     ["GA-grid_worker_ft-001", "李四"], ["GB-grid_worker_ft-001", "王五"],
                     ["GC-grid_worker_ft-001", "赵六"]]


BAD_CSV = """编号,职务,网格,上级,出行方式
P1,网格长,GA,,步行
P2,网格助理,GA,P1,
P3,民兵,GZ,,
P1,民兵,GB,,
P5,志愿者,GB,P9,
P6,志愿者,GB,,飞机
P7,志愿者,GB,P8,
P8,志愿者,GB,P7,
"""


def test_bad_rows_are_named_by_row_and_nothing_is_written(tmp_path):
    data = _scenario(tmp_path)
    path = write_scenario(tmp_path, data)
    (tmp_path / "bad.csv").write_text(BAD_CSV, encoding="utf-8")
    r = cli("import", "roster", str(tmp_path / "bad.csv"), "--scenario", str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("bad.csv.row 3.role: unknown role; use one of 网格长")
    assert "(got '网格助理')" in lines[0]
    assert lines[1].startswith("bad.csv.row 4.grid: no grid with this id in the scenario "
                               "(got 'GZ')")
    assert lines[2].startswith("bad.csv.row 5.id: the same person as row 2 (got 'P1')")
    # In row order (a planner fixes the sheet top to bottom), the phone tree's too.
    assert lines[3].startswith("bad.csv.row 6.parent: names nobody on this roster (got 'P9')")
    assert lines[4].startswith("bad.csv.row 7.mode: unknown travel mode")
    assert lines[5].startswith("bad.csv.row 8.parent: the phone tree loops")
    assert len(lines) == 7
    assert not (tmp_path / "s.imported.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "line.graphml", "s.yaml"]


def test_import_messages_in_chinese(tmp_path):
    """The same bad file and the same good one through `--lang zh`: rows as 第 N 行, columns by
    their Chinese headers, every word from the catalogue; nothing written on a bad file."""
    data = _scenario(tmp_path)
    path = write_scenario(tmp_path, data)
    (tmp_path / "bad.csv").write_text(BAD_CSV, encoding="utf-8")
    r = cli("--lang", "zh", "import", "roster", str(tmp_path / "bad.csv"), "--scenario",
            str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("bad.csv 第 3 行「角色」：无法识别的角色；请填写以下之一：网格长、")
    assert lines[0].endswith("（实际 '网格助理'）")
    assert lines[1] == "bad.csv 第 4 行「网格」：情景中没有这个网格编号（实际 'GZ'）"
    assert lines[2] == "bad.csv 第 5 行「编号」：与第 2 行是同一人（实际 'P1'）"
    assert lines[3] == "bad.csv 第 6 行「上级」：花名册中没有此人（实际 'P9'）"
    assert lines[4].startswith("bad.csv 第 7 行「出行方式」：无法识别的出行方式")
    assert len(lines) == 7 and not (tmp_path / "s.imported.yaml").exists()
    assert not re.search(r"\b(row|unknown|grid|the)\b", r.stderr), r.stderr
    (tmp_path / "花名册.csv").write_bytes(CHINESE_CSV.encode("gb18030"))
    r = cli("--lang", "zh", "import", "roster", str(tmp_path / "花名册.csv"), "--scenario",
            str(path), "--keep-names")
    assert r.returncode == 0, r.stderr
    out = r.stdout.strip().splitlines()
    assert out[0].startswith("已导入 4 人（网格长 1 人、专职网格员 3 人），写入 ")
    assert out[1].startswith("说明：已核对电话树上级，但仿真不按其拨打")
    assert out[2].startswith("姓名已写入 ") and out[2].endswith("（请妥善保管，勿外传）")
    r = cli("import", "roster", str(tmp_path / "花名册.csv"), "--scenario", str(path))
    assert r.stdout.startswith("imported 4 people (grid head 1, full-time grid worker 3) into ")
    assert "note: phone-tree parents were checked but are not simulated" in r.stdout


def test_grid_import_messages_in_chinese():
    rows = [["网格编号", "常住人口", "中心经度", "中心纬度", "坐标系"], ["G1", "1,000", "", ""],
            ["G2", "-5", "120.6", "30.4"], ["G3", "800", "120.6", "30.4", "utm"],
            ["", "10"]]
    with use_lang("zh"):
        got = [str(p) for p in parse_grids(rows, [{"id": "G1", "node": "A"}]).problems]
        header = [str(p) for p in parse_grids([["村", "户数"]]).problems]
    assert got == ["grids 第 3 行「常住人口」：须为不小于 0 的整数（实际 '-5'）",
                   "grids 第 4 行「坐标系」：须为以下之一：wgs84, gcj02, bd09（实际 'utm'）",
                   "grids 第 5 行「编号」：没有网格编号"]
    assert header == ["grids 第 1 行：缺少「编号」列；表头为（实际 '村, 户数'）",
                      "grids 第 1 行：缺少「常住人口」列；表头为（实际 '村, 户数'）"]


def test_missing_columns_and_bad_files_exit_2(tmp_path):
    path = write_scenario(tmp_path, _scenario(tmp_path))
    (tmp_path / "x.csv").write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    r = cli("import", "roster", str(tmp_path / "x.csv"), "--scenario", str(path))
    assert r.returncode == 2 and "row 1: no role (角色) column" in r.stderr
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    r = cli("import", "roster", str(tmp_path / "x.xlsx"), "--scenario", str(path))
    assert r.returncode == 2 and "not a readable .xlsx" in r.stderr
    r = cli("import", "grids", str(tmp_path / "none.csv"), "--scenario", str(path))
    assert r.returncode == 2 and "file not found" in r.stderr and "Traceback" not in r.stderr


def test_grids_with_chinese_headers_keep_or_set_their_location(tmp_path):
    osmnx_like(tmp_path / "town.graphml")
    data = fixed_muster("town.graphml")
    data["grids"] = [{"id": "G1", "name_zh": "东村一网格", "node": "1001", "residents": 100}]
    data["muster"]["assembly_points"] = [{"id": "AP", "node": "1003", "desks": 1}]
    path = write_scenario(tmp_path, data)
    lon, lat = from_wgs84(*LONLAT["1002"], "gcj02")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["网格编号", "网格名称", "村/社区", "常住人口", "户数", "中心经度", "中心纬度", "坐标系"])
    ws.append(["G1", None, "东村", 1200, 410, None, None, None])
    ws.append(["G2", "西村二网格", "西村", 950.0, 330, lon, lat, "gcj02"])
    wb.save(tmp_path / "网格.xlsx")
    r = cli("import", "grids", str(tmp_path / "网格.xlsx"), "--scenario", str(path),
            "--out", str(tmp_path / "g.yaml"))
    assert r.returncode == 0, r.stderr
    new = yaml.safe_load((tmp_path / "g.yaml").read_text(encoding="utf-8"))
    assert new["grids"][1].pop("lonlat") == pytest.approx([lon, lat], abs=1e-12)
    assert new["grids"] == [  # (G1's name: the scenario's, the sheet leaving it blank)
        {"id": "G1", "name_zh": "东村一网格", "village": "东村", "residents": 1200,
         "households": 410, "node": "1001"},
        {"id": "G2", "name_zh": "西村二网格", "village": "西村", "residents": 950,
         "households": 330, "crs": "gcj02"}]
    new["grids"][1]["lonlat"] = [lon, lat]
    s = parse_scenario(new, tmp_path)
    node, dist = s.network().snap(*s.model.grids[1].centre)
    assert node == "1002" and dist < 1.0


def test_bad_grid_rows_are_named():
    rows = [["网格编号", "常住人口", "中心经度", "中心纬度"], ["G1", "1,000", "", ""],
            ["G2", "-5", "120.6", "30.4"], ["G3", "800", "200", "30.4"], ["G1", "10", "", ""]]
    got = parse_grids(rows, [{"id": "G1", "node": "A"}])
    assert [str(p) for p in got.problems] == [
        "grids.row 3.residents: must be a whole number ≥ 0 (got '-5')",
        "grids.row 4.centre: needs a longitude and a latitude in degrees (got '200, 30.4')",
        "grids.row 5.id: the same grid as row 2 (got 'G1')"]
    assert got.grids == [{"id": "G1", "residents": 1000, "node": "A"}]
    assert apply_grids({"grids": []}, got)["grids"] == got.grids


def test_results_xlsx_reads_back_numbers_with_formats():
    comp = {"plans": {"baseline": _summary(), "night": {**_summary(900.0, 45.0),
                                                        "plan": "night"}},
            "differences": {"mustered_60min": {"night - baseline": {
                "mean": -550.0, "ci95_low": -560.0, "ci95_high": -540.0, "n": 10,
                "significant": True, "verdict": "night has 550 fewer"}}}}
    wb = openpyxl.load_workbook(io.BytesIO(results_xlsx(comp)))
    assert wb.sheetnames == ["Headline results", "Paired differences", "Breakdowns", "Notes"]
    head = list(wb["Headline results"].iter_rows(values_only=True))
    assert head[0][:4] == ("Plan", "Measure", "metric key", "mean")
    row = next(r for r in head if r[0] == "night" and r[2] == "mustered_60min")
    assert row[3:9] == (900.0, 899.0, 901.0, 890.0, 900.0, 910.0)
    cell = next(c for c in wb["Headline results"]["D"] if c.value == 900.0)
    assert cell.number_format == "#,##0"
    t50 = next(r for r in wb["Headline results"].iter_rows() if r[2].value == "t50_min")
    assert t50[3].number_format == "0.0" and t50[3].value == 31.0
    diff = list(wb["Paired differences"].iter_rows(values_only=True))
    assert diff[1][2:8] == ("night - baseline", -550.0, -560.0, -540.0, 10, "yes")
    parts = list(wb["Breakdowns"].iter_rows(values_only=True))
    assert {(r[0], r[1], r[2]) for r in parts[1:]} == {
        ("baseline", "role", "grid head"), ("baseline", "grid", "G01"),
        ("night", "role", "grid head"), ("night", "grid", "G01")}


def test_compare_xlsx_is_written_beside_comparison_json(tmp_path):
    data = _scenario(tmp_path)
    data["plans"] = {"baseline": {}, "more": {"forces": {"cadre": {"count": 20}}}}
    path = write_scenario(tmp_path, data)
    out = tmp_path / "cmp"
    r = cli("compare", str(path), "--reps", "3", "--out", str(out), "--no-store", "--xlsx")
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out / "results.xlsx")
    rows = list(wb["Headline results"].iter_rows(values_only=True))
    roster = {r[0]: r[3] for r in rows if r[2] == "roster"}
    assert roster == {"baseline": 23, "more": 36}  # 3 + 7 + 10 + 3, then 20 cadres
    r = cli("report", str(out), "--format", "xlsx", "--lang", "zh", "--out",
            str(tmp_path / "zh.xlsx"))
    assert r.returncode == 0, r.stderr
    assert openpyxl.load_workbook(tmp_path / "zh.xlsx").sheetnames[0] == "主要结果"


def test_a_grid_list_naming_two_grids_alike_is_refused_and_nothing_written(tmp_path):
    """Two grids given one 网格名称 would be one row of every per-grid table in 中文: the import
    stops with the field and both grids, and the scenario is not written."""
    osmnx_like(tmp_path / "town.graphml")
    data = fixed_muster("town.graphml")
    data["grids"] = [{"id": "G1", "node": "1001", "residents": 100},
                     {"id": "G2", "node": "1002", "residents": 100}]
    data["muster"]["assembly_points"] = [{"id": "AP", "node": "1003", "desks": 1}]
    path = write_scenario(tmp_path, data)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["网格编号", "网格名称", "常住人口", "户数"])
    ws.append(["G1", "东村网格", 1200, 410])
    ws.append(["G2", "东村网格", 950, 330])
    wb.save(tmp_path / "网格.xlsx")
    r = cli("--lang", "zh", "import", "grids", str(tmp_path / "网格.xlsx"), "--scenario",
            str(path), "--out", str(tmp_path / "g.yaml"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "grids[1].name_zh：与 G1 同名" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "g.yaml").exists()
