"""``gridmuster import roster|grids FILE --scenario S``: a roster (花名册) or a grid list from a
spreadsheet (.xlsx or .csv, Chinese or English headers) into a scenario file.

Every row is checked first; any bad row is an error naming its row number (exit 2) and nothing
is written. The new scenario is validated where it will be written and then written whole (a
temporary file renamed), by default beside the original as ``<name>.imported.yaml`` so that the
original, and its comments, stay as they are. Personal names are never written into the
scenario; ``--keep-names`` writes them to a separate ``<out>.names.csv`` (responder id, name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from sim.cli.common import out_console, wrote
from sim.cli.gbt import write_atomic
from sim.core.config import read_yaml
from sim.core.errors import Problem, ScenarioError
from sim.core.forces import build_roster
from sim.core.roster_import import MAX_BYTES, grids_into, names_csv, role_counts, roster_into
from sim.core.scenario import Scenario, load_scenario, parse_scenario
from sim.present.i18n import _

import_app = typer.Typer(no_args_is_help=True, help="Import a roster or grid list from a "
                         "spreadsheet (.xlsx or .csv) into a scenario.")

FileArg = Annotated[Path, typer.Argument(help=".xlsx or .csv; Chinese or English headers",
                                            metavar="FILE")]
ScenarioOpt = Annotated[Path, typer.Option("--scenario", help="the scenario to import into")]
OutScenarioOpt = Annotated[Path | None, typer.Option(
    "--out", help="scenario file to write [default: <scenario>.imported.yaml beside it]")]


def _read(file: Path) -> bytes:
    if not file.is_file():
        raise ScenarioError([Problem("FILE", _("file not found"), str(file))])
    if file.stat().st_size > MAX_BYTES:
        raise ScenarioError([Problem("FILE", _("larger than {n} MB", n=MAX_BYTES // 10**6),
                                     str(file))])
    return file.read_bytes()


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
    new, imported, notes = roster_into(raw, base.model.grid_ids(), _read(file), file.name)
    target = _target(scenario, out)
    s = _checked(new, target)
    roster = build_roster({str(k): v for k, v in s.model.forces.items()}, list(s.model.grids))
    header = "# " + _("{name}: forces from the roster {file} ({n} people), written by "
                      "`gridmuster import roster`; the comments of the original scenario are "
                      "not carried over.", name=base.name, file=file.name,
                      n=f"{len(imported.rows):,}") + "\n"
    names_path = target.with_suffix(".names.csv")
    if keep_names:
        write_atomic(names_path, names_csv(imported, roster))
    try:
        write_atomic(target, _dump(new, header))
    except BaseException:
        if keep_names:
            names_path.unlink(missing_ok=True)
        raise
    wrote(target, *([names_path] if keep_names else []))
    out_console.print(_("imported {n} people ({counts}) into {target}", n=f"{len(roster):,}",
                        counts=role_counts(new), target=target), markup=False)
    for note in notes:
        out_console.print(_("note: {note}", note=note), markup=False)
    if keep_names:
        out_console.print(_("wrote names to {path} (keep it private)", path=names_path),
                          markup=False)


@import_app.command("grids")
def import_grids(file: FileArg, scenario: ScenarioOpt, out: OutScenarioOpt = None) -> None:
    """Replace the scenario's grids by a grid list: id, village, residents, households,
    centre longitude/latitude (and optionally crs: wgs84, gcj02, bd09)."""
    load_scenario(scenario)
    raw = read_yaml(scenario)
    new, imported = grids_into(raw, _read(file), file.name)
    target = _target(scenario, out)
    s = _checked(new, target)
    header = "# " + _("{name}: grids from {file} ({n} grids), written by `gridmuster import "
                      "grids`; the comments of the original scenario are not carried over.",
                      name=s.name, file=file.name, n=f"{len(imported.grids):,}") + "\n"
    write_atomic(target, _dump(new, header))
    wrote(target)
    residents = sum(g.residents for g in s.model.grids)
    out_console.print(_("imported {n} grids ({residents} residents) into {target}",
                        n=f"{len(imported.grids):,}", residents=f"{residents:,}",
                        target=target), markup=False)

