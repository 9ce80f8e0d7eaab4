"""`gridmuster validate` says "1 grid", and a replication too quick to time as "under 0.01 s"."""

from __future__ import annotations

from sim.core.budget import _duration
from sim.present.i18n import use_lang
from tests.helpers import build, cli_here, fixed_muster, write_scenario


def test_one_grid_is_singular(tmp_path):
    data = fixed_muster()
    data["grids"] = data["grids"][:1]
    build(tmp_path, data)  # writes line.graphml beside the scenario
    path = write_scenario(tmp_path, data)
    r = cli_here("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert ", 1 grid, plans:" in r.stdout, r.stdout
    assert "1 grids" not in r.stdout and "0.00 s" not in r.stdout


def test_a_tiny_time_is_not_written_as_zero():
    assert _duration(0.0025) == "under 0.01 s"
    assert _duration(0.25) == "0.25 s"
    with use_lang("zh"):
        assert _duration(0.0025) == "不到 0.01 秒"
