"""Rosters (花名册) and grid lists from spreadsheets (.xlsx or .csv) into a scenario.

Pure functions: bytes or rows in, a typed result or a list of row-numbered problems out; the
command line (``gridmuster import``) and the dashboard write the files. Headers may be Chinese
or English (:data:`ROSTER_COLUMNS`, :data:`GRID_COLUMNS`); Chinese role and travel-mode names
are mapped to the scenario vocabulary (:data:`ROLE_NAMES`, :data:`MODE_NAMES`).

What an imported roster becomes: each role's members are counted grid by grid
(``forces.<role>.by_grid``), so the simulated roster has exactly the imported people, in the
same grids, under stable ids (``G01-grid_head-001`` …). Travel modes become each role's mode
shares where the kind's section has per-role behaviour (``roles.<role>.modes``). The phone-tree
parent is checked (it must name another person on the roster, with no loops) but the model
calls in its own fan-out order, so it is not simulated. Personal names are never put into the
scenario: they are only returned (:attr:`RosterImport.names`) for a caller that was asked to
keep them.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import math
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.forces import ROLES, Responder
from sim.core.limits import WORKBOOK_BYTES, WORKBOOK_PARTS, csv_rows
from sim.network.coords import CRS
from sim.present.i18n import _, is_zh

# Column → accepted headers (compared without case, spaces, brackets or "*").
ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "工号", "人员编号", "responder id", "no", "no."),
    "name": ("name", "姓名", "名字"),
    "role": ("role", "角色", "职务", "岗位", "身份"),
    "grid": ("grid", "网格", "所属网格", "网格编号", "grid id"),
    "parent": ("parent", "上级", "电话树上级", "phone tree parent", "phone-tree parent",
               "caller"),
    "mode": ("mode", "travel mode", "出行方式", "交通方式"),
}
GRID_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "grid", "grid id", "网格编号", "网格", "编号"),
    "name_zh": ("name_zh", "name in chinese", "网格名称", "名称", "中文名称"),
    "village": ("village", "村/社区", "村社区", "村（社区）", "村", "社区", "所属村社"),
    "residents": ("residents", "常住人口", "人口", "人口数"),
    "households": ("households", "户数", "家庭户数"),
    "lon": ("lon", "longitude", "centre lon", "center lon", "中心经度", "经度"),
    "lat": ("lat", "latitude", "centre lat", "center lat", "中心纬度", "纬度"),
    "crs": ("crs", "坐标系"),
}
# Chinese (and English) role names as planners write them → the scenario's role keys.
ROLE_NAMES: dict[str, str] = {
    "网格长": "grid_head", "专职网格员": "grid_worker_ft", "兼职网格员": "grid_worker_pt",
    "网格员": "grid_worker_ft", "微网格长": "micro_grid_head", "微网格员": "micro_grid_head",
    "信息员": "info_officer", "网格信息员": "info_officer", "民兵": "militia",
    "基干民兵": "militia", "干部": "cadre", "党员干部": "cadre", "机关干部": "cadre",
    "村干部": "cadre", "社区干部": "cadre", "志愿者": "volunteer", "退役军人": "veteran",
    "应急突击队": "emergency_squad", "突击队员": "emergency_squad", "应急队员": "emergency_squad",
    "后备力量": "reserve", "后备队员": "reserve",
    "grid head": "grid_head", "full-time grid worker": "grid_worker_ft",
    "part-time grid worker": "grid_worker_pt", "micro-grid head": "micro_grid_head",
    "information officer": "info_officer", "emergency squad": "emergency_squad",
    **{r: r for r in ROLES}, **{r.replace("_", " "): r for r in ROLES},
}
# The Chinese name written for each role when a roster is exported.
ROLE_ZH: dict[str, str] = {
    "grid_head": "网格长", "grid_worker_ft": "专职网格员", "grid_worker_pt": "兼职网格员",
    "micro_grid_head": "微网格长", "info_officer": "信息员", "militia": "民兵",
    "cadre": "干部", "volunteer": "志愿者", "veteran": "退役军人",
    "emergency_squad": "应急突击队", "reserve": "后备力量",
}
MODE_NAMES: dict[str, str] = {
    "walk": "walk", "步行": "walk", "走路": "walk", "ebike": "ebike", "e-bike": "ebike",
    "电动车": "ebike", "电瓶车": "ebike", "电动自行车": "ebike", "car": "car", "汽车": "car",
    "开车": "car", "私家车": "car", "小汽车": "car", "驾车": "car",
}
MAX_ROWS = 200_000  # far above any county's roster; a bigger file is refused, not read
MAX_BYTES = 50 * 10**6
# The header a Chinese planner writes for each column: how a problem names the column in 中文
# (in English the column key is named, as in the scenario vocabulary).
COLUMN_ZH: dict[str, str] = {
    "id": "编号", "name": "姓名", "role": "角色", "grid": "网格", "parent": "上级",
    "mode": "出行方式", "village": "村/社区", "residents": "常住人口", "households": "户数",
    "lon": "中心经度", "lat": "中心纬度", "crs": "坐标系", "centre": "中心经纬度",
}


def _list(items: Iterable[str]) -> str:
    """Items as a list reads in the current language: ``a、b`` / ``a, b``."""
    return ("、" if is_zh() else ", ").join(items)


def _column(col: str) -> str:
    return COLUMN_ZH.get(col, col) if is_zh() else col


def row_path(source: str, n: int, column: str = "") -> str:
    """Where a problem is: ``roster.csv.row 3.role`` / ``roster.csv 第 3 行「角色」``; the row
    number is the spreadsheet's (the header is row 1)."""
    if is_zh():
        where = f"{source} 第 {n} 行" if source else f"第 {n} 行"
        return f"{where}「{COLUMN_ZH.get(column, column)}」" if column else where
    return join_path(source, f"row {n}", column)


