"""Observed logs as offices write them: Excel's encodings, line endings and separators, and
logs that cannot be from the event (repeated ids, more people than the roster). Through the
CLI: exit 0 when read correctly, 2 with the line otherwise, never a traceback."""

from __future__ import annotations

import json

import pytest
import yaml

from sim.analysis.observed import decode_log, read_log
from sim.core.errors import ScenarioError
from sim.kinds.muster.review import MUSTER_REVIEW
from tests.helpers import cli
from tests.review_helpers import small_town

ROWS = [("4.2", "cadre", "张伟"), ("5.0", "grid_head", "李娜"), ("7.5", "micro_grid_head", "王芳"),
        ("9.1", "grid_worker_pt", "刘洋")]


def csv_text(sep: str = ",", rows=ROWS, eol: str = "\n") -> str:
    lines = [sep.join(("t_min", "role", "responder_id"))] + [sep.join(r) for r in rows]
    return eol.join(lines) + eol


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    path = folder / "town.yaml"
    path.write_text(yaml.safe_dump(small_town().raw, allow_unicode=True), encoding="utf-8")
    return path


def run(town, tmp_path, data: bytes, *extra: str):
    log = tmp_path / "drill.csv"
    log.write_bytes(data)
    return cli("review", str(town), "--observed", str(log), "--reps", "19", "--out",
               str(tmp_path / "out"), *extra)


def test_gbk_from_excel_on_chinese_windows_is_detected(town, tmp_path):
    r = run(town, tmp_path, csv_text(eol="\r\n").encode("gbk"))
    assert r.returncode == 0, r.stderr
    assert "read drill.csv as gb18030" in r.stdout
    out = json.loads((tmp_path / "out" / "review.json").read_text(encoding="utf-8"))
    assert out["encoding"] == "gb18030" and out["observed_rows"] == 4
    assert "would be flagged in 5% of drills that went exactly as modelled" in r.stdout


def test_utf8_with_bom_and_crlf_and_semicolons_are_read(town, tmp_path):
    r = run(town, tmp_path, b"\xef\xbb\xbf" + csv_text(sep=";", eol="\r\n").encode("utf-8"))
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out" / "review.json").read_text(encoding="utf-8"))
    assert out["observed_rows"] == 4 and out["metrics"]["mustered_15min"]["observed"] == 4


def test_bad_logs_exit_2_with_the_line_and_no_traceback(town, tmp_path):
    cases = {
        "decimal comma": (csv_text(sep=";").replace("4.2", "4,2").encode(),
                          "line 1: separated by ';' with decimal commas"),
        "repeated id": (csv_text(rows=ROWS + [("11.0", "cadre", "张伟")]).encode(),
                        "line 6, column responder_id: repeated id (first on line 2)"),
        "forced utf-8": (csv_text().encode("gbk"), "line 2: cannot be read as utf-8"),
    }
    for name, (data, expected) in cases.items():
        extra = ("--encoding", "utf-8") if name == "forced utf-8" else ()
        log = tmp_path / f"{name}.csv"
        log.write_bytes(data)
        r = cli("review", str(town), "--observed", str(log), "--reps", "19", *extra)
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert expected in r.stderr, (name, r.stderr)
        assert "Traceback" not in r.stderr and "UnicodeDecodeError" not in r.stderr


def test_more_people_than_the_roster_is_an_error_at_the_line(town, tmp_path):
    rows = [(f"{1 + k * 0.3:.1f}", "cadre") for k in range(230)]  # the roster is 216
    text = "t_min,role\n" + "".join(f"{t},{role}\n" for t, role in rows)
    r = run(town, tmp_path, text.encode())
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "line 218: the log has more people than the roster (216)" in r.stderr, r.stderr


def test_tabs_and_utf16_are_refused_with_the_fix():
    with pytest.raises(ScenarioError, match="separated by tabs; save it as CSV"):
        read_log(decode_log(csv_text(sep="\t").encode(), "x.csv")[0], MUSTER_REVIEW.columns)
    with pytest.raises(ScenarioError, match="cannot be read as utf-8 or gb18030"):
        decode_log(csv_text().encode("utf-16"), "x.csv")


def test_unknown_encoding_is_a_field_error():
    with pytest.raises(ScenarioError, match="--encoding: unknown encoding"):
        decode_log(b"t_min,role\n", "x.csv", "klingon")
    text, used = decode_log(csv_text().encode("gb18030"), "x.csv")
    assert used == "gb18030" and "张伟" in text
