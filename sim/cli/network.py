"""``gridmuster network …``: real towns from OpenStreetMap, elevation, grids, and a map.

- ``import FILE --out town.graphml``: an OSM extract → the GraphML a scenario references.
- ``show town.graphml [--scenario S] [--out map.png]``: size, components, length, and the map.
- ``elevation town.graphml (--csv F | --xyz F | --constant Z) [--zones F]``: set elevation_m.
- ``grids GRIDS.geojson --network town.graphml``: GeoJSON polygons/points → a ``grids:`` list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
import yaml

from sim.cli.common import err_console, out_console, wrote
from sim.core.errors import Problem, ScenarioError, names_apart
from sim.core.names import CONTROL, control_rule
from sim.core.scenario import load_scenario
from sim.network import elevation as elev
from sim.network.geo import Projection, _one_line, centroid, inside, project_feature, read_geojson
from sim.network.graph import (
    LONLAT_NOTE,
    RoadNetwork,
    load_graphml,
    looks_lonlat,
    project_lonlat,
    read_raw_graphml,
)
from sim.network.osm import import_osm, parse_speed_overrides
from sim.network.places import DEFAULT_SNAP_LIMIT_M, Snap, far_snaps
from sim.present.i18n import _
from sim.present.maps import town_map
from sim.present.output import atomic_file

if TYPE_CHECKING:
    import networkx as nx

network_app = typer.Typer(help="Road networks of real towns: import from OpenStreetMap, "
                          "elevation, grids from GeoJSON, and a map.", no_args_is_help=True)

GraphArg = Annotated[Path, typer.Argument(help="road network GraphML (.graphml or .graphml.gz)",
                                          show_default=False, metavar="GRAPHML")]
SnapLimitOpt = Annotated[float, typer.Option(
    "--snap-limit", min=0, help="warn about places snapped farther than this from a road node (m)")]


def _read_raw(path: Path) -> nx.Graph:
    """A GraphML file with every attribute kept (for rewriting it), or a one-line problem."""
    load_graphml(path, str(path))  # the same checks as a scenario's network
    raw = read_raw_graphml(path, str(path))  # again, every attribute kept (within the limits)
    if looks_lonlat(raw):  # written back in metres, as a scenario would read it
        project_lonlat(raw)
        out_console.print(_(LONLAT_NOTE), highlight=False)
    return raw


def _write(g: nx.Graph, out: Path) -> None:
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(out) as tmp:
            nx.write_graphml(g, tmp)
        wrote(out)
    except OSError as exc:
        raise ScenarioError([Problem("--out", _("cannot write: {why}", why=_one_line(exc)),
                                     str(out))]) from None


@network_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="OpenStreetMap extract: .osm (XML, also .gz/.bz2) "
                                         "or .osm.pbf", show_default=False,
                                         metavar="OSM_FILE")],
    out: Annotated[Path, typer.Option("--out", help="GraphML to write (.graphml or "
                                      ".graphml.gz)", show_default=False)],
    mode: Annotated[str, typer.Option("--mode", help="drive, walk or all")] = "all",
    speed: Annotated[list[str] | None, typer.Option(
        "--speed", help="override a road class's default speed, e.g. residential=25 "
        "(repeatable)")] = None,
    no_maxspeed: Annotated[bool, typer.Option(
        "--no-maxspeed", help="ignore OSM maxspeed tags; use class speeds only")] = False,
    reader: Annotated[str, typer.Option(
        "--reader", help="auto (osmium for .pbf, the standard library for XML), osmium or stdlib")] = "auto",
) -> None:
    """Import an OpenStreetMap extract: largest connected component, in metres, with length,
    speed and travel time on every edge; writes GraphML a scenario can reference."""
    if reader not in ("auto", "osmium", "stdlib"):
        raise ScenarioError([Problem("--reader", _("must be auto, osmium or stdlib"), reader)])
    speeds = parse_speed_overrides(speed or [])
    g, rep = import_osm(file, mode, speeds, not no_maxspeed, reader)
    _write(g, out)
    for line in rep.lines():
        out_console.print(line, highlight=False)
    classes = ", ".join(f"{k} {v}" for k, v in list(rep.classes.items())[:8])
    out_console.print(_("ways by class: {classes}", classes=classes), highlight=False)
    out_console.print(_("wrote {path} (reference it in a scenario as network: {{graphml: "
                        "{name}}})", path=out, name=out.name), highlight=False)


def describe(network: RoadNetwork) -> list[str]:
    """Size, components, length, extent, elevation and projection of a road network."""
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    g = network.graph
    comps = sorted((len(c) for c in nx.connected_components(g)), reverse=True) if len(g) else []
    total = sum(d["length_m"] for _, _, d in g.edges(data=True))
    lines = [_("nodes: {nodes}, edges: {edges}", nodes=g.number_of_nodes(),
               edges=g.number_of_edges()),
             _("connected components: {n}", n=len(comps))
             + (_(" (largest {n} nodes)", n=comps[0]) if len(comps) > 1 else ""),
             _("total road length: {km} km", km=f"{total / 1000:.2f}")]
    if len(g):
        xy = network.xy
        span = xy.max(axis=0) - xy.min(axis=0)
        speeds = np.array([d["speed_kmh"] for _, _, d in g.edges(data=True)] or [0.0])
        elev = np.array([d["elevation_m"] for _, d in g.nodes(data=True) if "elevation_m" in d])
        lines += network.notes
        lines += [_("extent: {x} m × {y} m", x=f"{span[0]:.0f}", y=f"{span[1]:.0f}"),
                  _("road speeds: {low}–{high} km/h", low=f"{speeds.min():g}",
                    high=f"{speeds.max():g}"),
                  _("elevation_m: {low}–{high}", low=f"{elev.min():.2f}",
                    high=f"{elev.max():.2f}")
                  + (_(" ({k} of {n} nodes have none)", k=len(g) - elev.size, n=len(g))
                     if elev.size < len(g) else "")
                  if elev.size else _("elevation: none (set it with `gridmuster network "
                                      "elevation`; an evacuation needs it)")]
    proj = Projection.from_graph_attrs(g.graph)
    if proj is not None and not network.notes:
        lines.append(_("projection: local equirectangular about lon {lon}, lat {lat}",
                       lon=proj.lon0, lat=proj.lat0)
                     + (_("; source {source}", source=g.graph["source"])
                        if g.graph.get("source") else "")
                     + (_(", mode {mode}", mode=g.graph["mode"]) if g.graph.get("mode") else ""))
    if g.graph.get("attribution"):
        lines.append(_("data: {attribution}", attribution=g.graph["attribution"]))
    return lines


@network_app.command("show")
def show(
    graphml: GraphArg,
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help="draw this scenario's grids and places on the map")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="PNG to write [default: out/<file>-map.png]")] = None,
    snap_limit: SnapLimitOpt = DEFAULT_SNAP_LIMIT_M,
) -> None:
    """Print a road network's size, components and length; write a PNG map of it."""
    network = RoadNetwork(load_graphml(graphml, str(graphml)))
    for line in describe(network):
        out_console.print(line, highlight=False)
    places: dict[str, Any] = {}
    names: dict[str, str] = {}
    title = graphml.name
    if scenario is not None:
        s = load_scenario(scenario)
        places, names = s.places(), s.place_labels()
        title = f"{s.display_name()} — {graphml.name}"
        missing = sum(1 for items in places.values() for n, _ in items
                      if n not in network.index)
        if missing:
            err_console.print(_("warning: {n} places of {scenario} are not nodes of {network} "
                                "(the scenario uses another network?)", n=missing,
                                scenario=scenario, network=graphml.name),
                              markup=False, highlight=False)
        _print_snaps(s.snaps, snap_limit)
    path = out or Path("out") / f"{graphml.name.split('.')[0]}-map.png"
    fig = town_map(network, places, title=title, names=names)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as tmp:
            fig.savefig(tmp)
        wrote(path)
    except OSError as exc:
        raise ScenarioError([Problem("--out", _("cannot write: {why}", why=_one_line(exc)),
                                     str(path))]) from None
    out_console.print(_("wrote {path}", path=path), highlight=False)