@dataclass(frozen=True)
class RosterRow:
    row: int  # the spreadsheet's row number (the header is row 1)
    person: str  # id, else name: what the row is known by
    role: str
    grid: str
    parent: str = ""
    mode: str = ""
    name: str = ""


@dataclass(frozen=True)
class RosterImport:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_grid(self) -> dict[str, dict[str, int]]:
        """role → grid → members, in the order first seen."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            grids = out.setdefault(r.role, {})
            grids[r.grid] = grids.get(r.grid, 0) + 1
        return out

    def names(self, roster: list[Responder]) -> list[tuple[str, str]]:
        """(responder id, name) pairing the imported people with the simulated roster: the
        k-th person of a role in a grid is that grid's responder k of the role."""
        queue: dict[tuple[str, str], list[str]] = {}
        for r in self.rows:
            queue.setdefault((r.grid, r.role), []).append(r.name or r.person)
        out = []
        for resp in roster:
            people = queue.get((resp.grid, resp.role))
            if people:
                out.append((resp.id, people.pop(0)))
        return out


@dataclass(frozen=True)
class GridImport:
    grids: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading tables -----------------------------------------------------------------------

def _key(header: Any) -> str:
    text = "" if header is None else str(header)
    for ch in " \t\r\n*_-:：()（）\ufeff":
        text = text.replace(ch, "")
    return text.lower()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel on a Chinese Windows writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _zip_problem(data: bytes, where: str) -> Problem | None:
    """Why a workbook is refused before openpyxl opens it: an .xlsx is a zip, and 2 MB of it
    can unzip to gigabytes. The sizes its directory states bound what can be unzipped (a
    member is never read past its stated size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        return Problem(where, _("not a readable .xlsx workbook ({why})", why=type(exc).__name__))
    if len(parts) > WORKBOOK_PARTS:
        return Problem(where, _("the workbook holds more than {n} files (the workbook_parts "
                                "limit)", n=f"{WORKBOOK_PARTS:,}"), len(parts))
    total = sum(p.file_size for p in parts)
    if total > WORKBOOK_BYTES:
        return Problem(where, _("the workbook expands to more than {n} MB once unzipped (the "
                                "workbook_bytes limit)", n=WORKBOOK_BYTES // 2**20),
                       f"{total:,} bytes")
    return None


def read_rows(data: bytes, filename: str, source: str = "") -> tuple[list[list[Any]],
                                                                      list[Problem]]:
    """The cells of the first sheet (.xlsx) or of a .csv, header row first."""
    where = source or filename
    if len(data) > MAX_BYTES:
        return [], [Problem(where, _("larger than {n} MB", n=MAX_BYTES // 10**6))]
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook  # deferred: openpyxl (spreadsheets only)

        too_big = _zip_problem(data, where)
        if too_big:
            return [], [too_big]
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            return [], [Problem(where, _("not a readable .xlsx workbook ({why})",
                                           why=type(exc).__name__))]
        ws = wb.worksheets[0]
        rows = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i > MAX_ROWS:
                return [], [Problem(where, _("more than {n} rows", n=f"{MAX_ROWS:,}"))]
            rows.append(list(row))
        wb.close()
        return rows, []
    if lower.endswith((".csv", ".txt")):
        try:
            text = decode_text(data)
        except UnicodeDecodeError:
            return [], [Problem(where, _("not readable as UTF-8 or GB18030 text"))]
        # newline="": quoted line breaks stay in their cell, and old-Mac CR-only line ends
        # (Excel for Mac's "CSV (Macintosh)") are line ends; rows are counted as they are read.
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = []
        try:
            for row in csv_rows(reader, lambda k: row_path(where, k)):
                if len(rows) > MAX_ROWS:
                    return [], [Problem(where, _("more than {n} rows", n=f"{MAX_ROWS:,}"))]
                rows.append(row)
        except ScenarioError as exc:
            return [], exc.problems
        return rows, []
    return [], [Problem(where, _("give a .xlsx or .csv file"), filename)]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _cell(cols: dict[str, int], r: list[Any], col: str) -> str:
    """The text in column ``col`` of row ``r`` ("" where the file has no such column or the
    row is short)."""
    i = cols.get(col)
    return _text(r[i]) if i is not None and i < len(r) else ""


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if _blank(v) else str(v).strip()


def _columns(header: list[Any], spec: dict[str, tuple[str, ...]], where: str,
             required: tuple[str, ...]) -> tuple[dict[str, int], list[Problem]]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    problems = []
    for col, names in spec.items():
        hits = [i for i, k in enumerate(keys) if k in {_key(n) for n in names}]
        if len(hits) > 1:
            problems.append(Problem(row_path(where, 1), _("two columns for {column}",
                                                          column=_column(col)),
                                    ", ".join(str(header[i]) for i in hits)))
        elif hits:
            found[col] = hits[0]
    for group in required:
        options = group.split("|")
        if not any(o in found for o in options):
            wanted = ("或".join(f"「{COLUMN_ZH[o]}」" for o in options) if is_zh()
                      else " or ".join(f"{o} ({COLUMN_ZH[o]})" for o in options))
            problems.append(Problem(row_path(where, 1), _(
                "no {wanted} column; the header row has", wanted=wanted),
                ", ".join(_text(h) for h in header)))
    return found, problems


def _records(rows: list[list[Any]]) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of the non-empty rows after the header."""
    return [(i + 2, r) for i, r in enumerate(rows[1:]) if any(not _blank(c) for c in r)]


