"""The dashboard's Import page (roster and grid list from a spreadsheet) and the GB/T 46792
evaluation report download, driven headless with AppTest: an upload changes the open scenario;
a bad file shows row-numbered errors and changes nothing; names stay out unless asked; the
report's .docx opens with python-docx and has the Annex E headings."""

from __future__ import annotations

import csv
import io

import docx
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.core.forces import build_roster  # noqa: E402
from sim.core.roster_import import roster_table  # noqa: E402
from sim.present.excel import table_xlsx  # noqa: E402
from sim.present.report_gbt import SECTIONS  # noqa: E402
from tests.helpers import APP, goto  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app(monkeypatch, tmp_path, lang: str = "en") -> AppTest:
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("GRIDMUSTER_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, what: str, name: str, data: bytes, mime: str) -> AppTest:
    if at.radio(key="import_what").value != what:
        at.radio(key="import_what").set_value(what).run()
    at.file_uploader(key=f"import_file::{what}").set_value((name, data, mime)).run()
    at.button(key="import_apply").click().run()
    assert not at.exception, at.exception
    return at


def _small_roster(at: AppTest) -> tuple[bytes, dict[str, dict[str, int]]]:
    """A Chinese roster of the open scenario's first two grids: 2 grid heads and 3 militia."""
    s = at.session_state["scenario"]
    g1, g2 = s.model.grid_ids()[:2]
    rows = [["姓名", "角色", "网格", "出行方式"], ["张三", "网格长", g1, "步行"],
            ["李四", "网格长", g2, "电动车"], ["王五", "民兵", g1, ""], ["赵六", "民兵", g1, ""],
            ["钱七", "民兵", g2, "汽车"]]
    return table_xlsx(rows), {"grid_head": {g1: 1, g2: 1}, "militia": {g1: 2, g2: 1}}


def test_roster_upload_replaces_the_forces_and_keeps_names_out(monkeypatch, tmp_path):
    at = goto(_app(monkeypatch, tmp_path), "Import")
    before = at.session_state["scenario"]
    data, expected = _small_roster(at)
    _upload(at, "roster", "花名册.xlsx", data, XLSX)
    after = at.session_state["scenario"]
    assert after.digest != before.digest
    assert {r: f["by_grid"] for r, f in after.raw["forces"].items()} == expected
    roster = build_roster(dict(after.model.forces), list(after.model.grids))
    assert len(roster) == 5
    assert "Imported 5 people (grid head 2, militia 3)" in at.success[0].value
    assert "张三" not in str(after.raw)  # names never in the scenario
    assert at.session_state["import_result"]["names"] == b""  # nor offered, unless asked
    assert "import_names" not in [b.key for b in at.get("download_button")]
    # Asked for: the names come as a separate file pairing ids with names.
    at.checkbox(key="import_keep_names").check().run()
    _upload(at, "roster", "花名册.xlsx", data, XLSX)
    names = list(csv.reader(io.StringIO(
        at.session_state["import_result"]["names"].decode("utf-8-sig"))))
    g1, g2 = after.model.grid_ids()[:2]
    assert names[0] == ["responder_id", "name"]
    assert dict(names[1:]) == {f"{g1}-grid_head-001": "张三", f"{g2}-grid_head-001": "李四",
                               f"{g1}-militia-001": "王五", f"{g1}-militia-002": "赵六",
                               f"{g2}-militia-001": "钱七"}


def test_bad_roster_shows_row_numbers_and_changes_nothing(monkeypatch, tmp_path):
    at = goto(_app(monkeypatch, tmp_path), "Import")
    before = at.session_state["scenario"]
    g1 = before.model.grid_ids()[0]
    bad = f"编号,角色,网格\nP1,网格长,{g1}\nP2,网格助理,{g1}\nP3,民兵,G99\n".encode()
    _upload(at, "roster", "bad.csv", bad, "text/csv")
    text = at.error[0].value
    assert "Nothing was imported; the file has 2 problems" in text
    assert "bad.csv.row 3.role: unknown role" in text and "bad.csv.row 4.grid" in text
    assert at.session_state["scenario"].digest == before.digest  # nothing half-imported
    # The same in Chinese: rows as 第 N 行, columns by their Chinese headers.
    at.sidebar.radio(key="lang").set_value("zh").run()
    # AppTest formats option labels in the test's own thread: give it the page's language.
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    _upload(at, "roster", "bad.csv", bad, "text/csv")
    text = at.error[0].value
    assert "未导入任何内容；文件有 2 处问题" in text
    assert "bad.csv 第 3 行「角色」：无法识别的角色" in text
    assert "bad.csv 第 4 行「网格」：情景中没有这个网格编号" in text
    assert at.session_state["scenario"].digest == before.digest


def test_grid_list_upload_replaces_the_grids(monkeypatch, tmp_path):
    at = goto(_app(monkeypatch, tmp_path), "Import")
    s = at.session_state["scenario"]
    grids = s.raw["grids"]
    rows = [["网格编号", "村/社区", "常住人口", "户数"]] + [
        [g["id"], f"村{i}", 100 + i, 40] for i, g in enumerate(grids)]
    _upload(at, "grids", "网格.xlsx", table_xlsx(rows), XLSX)
    after = at.session_state["scenario"]
    assert [g.residents for g in after.model.grids] == [100 + i for i in range(len(grids))]
    assert at.success[0].value.startswith(f"Imported {len(grids)} grids")
    # A bad residents cell: named by its row, the scenario stays.
    rows[2][2] = "many"
    _upload(at, "grids", "网格.xlsx", table_xlsx(rows), XLSX)
    assert "网格.xlsx.row 3.residents: must be a whole number ≥ 0" in at.error[0].value
    assert at.session_state["scenario"].digest == after.digest


def test_round_trip_of_the_bundled_roster_through_the_page(monkeypatch, tmp_path):
    """The open scenario's own roster exported and imported back leaves its roster as it was."""
    at = goto(_app(monkeypatch, tmp_path), "Import")
    s = at.session_state["scenario"]
    roster = build_roster(dict(s.model.forces), list(s.model.grids))
    _upload(at, "roster", "roster.xlsx", table_xlsx(roster_table(roster, True)), XLSX)
    after = at.session_state["scenario"]
    again = build_roster(dict(after.model.forces), list(after.model.grids))
    assert [(r.id, r.role, r.grid) for r in again] == [(r.id, r.role, r.grid) for r in roster]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gbt_report_download_opens_with_python_docx(monkeypatch, tmp_path, lang):
    at = _app(monkeypatch, tmp_path, lang)  # the first screen: Run & compare with a result
    at.text_input(key="gbt_organiser").set_value("油车港镇应急办").run()
    at.button(key="gbt_build").click().run()
    assert not at.exception, at.exception
    _key, docx_bytes, html = at.session_state["gbt_files"]
    d = docx.Document(io.BytesIO(docx_bytes))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    if lang == "zh":
        assert headings == ["一、演练概况", "二、评估内容与方法", "三、演练目标达成情况",
                            "四、参演人员表现", "五、存在的问题及原因分析", "六、评估结论",
                            "七、改进建议"]
        assert d.paragraphs[0].text == "演练评估报告"
    else:
        assert headings == [f"{i} {h}" for i, h in enumerate(SECTIONS, start=1)]
    cover = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert "油车港镇应急办" in cover.values()
    assert "油车港镇应急办" in html and headings[-1] in html
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert any("docx" in x for x in labels) and any("HTML" in x for x in labels)


def test_the_dashboard_serves_the_shipped_cjk_font():
    """The browser gets the same font the figures use (a copy: static serving refuses
    symlinks), and the Streamlit config asks for it for CJK characters only."""
    import tomllib

    from sim.present.cjk import FONT_FILE
    from tests.helpers import ROOT

    served = ROOT / "dashboard" / "static" / "gridmuster-cjk.ttf"
    assert served.read_bytes() == FONT_FILE.read_bytes()
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    face = config["theme"]["fontFaces"][0]
    assert face["url"] == "app/static/gridmuster-cjk.ttf"
    assert config["theme"]["font"].split(",")[0].strip() == face["family"]
    assert "U+2E80-9FFF" in face["unicodeRange"]