def _print_snaps(snaps: list[Snap], limit: float) -> None:
    for s in far_snaps(snaps, limit):
        out_console.print(s.warning(limit), highlight=False, markup=False)


@network_app.command("elevation")
def elevation(
    graphml: GraphArg,
    csv: Annotated[Path | None, typer.Option(
        "--csv", help="CSV with elevation_m and node, or x,y, or lon,lat columns")] = None,
    xyz: Annotated[Path | None, typer.Option(
        "--xyz", help="XYZ text raster (x y z per line, a regular grid)")] = None,
    constant: Annotated[float | None, typer.Option(
        "--constant", help="the same elevation (m) everywhere")] = None,
    coords: Annotated[str, typer.Option(
        "--coords", help="raster coordinates: xy (the network's metres) or lonlat")] = "xy",
    zones: Annotated[Path | None, typer.Option(
        "--zones", help="GeoJSON polygons of low-lying zones (property elevation_m)")] = None,
    zone_elevation: Annotated[float, typer.Option(
        "--zone-elevation", help="elevation of zones without an elevation_m property")] = 0.0,
    out: Annotated[Path | None, typer.Option(
        "--out", help="GraphML to write [default: overwrite the input]")] = None,
) -> None:
    """Set every node's elevation_m from a CSV, an XYZ raster or a constant (+ low zones)."""
    given = [n for n, v in (("--csv", csv), ("--xyz", xyz), ("--constant", constant))
             if v is not None]
    if len(given) > 1 or (not given and zones is None):
        raise ScenarioError([Problem("--csv/--xyz/--constant", _("give exactly one source (and "
                                                               "optionally --zones)"),
                                     given or None)])
    if coords not in ("xy", "lonlat"):
        raise ScenarioError([Problem("--coords", _("must be xy or lonlat"), coords)])
    g = _read_raw(graphml)
    if csv is not None:
        rep = elev.from_csv(g, csv)
    elif xyz is not None:
        rep = elev.from_xyz(g, xyz, coords)
    elif constant is not None:
        rep = elev.constant(g, constant)
    else:
        nodes = list(g.nodes)
        rep = elev.ElevationReport(_("the file's elevations"), len(nodes), len(nodes))
    if zones is not None:
        rep = elev.apply_zones(g, zones, rep, zone_elevation)
    target = out or graphml
    _write(g, target)
    for line in rep.lines():
        out_console.print(line, highlight=False)
    out_console.print(_("wrote {path}", path=target), highlight=False)


