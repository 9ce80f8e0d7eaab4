"""The Import page: a roster (花名册) or a grid list from a spreadsheet (.xlsx or .csv, Chinese
or English headers) into the open scenario — the same library path as ``gridmuster import``.

All rows or nothing: any bad row is listed by its row number and the scenario stays as it was.
Personal names never go into the scenario; they are offered as a separate download only when
the planner ticks the box for it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.uploads import file_uploader
from sim.core.errors import ScenarioError
from sim.core.forces import build_roster
from sim.core.planedit import dump_yaml
from sim.core.roster_import import (
    MAX_BYTES,
    grids_into,
    names_csv,
    role_counts,
    roster_into,
)
from sim.core.scenario import parse_scenario
from sim.present.i18n import N_, _

PAGE = N_("Import")
WHAT = {"roster": N_("Roster (花名册)"), "grids": N_("Grid list")}


def _show_problems(lines: list[str]) -> None:
    st.error(_("Nothing was imported; the file has {n} problems (fix them and upload it "
               "again):", n=len(lines)) + "\n\n" + "\n".join(f"- {ln}" for ln in lines))


def import_page() -> None:
    st.header(_("Import a roster or grid list"))
    s = state.scenario()
    st.caption(_("Into the open scenario {name}. A roster replaces its forces: columns 姓名/name "
                 "or 编号/id, 角色/role, 网格/grid, optional 上级/parent and 出行方式/mode. A grid "
                 "list replaces its grids: 网格编号/id, optional 网格名称/name_zh, 村/社区/village, "
                 "常住人口/residents, 户数/households, 中心经度/lon, 中心纬度/lat, optional "
                 "坐标系/crs (wgs84, gcj02, bd09). Any bad row stops the import; nothing is "
                 "half-imported.",
        name=s.display_name()))
    what = st.radio(_("What to import"), list(WHAT), format_func=lambda k: _(WHAT[k]),
                    horizontal=True, key="import_what")
    up = file_uploader(_("Spreadsheet (.xlsx or .csv)"), ["xlsx", "csv"],
                       key=f"import_file::{what}")
    keep = what == "roster" and st.checkbox(
        _("Also offer a separate file pairing responder ids with the names on the roster "
          "(names never go into the scenario)"), key="import_keep_names")
    if up is not None and st.button(_("Import into the scenario"), type="primary",
                                    key="import_apply"):
        st.session_state["import_result"] = _apply(what, up.getvalue(), up.name, bool(keep))
    result = st.session_state.get("import_result")
    if not result:
        return
    if result.get("problems"):
        _show_problems(result["problems"])
        return
    st.success(result["message"])
    for note in result.get("notes", []):
        st.info(note)
    if result.get("table") is not None:
        st.dataframe(result["table"], hide_index=True, key="import_table")
    cur = state.scenario()
    st.download_button(_("Download the imported scenario (YAML, no names)"), dump_yaml(cur.raw),
                       file_name=f"{state.source_label().removesuffix('.yaml')}-imported.yaml",
                       mime="application/x-yaml", key="import_download")
    if result.get("names"):
        st.download_button(_("Download names (responder id, name; keep it private)"),
                           result["names"], file_name="names.csv", mime="text/csv",
                           key="import_names")


def _apply(what: str, data: bytes, filename: str, keep_names: bool) -> dict[str, object]:
    """Import into the open scenario, or change nothing and return the problems."""
    s = state.scenario()
    if len(data) > MAX_BYTES:
        return {"problems": [_("larger than {n} MB", n=MAX_BYTES // 10**6)]}
    try:
        if what == "roster":
            raw, imported, notes = roster_into(s.raw, s.model.grid_ids(), data, filename)
        else:
            raw, grids = grids_into(s.raw, data, filename)
            notes = []
        new = parse_scenario(raw, s.base_dir)
    except ScenarioError as exc:
        return {"problems": [str(p) for p in exc.problems]}
    state.replace(new, f"{state.source_label()} + {filename}")
    if what == "roster":
        roster = build_roster({str(k): v for k, v in new.model.forces.items()},
                              list(new.model.grids))
        table = pd.DataFrame([{_("role"): r, **{g: n for g, n in f["by_grid"].items()}}
                              for r, f in (raw.get("forces") or {}).items()]).fillna(0)
        message = _("Imported {n} people ({counts}) from {file}; the open scenario's forces are "
                    "now the roster's.", n=f"{len(roster):,}", counts=role_counts(raw),
                    file=filename)
        return {"message": message, "notes": notes, "table": _role_names(table),
                "names": names_csv(imported, roster) if keep_names else b""}
    residents = sum(g.residents for g in new.model.grids)
    table = pd.DataFrame([{_("grid"): g["id"], _("Village"): g.get("village", "—"),
                           _("Residents"): f"{g['residents']:,}",
                           _("Households"): f"{g['households']:,}" if "households" in g else "—"}
                          for g in grids.grids])
    message = _("Imported {n} grids ({residents} residents) from {file}; the open scenario's "
                "grids are now the list's.", n=f"{len(grids.grids):,}",
                residents=f"{residents:,}", file=filename)
    return {"message": message, "notes": notes, "table": table}


def _role_names(table: pd.DataFrame) -> pd.DataFrame:
    from sim.core.catalogue import role_label

    col = _("role")
    if col in table.columns:
        table[col] = table[col].map(role_label)
    for c in table.columns:
        if c != col:
            table[c] = table[c].astype(int)
    return table