# --- roster -------------------------------------------------------------------------------

def parse_roster(rows: list[list[Any]], grid_ids: list[str], source: str = "roster"
                 ) -> RosterImport:
    """Check every row of a roster table against the scenario's grids; problems name rows."""
    if not rows:
        return RosterImport(problems=[Problem(source, _("the file is empty"))])
    cols, problems = _columns(rows[0], ROSTER_COLUMNS, source, ("id|name", "role", "grid"))
    if problems:
        return RosterImport(problems=problems)
    found: list[tuple[int, Problem]] = []  # (row, problem): reported in row order

    def add(n: int, problem: Problem) -> None:
        found.append((n, problem))

    known_grids = set(grid_ids)
    out: list[RosterRow] = []
    seen: dict[str, int] = {}

    cell = functools.partial(_cell, cols)

    for n, r in _records(rows):
        person = cell(r, "id") or cell(r, "name")
        role_text, grid, mode_text = cell(r, "role"), cell(r, "grid"), cell(r, "mode")
        bad = False
        if not person:
            add(n, Problem(row_path(source, n), _("no id or name")))
            bad = True
        elif person in seen:
            add(n, Problem(row_path(source, n, "id" if "id" in cols else "name"),
                           _("the same person as row {n}", n=seen[person]), person))
            bad = True
        role = ROLE_NAMES.get(role_text) or ROLE_NAMES.get(role_text.lower())
        if role is None:
            add(n, Problem(row_path(source, n, "role"), _(
                "unknown role; use one of {names} (or {keys})",
                names=_list(ROLE_ZH.values()), keys=_list(ROLES)),
                role_text or _("(blank)")))
            bad = True
        if grid not in known_grids:
            add(n, Problem(row_path(source, n, "grid"), _("no grid with this id in the scenario"),
                           grid or _("(blank)")))
            bad = True
        mode = ""
        if mode_text:
            mode = MODE_NAMES.get(mode_text) or MODE_NAMES.get(mode_text.lower(), "")
            if not mode:
                add(n, Problem(row_path(source, n, "mode"), _(
                    "unknown travel mode; use 步行/walk, 电动车/ebike or 汽车/car"), mode_text))
                bad = True
        if person:
            seen.setdefault(person, n)
        if not bad:
            out.append(RosterRow(n, person, str(role), grid, cell(r, "parent"), mode,
                                 cell(r, "name")))
    found += _parent_problems(out, set(seen), source)
    problems = [p for _n, p in sorted(found, key=lambda x: x[0])]  # stable within a row
    if not out and not problems:
        problems.append(Problem(source, _("no people in the file (only a header row)")))
    notes = []
    if any(r.parent for r in out):
        notes.append(_("phone-tree parents were checked but are not simulated: the model "
                       "calls in its own fan-out order (muster.phone_tree.fan_out)"))
    return RosterImport(out, problems, notes)