@network_app.command("grids")
def grids(
    geojson: Annotated[Path, typer.Argument(help="GeoJSON of grids: polygons or points",
                                            show_default=False, metavar="GEOJSON")],
    network_file: Annotated[Path, typer.Option(
        "--network", help="the road network GraphML the grids lie on", show_default=False)],
    id_field: Annotated[str, typer.Option(
        "--id-field", help="the property with the grid's id")] = "id",
    residents_field: Annotated[str, typer.Option(
        "--residents-field", help="the property with the grid's residents")] = "residents",
    households_field: Annotated[str, typer.Option(
        "--households-field", help="the property with the grid's households")] = "households",
    village_field: Annotated[str, typer.Option(
        "--village-field", help="the property with the grid's village")] = "village",
    name_zh_field: Annotated[str, typer.Option(
        "--name-zh-field", help="the property with the grid's name in Chinese")] = "name_zh",
    out: Annotated[Path | None, typer.Option(
        "--out", help="YAML file to write [default: print]")] = None,
    snap_limit: SnapLimitOpt = DEFAULT_SNAP_LIMIT_M,
) -> None:
    """Convert grids drawn as GeoJSON polygons (or points) into a scenario's `grids:` list.

    Each grid's centre is its polygon's centroid (or, if that falls outside the polygon, the
    road node inside it nearest the centroid), in the network's metres; grids whose centre is
    far from any road are listed as warnings."""
    network = RoadNetwork(load_graphml(network_file, str(network_file)))
    proj = Projection.from_graph_attrs(network.graph.graph)
    feats = read_geojson(geojson, "grids GeoJSON")
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    snaps: list[Snap] = []
    empty: list[str] = []
    named: list[tuple[int, str, str]] = []  # (feature, grid id, its Chinese name)
    for f in feats:
        where = f"{geojson}: features[{f.index}].properties"
        props = f.properties
        gid = str(props.get(id_field) or f"G{f.index + 1:02d}")
        # (Ids and names go into the scenario and onto the terminal: see names.CONTROL.)
        bad = [k for k in (id_field, village_field, name_zh_field)
               if isinstance(props.get(k), str) and CONTROL.search(props[k])]
        if bad:
            problems += [Problem(f"{where}.{k}", control_rule(), props[k]) for k in bad]
            continue
        try:
            residents = int(props[residents_field])
            households = int(props.get(households_field) or 0)
            if residents < 0 or households < 0:
                raise ValueError
        except KeyError:
            problems.append(Problem(f"{where}.{residents_field}",
                                    _("required property is missing")))
            continue
        except (TypeError, ValueError):
            problems.append(Problem(where, _("{residents}/{households} must be whole numbers ≥ 0",
                                                  residents=residents_field,
                                                  households=households_field)))
            continue
        pf = project_feature(f, proj)
        cx, cy = centroid(pf)
        if pf.kind == "polygon":
            in_poly = inside(pf, network.xy)
            if not in_poly.any():
                empty.append(gid)
            elif not inside(pf, np.array([[cx, cy]]))[0]:
                idx = np.flatnonzero(in_poly)
                k = idx[np.argmin(np.hypot(*(network.xy[idx] - [cx, cy]).T))]
                cx, cy = network.xy[k]
        node, dist = network.snap(cx, cy)
        snaps.append(Snap(f"grids[{len(rows)}] ({gid})", node, dist))
        row: dict[str, Any] = {"id": gid}
        if props.get(name_zh_field):
            row["name_zh"] = str(props[name_zh_field])
        row["residents"] = residents
        if households:
            row["households"] = households
        if props.get(village_field):
            row["village"] = str(props[village_field])
        row["centre"] = [round(float(cx), 1), round(float(cy), 1)]
        rows.append(row)
        named.append((f.index, gid, row.get("name_zh", "")))
    # Two grids shown alike in 中文 would be one row of every per-grid table: refused by
    # feature here, as the scenario would refuse them (``errors.names_apart``).
    problems += names_apart(named, f"{geojson}: features",
                            field=f"properties.{name_zh_field}")
    if problems:
        raise ScenarioError(problems)
    text = yaml.safe_dump({"grids": rows}, allow_unicode=True, sort_keys=False,
                          default_flow_style=None, width=100)
    header = (f"# grids from {geojson.name} on {network_file.name}: centre [x, y] in the "
              "network's metres\n")
    if out is None:
        print(header + text, end="")
    else:
        try:
            with atomic_file(out) as tmp:
                tmp.write_text(header + text, encoding="utf-8")
            wrote(out)
        except OSError as exc:
            raise ScenarioError([Problem("--out", _("cannot write: {why}", why=_one_line(exc)),
                                         str(out))]) from None
        err_console.print(_("wrote {n} grids to {path}", n=len(rows), path=out), highlight=False)
    for s in far_snaps(snaps, snap_limit):
        err_console.print(s.warning(snap_limit), markup=False, highlight=False)
    for gid in empty:
        err_console.print(_("warning: grid {id}: no road node inside its polygon", id=gid),
                          markup=False, highlight=False)
