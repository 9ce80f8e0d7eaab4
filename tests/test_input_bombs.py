"""Files inside the size limits that expand past them (decompression and zip bombs, huge
networks, endless CSVs) are refused early, naming the file and the limit: exit 2, in seconds,
in bounded memory, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import yaml

from sim.core.limits import DATA_FILE_BYTES, NETWORK_NODES
from tests.helpers import cli_bounded

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
