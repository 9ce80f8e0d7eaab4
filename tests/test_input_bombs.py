"""Files inside the size limits that expand past them (decompression and zip bombs, huge
networks, endless CSVs) are refused early, naming the file and the limit: exit 2, in seconds,
in bounded memory, never a traceback."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import yaml

from sim.core.limits import DATA_FILE_BYTES, NETWORK_NODES, WORKBOOK_BYTES
from sim.core.roster_import import read_rows
from sim.kinds.festival.config import MAX_COUNTS
from tests.helpers import ROOT, cli_bounded, cli_here

TIDE = ROOT / "scenarios" / "tide_yanguan.yaml"

MUSTER = yaml.safe_load("""
name: small
kind: muster
seed: 1
network: {graphml: town.graphml}
grids:
  - {id: G01, village: V1, node: a, residents: 500, households: 200}
forces:
  cadre: {count: 5}
muster:
  alert_time: "09:30"
  horizon_min: 60
  channels: [grid_app]
  grid_app: {delivery: {dist: lognormal, median: 0.5, p90: 2}, reliability: 0.95}
  group_chat: {delivery: {dist: lognormal, median: 1, p90: 5}, reliability: 0.9}
  phone_tree:
    fan_out: 5
    call: {dist: triangular, low: 0.5, mode: 1, high: 3}
    answer_day: 0.85
    answer_night: 0.6
  notice_night: {dist: lognormal, median: 12, p90: 45}
  notice_day: {dist: lognormal, median: 3, p90: 12}
  acknowledge: 1
  preparation: {dist: lognormal, median: 8, p90: 20}
  checkin: {dist: triangular, low: 0.05, mode: 0.15, high: 0.4}
  assembly_points: [{id: S01, node: a, desks: 1}]
  assignment: {default: nearest}
  default_role: {availability_day: 0.9, availability_night: 0.85, modes: {walk: 1}}
plans:
  baseline: {description: base}
