"""Bad input the audit found ending in a generic crash (exit 1) or in lost work: each must
end in a message naming the field or file, exit 2, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import cli, fixed_muster, line_graphml, write_scenario


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
