"""Bad input the audit found ending in a generic crash (exit 1) or in lost work: each must
end in a message naming the field or file, exit 2, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.run.store import RunStore
from tests.helpers import BUNDLED, ROOT, YANGNING, cli, fixed_muster, line_graphml, write_scenario


def _scenario(tmp_path: Path, extra: str = "", **over: object) -> Path:
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    path = write_scenario(tmp_path, fixed_muster(**over))
    if extra:
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _refused(r, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "error:" not in r.stderr, r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


@pytest.mark.parametrize(("extra", "where"), [
    ("r: &r [*r]\n", "r[0]: an alias refers to the value that holds it"),
    ("description: &d {a: *d}\n", "description.a: an alias refers to the value that holds it"),
])
def test_a_self_referencing_alias_is_refused(tmp_path: Path, extra: str, where: str) -> None:
    _refused(cli("validate", str(_scenario(tmp_path, extra))), where)


def test_an_integer_of_5000_digits_is_refused(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("seed")
    path.write_text(yaml.safe_dump(raw) + "seed: " + "9" * 5000 + "\n", encoding="utf-8")
    _refused(cli("validate", str(path)), "seed: number too large")
    _refused(cli("--lang", "zh", "validate", str(path)), "seed：数值过大")


def test_review_checks_out_before_any_replication(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    log = ROOT / "scenarios" / "observed" / "yangning_evacuation_arrivals.csv"
    r = cli("review", str(YANGNING), "--observed", str(log), "--reps", "5000",
            "--out", str(afile))
    _refused(r, f"--out: cannot write the output folder there: it is a file, not a folder "
                f"(got '{afile}')")
    assert afile.read_text() == "x"


@pytest.mark.parametrize(("content", "encoding"), [
    ("{}", "utf-8"), ("[]", "utf-8"), ('{"plans": 5, "differences": {}}', "utf-8"),
    ('{"kind": "muster"}', "utf-8"), ("{}", "utf-16")])
def test_report_on_a_folder_with_an_unexpected_summary(tmp_path: Path, content: str,
                                                        encoding: str) -> None:
    (tmp_path / "summary.json").write_text(content, encoding=encoding)
    _refused(cli("report", str(tmp_path)), f"{tmp_path / 'summary.json'}: ")


def test_report_out_that_is_a_folder_or_unwritable(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text("{}")
    _refused(cli("report", str(tmp_path), "--out", str(tmp_path)),
             "--out: cannot write the file there: it is a folder")
    _refused(cli("report", str(tmp_path), "--format", "xlsx", "--out", "/proc/x.xlsx"),
             "--out: cannot write the file there")


def test_runs_show_diff_and_report_on_a_stored_optimisation(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    db = RunStore(store)
    ids = []
    for _ in range(2):
        run_id = db.start_run("optimise", "small", "s.yaml", "abc", "muster", ["baseline"], 1, 2,
                              str(tmp_path / "o"))
        db.finish_run(run_id, {"target": {"metric": "mustered_60min"}, "evaluations": []}, 1.0)
        ids.append(str(run_id))
    db.close()
    for args in (("runs", "show", ids[0]), ("runs", "diff", *ids), ("report", ids[0])):
        _refused(cli(*args, "--store", str(store)),
                 f"run {ids[0]} is not a run or comparison of plans but optimise")


def test_review_encoding_that_is_no_text_encoding(tmp_path: Path) -> None:
    log = ROOT / "scenarios" / "observed" / "yangning_evacuation_arrivals.csv"
    for enc in ("rot13", "base64", "hex"):
        _refused(cli("review", str(YANGNING), "--observed", str(log), "--encoding", enc,
                     "--out", str(tmp_path / "o")), "--encoding: unknown encoding", enc)


@pytest.mark.parametrize("address", ["nonsense:99999", "a b", "tcp://x:0"])
def test_dask_address_that_cannot_be_one_is_refused_at_once(tmp_path: Path,
                                                            address: str) -> None:
    r = cli("run", str(BUNDLED), "--dask", address, "--reps", "2", "--no-store",
            "--out", str(tmp_path / "o"))
    _refused(r, "--dask: not a scheduler address", address)
    assert not (tmp_path / "o").exists()


def test_dask_scheduler_that_does_not_answer(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    r = cli("run", str(BUNDLED), "--dask", "127.0.0.1:1", "--reps", "2", "--no-store",
            "--out", str(tmp_path / "o"))
    _refused(r, "--dask: cannot reach the Dask scheduler at 127.0.0.1:1")


@pytest.mark.parametrize(("option", "needle"), [
    (("--at-least", "10", "--cost", "grid_head=-5"), "--cost: the weight must be a finite "
                                                     "number ≥ 0 (got 'grid_head=-5')"),
    (("--at-least", "10", "--cost", "grid_head=inf"), "--cost: the weight must be"),
    (("--at-least", "nan"), "--at-least: must be a finite number (got nan)"),
    (("--at-most", "inf"), "--at-most: must be a finite number (got inf)"),
])
def test_optimise_refuses_negative_costs_and_targets_that_are_no_number(
        tmp_path: Path, option: tuple[str, ...], needle: str) -> None:
    path = _scenario(tmp_path)
    r = cli("optimise", str(path), "--metric", "mustered_60min", "--reps", "2",
            "--vary", "forces.grid_head.per_grid=1..2", *option, "--out", str(tmp_path / "o"))
    _refused(r, needle)
    assert not (tmp_path / "o").exists()


def test_a_spreadsheet_or_binary_file_given_as_the_scenario_says_so_in_plain_words(tmp_path):
    """A workbook (a zip: control characters) and random bytes (not UTF-8) given where a
    scenario is expected: the file's kind in words, not Python's codec or PyYAML's reader text."""
    workbook = tmp_path / "roster.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(range(32, 127)))
    r = cli("validate", str(workbook))
    _refused(r, "not a YAML text file: character \\x03 at position 3")
    assert "<unicode string>" not in r.stderr
    blob = tmp_path / "photo.yaml"
    blob.write_bytes(b"name: \x85\x86")
    r = cli("validate", str(blob))
    _refused(r, "not UTF-8 text: byte 0x85 at position 7", "photo.yaml")
    assert "codec" not in r.stderr