""")

HEAD = (b'<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/'
        b'xmlns"><key id="x" for="node" attr.name="x" attr.type="double"/><graph '
        b'edgedefault="undirected">')
TAIL = b"</graph></graphml>\n"


def _scenario(folder: Path, graphml: str) -> Path:
    raw = dict(MUSTER, network={"graphml": graphml})
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _refused(done, seconds: float, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for w in words:
        assert w in done.stderr, done.stderr
    assert seconds < 20


def test_a_graphml_gz_bomb_is_refused_at_the_decompressed_limit(tmp_path):
    with gzip.open(tmp_path / "bomb.graphml.gz", "wb", compresslevel=1) as fh:
        fh.write(HEAD + b"<!--")
        zeros = b"A" * 2**20
        for _ in range(DATA_FILE_BYTES // 2**20 + 8):  # 8 MB past the limit, ~60 kB on disk
            fh.write(zeros)
        fh.write(b"-->" + TAIL)
    assert (tmp_path / "bomb.graphml.gz").stat().st_size < 1_000_000
    done, seconds = cli_bounded("validate", str(_scenario(tmp_path, "bomb.graphml.gz")),
                                memory_mb=1000)
    _refused(done, seconds, "network.graphml", "bomb.graphml.gz", f"{DATA_FILE_BYTES:,}")


def test_a_graphml_with_too_many_nodes_is_refused_while_it_is_read(tmp_path):
    nodes = b"".join(b'<node id="n%d"/>' % i for i in range(NETWORK_NODES + 1))
    with gzip.open(tmp_path / "many.graphml.gz", "wb") as fh:
        fh.write(HEAD + nodes + TAIL)
    done, seconds = cli_bounded("validate", str(_scenario(tmp_path, "many.graphml.gz")),
                                memory_mb=1000)
    _refused(done, seconds, "network.graphml", "many.graphml.gz", f"{NETWORK_NODES:,} nodes")
    done, seconds = cli_bounded("--lang", "zh", "validate",
                                str(_scenario(tmp_path, "many.graphml.gz")), memory_mb=1000)
    _refused(done, seconds, "many.graphml.gz", f"节点超过 {NETWORK_NODES:,} 个")


def test_a_broken_gz_names_the_file_and_why(tmp_path):
    (tmp_path / "bad.graphml.gz").write_bytes(b"garbage!")
    done, seconds = cli_bounded("validate", str(_scenario(tmp_path, "bad.graphml.gz")))
    _refused(done, seconds, "network.graphml", "not a readable GraphML file: Not a gzipped")


# --- CSV: review logs, counts_csv, roster import -----------------------------------------

MUSTER_LOG_HEAD = "t_min,role\n" + "".join(f"{1 + i % 30},cadre\n" for i in range(5))


def _small_muster(folder: Path) -> Path:
    """The bundled muster scenario with a roster of 5 (a log of more is refused at once)."""
    raw = yaml.safe_load((ROOT / "scenarios" / "muster_youchegang.yaml").read_text())
    raw["forces"] = {"cadre": {"count": 5}}
    raw.pop("assumptions", None)
    raw["plans"] = {"baseline": {"description": "base"}}
    path = folder / "town.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_review_log_with_an_unclosed_quote_names_the_line(tmp_path):
    log = tmp_path / "drill.csv"
    log.write_text(MUSTER_LOG_HEAD + '4,"cadre\n' + "5,cadre\n" * 20_000)
    done, seconds = cli_bounded("review", str(_small_muster(tmp_path)), "--reps", "20",
                                "--observed", str(log), "--out", str(tmp_path / "out"))
    _refused(done, seconds, "drill.csv: line 7", "quote", "never closed")
    done, seconds = cli_bounded("--lang", "zh", "review", str(_small_muster(tmp_path)),
                                "--reps", "20", "--observed", str(log),
                                "--out", str(tmp_path / "out"))
    _refused(done, seconds, "drill.csv: line 7", "引号")


def test_a_huge_review_log_stops_at_the_first_line_past_the_roster(tmp_path):
    log = tmp_path / "huge.csv"
    log.write_text("t_min,role\n" + "1,cadre\n" * 2_000_000)  # 16 MB
    done, seconds = cli_bounded("review", str(_small_muster(tmp_path)), "--reps", "20",
                                "--observed", str(log), "--out", str(tmp_path / "out"),
                                memory_mb=1200)
    _refused(done, seconds, "huge.csv: line 7", "more people than the roster")
    assert seconds < 10
    assert not (tmp_path / "out").exists()  # refused before any replication ran


def _festival(tmp_path: Path, counts_text: str) -> Path:
    raw = yaml.safe_load(TIDE.read_text())
    for f in (ROOT / "scenarios").glob("yanguan*"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    mode = raw["festival"]["modes"]["rail"]
    mode.pop("profile", None)
    mode["counts_csv"] = "rail_counts.csv"
    mode["interval_min"] = 1
    (tmp_path / "rail_counts.csv").write_text(counts_text)
    path = tmp_path / "fest.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_counts_csv_of_millions_of_rows_is_refused_past_the_counts_limit(tmp_path):
    path = _festival(tmp_path, "visitors\n" + "1\n" * 3_000_000)  # 6 MB
    done, seconds = cli_bounded("validate", str(path), memory_mb=1200)
    _refused(done, seconds, "counts_csv", "rail_counts.csv: line 100002",
             f"more than {MAX_COUNTS:,} rows")
    assert seconds < 10


def test_a_counts_csv_with_a_cell_past_the_csv_limit_names_the_line(tmp_path):
    path = _festival(tmp_path, "visitors\n10\n" + "9" * 200_000 + "\n")
    done, seconds = cli_bounded("validate", str(path))
    _refused(done, seconds, "counts_csv", "rail_counts.csv: line 3", "131,072")


def test_roster_csv_with_a_huge_cell_names_the_row(tmp_path):
    scenario = _small_muster(tmp_path)
    roster = tmp_path / "花名册.csv"
    roster.write_text("编号,角色,网格\nP1,干部,G01\nP2,干部,\"G01\nP3,干部,G01\n"
                      + "x" * 200_000 + "\n", encoding="utf-8")
    done, seconds = cli_bounded("import", "roster", str(roster), "--scenario", str(scenario),
                                "--out", str(tmp_path / "new.yaml"))
    _refused(done, seconds, "花名册.csv.row 3", "never closed")
    assert not (tmp_path / "new.yaml").exists()


def test_roster_csv_with_old_mac_line_ends_is_read():
    rows, problems = read_rows("编号,角色,网格\rP1,干部,G01\rP2,民兵,G02\r".encode(), "r.csv")
    assert not problems
    assert rows == [["编号", "角色", "网格"], ["P1", "干部", "G01"], ["P2", "民兵", "G02"]]


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["编号", "角色", "网格"], ["P1", "干部", "G01"]):
        wb.active.append(row)
    book = tmp_path / "花名册.xlsx"
    wb.save(book)
    block = bytes(2**20)
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z, \
            z.open("xl/media/zeros.bin", "w") as fh:  # ~110 MB of zeros in ~110 kB
        for _ in range(WORKBOOK_BYTES // 2**20 + 10):
            fh.write(block)
    assert book.stat().st_size < 2_000_000
    done, seconds = cli_bounded("import", "roster", str(book), "--scenario",
                                str(_small_muster(tmp_path)), "--out", str(tmp_path / "n.yaml"),
                                memory_mb=1200)
    _refused(done, seconds, "花名册.xlsx", f"more than {WORKBOOK_BYTES // 2**20} MB",
             "workbook_bytes")
    assert not (tmp_path / "n.yaml").exists()


# --- sizes inside the limits that still run out of memory --------------------------------

def test_a_festival_day_is_at_most_240_hours(tmp_path):
    raw = yaml.safe_load(TIDE.read_text())
    for f in (ROOT / "scenarios").glob("yanguan*"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    raw["festival"]["day_end"] = "9999:00"
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    done, seconds = cli_bounded("validate", str(path), memory_mb=1200)
    _refused(done, seconds, "festival.day_end", "at most 240 hours", "9999:00")
    raw["festival"]["day_end"] = "29:00"  # past midnight, inside the limit
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    done = cli_here("validate", str(path))
    assert "festival.day_end" not in done.stderr


def test_memory_error_is_a_plain_message_with_exit_2(monkeypatch):
    import sim.cli.main as main

    def no_memory(*_args, **_kwargs):
        raise MemoryError("Unable to allocate 1.43 GiB for an array with shape (3, 400, 160000)")

    monkeypatch.setattr(main, "load_scenario", no_memory)
    monkeypatch.delenv("GRIDMUSTER_DEBUG", raising=False)
    done = cli_here("validate", str(TIDE))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "out of memory (Unable to allocate 1.43 GiB" in done.stderr
    assert "Nothing already finished was lost" in done.stderr
    assert "--memory-budget" in done.stderr
    done = cli_here("--lang", "zh", "validate", str(TIDE))
    assert done.returncode == 2 and "内存不足" in done.stderr
