"""Coordinates for real towns: a local metric projection, GeoJSON reading, polygons.

Road networks imported from OpenStreetMap are projected to metres with a local equirectangular
projection about the extract's centre (``lon0``, ``lat0``, stored as GraphML graph attributes):

    x = R · (lon − lon0) · cos(lat0),   y = R · (lat − lat0)     (R = 6,371,008.8 m)

Over a town (a few km) its distance error is well under 0.1 %; edge lengths themselves are
great-circle (haversine) distances between consecutive OSM nodes, not projected ones.
No GIS library is needed: polygons are tested with matplotlib's ``Path``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.errors import Problem, ScenarioError
from sim.present.i18n import N_, _

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Projection:
    """Local equirectangular projection about (lon0, lat0); x east, y north, in metres."""

    lon0: float
    lat0: float

    @property
    def _kx(self) -> float:
        return EARTH_RADIUS_M * math.radians(1.0) * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return EARTH_RADIUS_M * math.radians(1.0)

    def forward(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        return ((np.asarray(lon, float) - self.lon0) * self._kx,
                (np.asarray(lat, float) - self.lat0) * self._ky)

    def inverse(self, x: Any, y: Any) -> tuple[Any, Any]:
        return (np.asarray(x, float) / self._kx + self.lon0,
                np.asarray(y, float) / self._ky + self.lat0)

    def attrs(self) -> dict[str, Any]:
        return {"crs": "local equirectangular, metres (see sim/network/geo.py)", "lon0": self.lon0,
                "lat0": self.lat0}

    @classmethod
    def from_graph_attrs(cls, attrs: dict[str, Any]) -> Projection | None:
        try:
            return cls(float(attrs["lon0"]), float(attrs["lat0"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class Feature:
    """A GeoJSON feature reduced to what gridmuster uses: rings or a point, and properties."""

    index: int
    kind: str  # "polygon" or "point"
    rings: list[np.ndarray] = field(default_factory=list)  # outer rings (lon/lat or x/y)
    holes: list[np.ndarray] = field(default_factory=list)
    point: tuple[float, float] | None = None
    properties: dict[str, Any] = field(default_factory=dict)


# What read_geojson is given to read, said in its messages (translated there).
GEOJSON_WHATS = (N_("GeoJSON file"), N_("grids GeoJSON"), N_("low-lying zones GeoJSON"))


def read_geojson(path: Path, what: str = "GeoJSON file") -> list[Feature]:
    """Polygons, MultiPolygons and Points of a GeoJSON FeatureCollection (or one Feature)."""
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, _("{what} not found", what=_(what)))])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError([Problem(name, _("not a readable {what}: {why}", what=_(what),
                                             why=_one_line(exc)))]) from None
    feats = data.get("features") if isinstance(data, dict) else None
    if feats is None and isinstance(data, dict) and data.get("type") == "Feature":
        feats = [data]
    if not isinstance(feats, list):
        raise ScenarioError([Problem(name, _("not a GeoJSON FeatureCollection ({what})",
                                             what=_(what)))])
    out: list[Feature] = []
    problems: list[Problem] = []
    for i, f in enumerate(feats):
        where = f"{name}: features[{i}]"
        geom = f.get("geometry") if isinstance(f, dict) else None
        props = (f.get("properties") or {}) if isinstance(f, dict) else {}
        gtype = geom.get("type") if isinstance(geom, dict) else None
        coords: Any = geom.get("coordinates") if isinstance(geom, dict) else None
        try:
            if gtype == "Point":
                out.append(Feature(i, "point", point=(float(coords[0]), float(coords[1])),
                                   properties=props))
            elif gtype in ("Polygon", "MultiPolygon"):
                polys = [coords] if gtype == "Polygon" else list(coords)
                feat = Feature(i, "polygon", properties=props)
                for poly in polys:
                    feat.rings.append(np.asarray(poly[0], dtype=np.float64)[:, :2])
                    feat.holes.extend(np.asarray(h, dtype=np.float64)[:, :2] for h in poly[1:])
                out.append(feat)
            else:
                problems.append(Problem(where, "geometry must be a Polygon, MultiPolygon or "
                                        "Point", gtype))
        except (TypeError, ValueError, IndexError):
            problems.append(Problem(where, "malformed coordinates"))
    if problems:
        raise ScenarioError(problems)
    return out


def project_feature(f: Feature, proj: Projection | None) -> Feature:
    """The feature in metres: GeoJSON is lon/lat (RFC 7946); with no projection, as given."""
    if proj is None:
        return f

    def p(a: np.ndarray) -> np.ndarray:
        x, y = proj.forward(a[:, 0], a[:, 1])
        return np.column_stack([x, y])

    pt = None
    if f.point is not None:
        x, y = proj.forward(f.point[0], f.point[1])
        pt = (float(x), float(y))
    return Feature(f.index, f.kind, [p(r) for r in f.rings], [p(h) for h in f.holes], pt,
                   f.properties)


def inside(f: Feature, xy: np.ndarray) -> np.ndarray:
    """Which points (n × 2) fall inside the polygon feature (holes excluded)."""
    from matplotlib.path import Path as MplPath  # deferred: matplotlib (figures only)

    mask = np.zeros(len(xy), bool)
    for r in f.rings:
        mask |= MplPath(r).contains_points(xy)
    for h in f.holes:
        mask &= ~MplPath(h).contains_points(xy)
    return mask


def ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Area (absolute) and centroid of a closed or open ring (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + x1) * cross).sum() / (6 * a)
    cy = ((y + y1) * cross).sum() / (6 * a)
    return abs(float(a)), float(cx), float(cy)


def centroid(f: Feature) -> tuple[float, float]:
    """A point feature's point, or the area centroid of its largest ring."""
    if f.point is not None:
        return f.point
    best = max((ring_area_centroid(r) for r in f.rings), key=lambda t: t[0])
    return best[1], best[2]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
