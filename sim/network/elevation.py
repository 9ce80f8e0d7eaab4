"""Ground elevation of road nodes (``elevation_m``), for flooding: three sources.

- a CSV: ``node,elevation_m`` (OSM node ids), or ``x,y,elevation_m`` (metres, the network's
  coordinates) or ``lon,lat,elevation_m`` (scattered survey points): each node takes the value
  of the nearest point;
- an XYZ text raster (GDAL's "XYZ" format: ``x y z`` per line, a regular grid, space- or
  comma-separated, in the network's metres or with ``coords="lonlat"`` in degrees): bilinear
  interpolation, nodes outside the raster take the nearest edge value (and are counted);
- a constant, optionally with low-lying zones as GeoJSON polygons (lon/lat), each with an
  ``elevation_m`` property (or the ``low_elevation_m`` default).

Zones are applied last, on top of any source, so a CSV or raster can be corrected locally.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import Problem, ScenarioError
from sim.network.geo import Projection, _one_line, inside, project_feature, read_geojson
from sim.present.i18n import _

if TYPE_CHECKING:
    import networkx as nx

_ELEV_COLS = ("elevation_m", "elevation", "z", "ele")


@dataclass
class ElevationReport:
    source: str
    nodes: int
    assigned: int
    outside: int = 0  # raster: nodes outside its extent; CSV by id: nodes missing from it
    max_snap_m: float = 0.0  # CSV points: farthest node from its nearest point
    in_zones: int = 0
    low: float = 0.0
    median: float = 0.0
    high: float = 0.0

    def lines(self) -> list[str]:
        out = [_("elevation from {source}: {assigned} of {nodes} nodes", source=self.source,
                 assigned=self.assigned, nodes=self.nodes)]
        if self.outside:
            out.append(_("warning: {n} nodes outside the source's extent or missing from it "
                         "(nearest value used, or left unchanged)", n=self.outside))
        if self.max_snap_m:
            out.append(_("farthest node from its nearest elevation point: {m} m",
                         m=f"{self.max_snap_m:.0f}"))
        if self.in_zones:
            out.append(_("{n} nodes inside low-lying zones", n=self.in_zones))
        out.append(_("elevation_m: min {low}, median {median}, max {high}", low=f"{self.low:.2f}",
                     median=f"{self.median:.2f}", high=f"{self.high:.2f}"))
        return out


def _xy(g: nx.Graph) -> tuple[list[str], np.ndarray]:
    nodes = list(g.nodes)
    return nodes, np.array([(float(g.nodes[n]["x"]), float(g.nodes[n]["y"])) for n in nodes])


def _projection(g: nx.Graph, source: str) -> Projection:
    proj = Projection.from_graph_attrs(g.graph)
    if proj is None:
        raise ScenarioError([Problem(source, _("lon/lat coordinates need a network imported with "
                                       "`gridmuster network import` (it has no lon0/lat0)"))])
    return proj


def _float(v: str) -> float:
    x = float(v)
    if not math.isfinite(x):
        raise ValueError(v)
    return x


def from_csv(g: nx.Graph, path: Path) -> ElevationReport:
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, _("elevation CSV not found"))])
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError([Problem(name, _("not a readable CSV: {why}", why=_one_line(exc)))]) from None
    cols = {c.strip().lower(): c for c in (rows[0].keys() if rows else []) if c}
    ecol = next((cols[c] for c in _ELEV_COLS if c in cols), None)
    if ecol is None:
        raise ScenarioError([Problem(name, _("needs a header with an elevation_m column and "
                                       "node, or x,y, or lon,lat columns"))])
    nodes, xy = _xy(g)
    values = np.array([float(g.nodes[n].get("elevation_m", 0.0)) for n in nodes])
    rep = ElevationReport(name, len(nodes), 0)
    try:
        if "node" in cols:
            by_id = {str(r[cols["node"]]).strip(): _float(r[ecol]) for r in rows}
            for i, n in enumerate(nodes):
                if n in by_id:
                    values[i] = by_id[n]
                    rep.assigned += 1
            rep.outside = len(nodes) - rep.assigned
        else:
            if "x" in cols and "y" in cols:
                pts = np.array([(_float(r[cols["x"]]), _float(r[cols["y"]])) for r in rows])
            elif "lon" in cols and "lat" in cols:
                lon = np.array([_float(r[cols["lon"]]) for r in rows])
                lat = np.array([_float(r[cols["lat"]]) for r in rows])
                pts = np.column_stack(_projection(g, name).forward(lon, lat))
            else:
                raise ScenarioError([Problem(name, _("needs node, or x,y, or lon,lat columns"))])
            z = np.array([_float(r[ecol]) for r in rows])
            from scipy.spatial import cKDTree  # deferred: scipy (elevation rasters only)

            dist, idx = cKDTree(pts).query(xy)
            values = z[idx]
            rep.assigned = len(nodes)
            rep.max_snap_m = float(dist.max()) if len(dist) else 0.0
    except (TypeError, ValueError) as exc:
        raise ScenarioError([Problem(name, _("non-numeric value: {why}", why=_one_line(exc)))]) from None
    _store(g, nodes, values, rep)
    return rep


def read_xyz(path: Path) -> np.ndarray:
    """Rows of (x, y, z) from an XYZ text raster (a header line is skipped)."""
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, _("XYZ raster not found"))])
    rows = []
    try:
        with open(path, encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                parts = line.replace(",", " ").replace(";", " ").split()
                if not parts:
                    continue
                try:
                    rows.append([_float(p) for p in parts[:3]] if len(parts) >= 3 else [])
                except ValueError:
                    if k == 0:
                        continue  # a header
                    raise
                if len(rows[-1]) != 3:
                    raise ValueError(_("line {n}: expected x y z", n=k + 1))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioError([Problem(name, _("not a readable XYZ raster: {why}",
                                                   why=_one_line(exc)))]
                            ) from None
    if not rows:
        raise ScenarioError([Problem(name, _("the XYZ raster is empty"))])
    return np.array(rows, float)


def from_xyz(g: nx.Graph, path: Path, coords: str = "xy") -> ElevationReport:
    name = str(path)
    data = read_xyz(path)
    xs, ys = np.unique(data[:, 0]), np.unique(data[:, 1])
    if len(xs) * len(ys) != len(data) or len(xs) < 2 or len(ys) < 2:
        raise ScenarioError([Problem(name, _("not a regular grid ({points} points, {xs} x values, "
                                       "{ys} y values); give scattered points as a CSV",
                                       points=len(data), xs=len(xs), ys=len(ys)))])
    grid = np.full((len(xs), len(ys)), np.nan)
    grid[np.searchsorted(xs, data[:, 0]), np.searchsorted(ys, data[:, 1])] = data[:, 2]
    nodes, xy = _xy(g)
    if coords == "lonlat":
        lon, lat = _projection(g, name).inverse(xy[:, 0], xy[:, 1])
        q = np.column_stack([lon, lat])
    else:
        q = xy
    outside = ((q[:, 0] < xs[0]) | (q[:, 0] > xs[-1]) | (q[:, 1] < ys[0]) | (q[:, 1] > ys[-1]))
    q = np.column_stack([np.clip(q[:, 0], xs[0], xs[-1]), np.clip(q[:, 1], ys[0], ys[-1])])
    from scipy.interpolate import RegularGridInterpolator  # deferred: scipy (elevation rasters only)

    values = RegularGridInterpolator((xs, ys), grid, method="linear")(q)
    rep = ElevationReport(name, len(nodes), len(nodes), outside=int(outside.sum()))
    _store(g, nodes, values, rep)
    return rep


def constant(g: nx.Graph, value: float) -> ElevationReport:
    nodes = list(g.nodes)
    rep = ElevationReport(_("constant {value} m", value=f"{value:g}"), len(nodes),
                          len(nodes))
    _store(g, nodes, np.full(len(nodes), float(value)), rep)
    return rep


def apply_zones(g: nx.Graph, path: Path, rep: ElevationReport, low_elevation_m: float = 0.0
                ) -> ElevationReport:
    """Set nodes inside each polygon to its ``elevation_m`` property (or the default)."""
    proj = Projection.from_graph_attrs(g.graph)
    feats = read_geojson(path, "low-lying zones GeoJSON")
    nodes, xy = _xy(g)
    values = np.array([float(g.nodes[n].get("elevation_m", 0.0)) for n in nodes])
    hit = np.zeros(len(nodes), bool)
    for f in feats:
        if f.kind != "polygon":
            continue
        m = inside(project_feature(f, proj), xy)
        try:
            z = float(f.properties.get("elevation_m", low_elevation_m))
        except (TypeError, ValueError):
            raise ScenarioError([Problem(f"{path}: features[{f.index}].properties.elevation_m",
                                         _("must be a number"))]) from None
        values[m] = z
        hit |= m
    rep.in_zones = int(hit.sum())
    rep.source += _(" + zones {path}", path=path)
    _store(g, nodes, values, rep)
    return rep


def _store(g: nx.Graph, nodes: list[str], values: np.ndarray, rep: ElevationReport) -> None:
    if len(values) and not np.all(np.isfinite(values)):
        raise ScenarioError([Problem(rep.source, _("elevation source gives non-finite values "
                                       "(gaps in the raster?)"))])
    for n, v in zip(nodes, values, strict=True):
        g.nodes[n]["elevation_m"] = round(float(v), 3)
    if len(values):
        rep.low, rep.median, rep.high = (float(np.min(values)), float(np.median(values)),
                                         float(np.max(values)))