def _parent_problems(rows: list[RosterRow], people: set[str], source: str
                     ) -> list[tuple[int, Problem]]:
    problems = []
    parent = {r.person: r.parent for r in rows if r.parent}
    for r in rows:
        where = row_path(source, r.row, "parent")
        if not r.parent:
            continue
        if r.parent not in people:
            problems.append((r.row, Problem(where, _("names nobody on this roster"),
                                            r.parent)))
            continue
        chain, p = {r.person}, r.parent
        while p in parent and p not in chain:
            chain.add(p)
            p = parent[p]
        if p in chain:
            problems.append((r.row, Problem(
                where, _("the phone tree loops back to this person"), r.parent)))
    return problems


def apply_roster(raw: dict[str, Any], imported: RosterImport
                 ) -> tuple[dict[str, Any], list[str]]:
    """The scenario mapping with its forces replaced by the imported roster (and the travel
    modes as mode shares where the kind's section has per-role behaviour), and notes on what
    else changed: assumptions about force sizes are dropped (the roster is now data)."""
    out = copy.deepcopy(raw)
    notes = []
    kept = []
    for a in out.get("assumptions") or []:
        path = str(a.get("path", "")) if isinstance(a, dict) else ""
        if path.startswith("forces."):
            notes.append(_("dropped the assumption on {path}: the imported roster gives "
                           "the members", path=path))
        else:
            kept.append(a)
    if "assumptions" in out:
        out["assumptions"] = kept
    out["forces"] = {role: {"by_grid": counts}
                     for role, counts in sorted(imported.by_grid().items(),
                                                key=lambda kv: ROLES.index(kv[0]))}
    modes: dict[str, Counter[str]] = {}
    for r in imported.rows:
        if r.mode:
            modes.setdefault(r.role, Counter())[r.mode] += 1
    for section in out.values():
        if not (isinstance(section, dict) and isinstance(section.get("default_role"), dict)):
            continue
        roles = section.setdefault("roles", {})
        for role, counter in modes.items():
            behaviour = copy.deepcopy(roles.get(role) or section["default_role"])
            total = sum(counter.values())
            behaviour["modes"] = {m: round(k / total, 4) for m, k in sorted(counter.items())}
            roles[role] = behaviour
    return out, notes


def role_counts(raw: dict[str, Any]) -> str:
    """``网格长 3, 民兵 5`` / ``grid head 3, militia 5``: the members per role of an imported
    scenario mapping (``forces.<role>.by_grid``)."""
    from sim.core.catalogue import role_label  # deferred: the catalogue imports the kinds

    return _list(_("{role} {n}", role=role_label(r), n=f"{sum(g['by_grid'].values()):,}")
                 for r, g in (raw.get("forces") or {}).items())


def plan_notes(raw: dict[str, Any]) -> list[str]:
    """Plans whose own force counts still replace imported roles (a planner should know)."""
    from sim.core.catalogue import role_label  # deferred: the catalogue imports the kinds

    return [_("plan {plan} still replaces roles {roles} with its own counts", plan=name,
              roles=_list(role_label(str(r)) for r in patch["forces"]))
            for name, patch in (raw.get("plans") or {}).items()
            if isinstance(patch, dict) and patch.get("forces")]


def roster_into(raw: dict[str, Any], grid_ids: list[str], data: bytes, filename: str
                ) -> tuple[dict[str, Any], RosterImport, list[str]]:
    """A spreadsheet's roster into a scenario mapping: (the new mapping, the import, notes for
    the planner). Any bad row raises :class:`ScenarioError` naming every bad row, and nothing
    comes back (nothing half-imported). The caller validates the new mapping."""
    rows, problems = read_rows(data, filename)
    if problems:
        raise ScenarioError(problems)
    imported = parse_roster(rows, grid_ids, filename)
    if not imported.ok:
        raise ScenarioError(imported.problems)
    new, changes = apply_roster(raw, imported)
    return new, imported, [*imported.notes, *changes, *plan_notes(new)]


