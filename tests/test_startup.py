"""``gridmuster --help`` and ``validate`` stay light: none of the heavy libraries is imported.

Run in a fresh interpreter (the test process has imported everything already); the command runs
through ``runpy`` exactly as ``python -m sim`` would, then the interpreter lists what it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "scipy.stats", "matplotlib", "streamlit", "dask", "altair", "openpyxl", "docx",
         "SALib", "jinja2")
PROBE = """
import json, runpy, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["gridmuster", *json.loads(sys.argv[1])]
try:
    runpy.run_module("sim", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("PROBE" + json.dumps({"code": code, "loaded": sorted(
    m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))}), flush=True)
"""

pytestmark = pytest.mark.cli


def _loaded(args: list[str], heavy: tuple[str, ...] = HEAVY) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    lines = [x for x in done.stdout.splitlines() if x.startswith("PROBE")]
    assert lines, done.stderr
    result: dict[str, object] = json.loads(lines[-1].removeprefix("PROBE"))
    return result


@pytest.mark.parametrize("args", [
    ["--help"],
    ["validate", "scenarios/muster_youchegang.yaml"],
    ["validate", "scenarios/rainstorm_yangning.yaml"],
    ["validate", "scenarios/tide_yanguan.yaml"],
], ids=["help", "validate-muster", "validate-evacuation", "validate-festival"])
def test_light_commands_import_no_heavy_library(args: list[str]) -> None:
    result = _loaded(args)
    assert result["code"] in (0, None)
    assert result["loaded"] == []


def test_validate_of_a_synthetic_town_imports_no_networkx() -> None:
    """A synthetic town is a plain-dict ``RoadGraph``: checking one needs no networkx (a
    GraphML network is read with it)."""
    result = _loaded(["validate", "scenarios/rainstorm_duhu.yaml"], ("networkx",))
    assert result["code"] in (0, None)
    assert result["loaded"] == []


def test_probe_sees_heavy_imports() -> None:
    """The probe itself works: writing a run's plots does import matplotlib."""
    probe = subprocess.run([sys.executable, "-c", "import sys; from sim.present.cjk import pyplot; "
                            "pyplot(); print('matplotlib.pyplot' in sys.modules)"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert probe.stdout.strip() == "True", probe.stderr
