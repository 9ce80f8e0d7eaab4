"""``gridmuster import roster|grids FILE --scenario S``: a roster (花名册) or a grid list from a
spreadsheet (.xlsx or .csv, Chinese or English headers) into a scenario file.

Every row is checked first; any bad row is an error naming its row number (exit 2) and nothing
is written. The new scenario is validated where it will be written and then written whole (a
temporary file renamed), by default beside the original as ``<name>.imported.yaml`` so that the
original, and its comments, stay as they are. Personal names are never written into the
scenario; ``--keep-names`` writes them to a separate ``<out>.names.csv`` (responder id, name).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from sim.cli.common import out_console
from sim.cli.gbt import write_atomic
from sim.core.config import read_yaml
from sim.core.errors import Problem, ScenarioError
from sim.core.forces import build_roster
from sim.core.roster_import import (
    MAX_BYTES,
    ROLE_ZH,
    apply_grids,
    apply_roster,
    parse_grids,
    parse_roster,
    read_rows,
)
from sim.core.scenario import Scenario, load_scenario, parse_scenario

import_app = typer.Typer(no_args_is_help=True, help="Import a roster or grid list from a "
                         "spreadsheet (.xlsx or .csv) into a scenario.")

FileArg = Annotated[Path, typer.Argument(help=".xlsx or .csv; Chinese or English headers")]
ScenarioOpt = Annotated[Path, typer.Option("--scenario", help="the scenario to import into")]
OutScenarioOpt = Annotated[Path | None, typer.Option(
    "--out", help="scenario file to write [default: <scenario>.imported.yaml beside it]")]


def _read(file: Path) -> list[list[Any]]:
    if not file.is_file():
        raise ScenarioError([Problem("FILE", "file not found", str(file))])
    if file.stat().st_size > MAX_BYTES:
        raise ScenarioError([Problem("FILE", f"larger than {MAX_BYTES // 10**6} MB", str(file))])
    rows, problems = read_rows(file.read_bytes(), file.name)
    if problems:
        raise ScenarioError(problems)
    return rows


def _target(scenario: Path, out: Path | None) -> Path:
    return out if out is not None else scenario.with_name(f"{scenario.stem}.imported.yaml")


def _checked(raw: dict[str, Any], target: Path) -> Scenario:
    """The new scenario, validated where it will be written (relative file names hold)."""
    return parse_scenario(raw, target.resolve().parent)


def _dump(raw: dict[str, Any], header: str) -> bytes:
    return (header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)).encode("utf-8")


@import_app.command("roster")
def import_roster(
    file: FileArg,
    scenario: ScenarioOpt,
    out: OutScenarioOpt = None,
    keep_names: Annotated[bool, typer.Option(
        "--keep-names", help="also write <out>.names.csv pairing responder ids with the "
        "names in the file (never written otherwise)")] = False,
) -> None:
    """Replace the scenario's forces by the people on a roster: id or name, role, grid,
    optional phone-tree parent and travel mode."""
    base = load_scenario(scenario)  # the scenario must be valid before anything is imported
    raw = read_yaml(scenario)
    imported = parse_roster(_read(file), base.model.grid_ids(), file.name)
    if not imported.ok:
        raise ScenarioError(imported.problems)
    target = _target(scenario, out)
    new, changes = apply_roster(raw, imported)
    s = _checked(new, target)
    roster = build_roster({str(k): v for k, v in s.model.forces.items()}, list(s.model.grids))
    header = (f"# {base.name}: forces from the roster {file.name} ({len(imported.rows):,} "
              "people), written by `gridmuster import roster`; the comments of the original "
              "scenario are not carried over.\n")
    names_path = target.with_suffix(".names.csv")
    if keep_names:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["responder_id", "name"])
        w.writerows(imported.names(roster))
        write_atomic(names_path, buf.getvalue().encode("utf-8-sig"))
    try:
        write_atomic(target, _dump(new, header))
    except BaseException:
        if keep_names:
            names_path.unlink(missing_ok=True)
        raise
    counts = ", ".join(f"{ROLE_ZH[r]} {sum(g['by_grid'].values()):,}"
                       for r, g in new["forces"].items())
    out_console.print(f"imported {len(roster):,} people ({counts}) into {target}",
                      markup=False)
    for note in [*imported.notes, *changes]:
        out_console.print(f"note: {note}", markup=False)
    for name, patch in (new.get("plans") or {}).items():
        if isinstance(patch, dict) and patch.get("forces"):
            out_console.print(f"note: plan {name} still replaces roles "
                              f"{', '.join(map(str, patch['forces']))} with its own counts",
                              markup=False)
    if keep_names:
        out_console.print(f"wrote names to {names_path} (keep it private)", markup=False)


@import_app.command("grids")
def import_grids(file: FileArg, scenario: ScenarioOpt, out: OutScenarioOpt = None) -> None:
    """Replace the scenario's grids by a grid list: id, village, residents, households,
    centre longitude/latitude (and optionally crs: wgs84, gcj02, bd09)."""
    load_scenario(scenario)
    raw = read_yaml(scenario)
    imported = parse_grids(_read(file), raw.get("grids") or [], file.name)
    if not imported.ok:
        raise ScenarioError(imported.problems)
    target = _target(scenario, out)
    new = apply_grids(raw, imported)
    s = _checked(new, target)
    header = (f"# {s.name}: grids from {file.name} ({len(imported.grids):,} grids), written "
              "by `gridmuster import grids`; the comments of the original scenario are not "
              "carried over.\n")
    write_atomic(target, _dump(new, header))
    residents = sum(g.residents for g in s.model.grids)
    out_console.print(f"imported {len(imported.grids):,} grids ({residents:,} residents) into "
                      f"{target}", markup=False)