def grids_into(raw: dict[str, Any], data: bytes, filename: str
               ) -> tuple[dict[str, Any], GridImport]:
    """A spreadsheet's grid list into a scenario mapping (all rows or nothing, like
    :func:`roster_into`)."""
    rows, problems = read_rows(data, filename)
    if problems:
        raise ScenarioError(problems)
    imported = parse_grids(rows, raw.get("grids") or [], filename)
    if not imported.ok:
        raise ScenarioError(imported.problems)
    return apply_grids(raw, imported), imported


def names_csv(imported: RosterImport, roster: list[Responder]) -> bytes:
    """``responder_id,name`` (UTF-8 with BOM, so Excel opens it in Chinese): only for a caller
    that was asked to keep the names; they never go into the scenario."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["responder_id", "name"])
    w.writerows(imported.names(roster))
    return buf.getvalue().encode("utf-8-sig")


def roster_table(roster: list[Responder], chinese: bool = True) -> list[list[Any]]:
    """A roster as a table (header first) that :func:`parse_roster` reads back."""
    header = ["编号", "角色", "网格"] if chinese else ["id", "role", "grid"]
    return [header] + [[r.id, ROLE_ZH[r.role] if chinese else r.role, r.grid] for r in roster]


# --- grids --------------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        v = float(text.replace(",", ""))
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_grids(rows: list[list[Any]], existing: list[dict[str, Any]] | None = None,
                source: str = "grids") -> GridImport:
    """Grid mappings for a scenario; a row without a centre keeps the location the scenario
    gives the grid of that id (node or centre)."""
    if not rows:
        return GridImport(problems=[Problem(source, _("the file is empty"))])
    cols, problems = _columns(rows[0], GRID_COLUMNS, source, ("id", "residents"))
    if problems:
        return GridImport(problems=problems)
    located = {str(g.get("id")): g for g in existing or [] if isinstance(g, dict)}
    grids: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    cell = functools.partial(_cell, cols)

    for n, r in _records(rows):
        where = functools.partial(row_path, source, n)
        gid = cell(r, "id")
        bad = False
        if not gid:
            problems.append(Problem(where("id"), _("no grid id")))
            bad = True
        elif gid in seen:
            problems.append(Problem(where("id"), _("the same grid as row {n}", n=seen[gid]),
                                    gid))
            bad = True
        else:
            seen[gid] = n
        g: dict[str, Any] = {"id": gid}
        # (a name the sheet leaves blank: the one the scenario gives the grid, if any)
        name = cell(r, "name_zh") or str((located.get(gid) or {}).get("name_zh") or "")
        if name:
            g["name_zh"] = name
        if cell(r, "village"):
            g["village"] = cell(r, "village")
        for col in ("residents", "households"):
            text = cell(r, col)
            if not text and col == "households":
                continue
            v = _number(text)
            if v is None or v < 0 or not float(v).is_integer():
                problems.append(Problem(where(col), _("must be a whole number ≥ 0"),
                                        text or _("(blank)")))
                bad = True
            else:
                g[col] = int(v)
        lon_t, lat_t, crs = cell(r, "lon"), cell(r, "lat"), cell(r, "crs").lower() or "wgs84"
        if lon_t or lat_t:
            lon, lat = _number(lon_t), _number(lat_t)
            if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
                problems.append(Problem(where("centre"), _("needs a longitude and a latitude "
                                                           "in degrees"), f"{lon_t}, {lat_t}"))
                bad = True
            elif crs not in CRS:
                problems.append(Problem(where("crs"),
                                        _("must be one of {expected}", expected=", ".join(CRS)),
                                        crs))
                bad = True
            else:
                g["lonlat"] = [lon, lat]
                if crs != "wgs84":
                    g["crs"] = crs
        elif gid in located:
            old = located[gid]
            g.update({k: old[k] for k in ("node", "centre", "lonlat", "crs") if k in old})
        elif gid:
            problems.append(Problem(where("centre"), _(
                "no centre longitude/latitude, and the scenario has no grid of this id to keep "
                "the location of")))
            bad = True
        if not bad:
            grids.append(g)
    if not grids and not problems:
        problems.append(Problem(source, _("no grids in the file (only a header row)")))
    return GridImport(grids, problems)


def apply_grids(raw: dict[str, Any], imported: GridImport) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    out["grids"] = copy.deepcopy(imported.grids)
    return out
