"""Chinese web-map coordinates: GCJ-02 and BD-09 against the reference implementations'
published points, inverses within a metre inside China, identity outside, and scenarios that
give ``crs:`` beside ``lonlat`` snapping to the right road node."""

from __future__ import annotations

import itertools

import pytest

from sim.core.errors import ScenarioError
from sim.core.scenario import parse_scenario
from sim.network.coords import (
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from sim.network.geo import haversine_m
from tests.helpers import LONLAT, fixed_muster, osmnx_like

# (wgs lat, wgs lon, gcj lat, gcj lon): the test points every eviltransform port ships
# (Shanghai, Shenzhen, Beijing), to the last digit.
GCJ_REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
# BD-09 ↔ GCJ-02 at (116.404, 39.915), the example of the widely ported `coordtransform`
# (its README and test suites): (function, input lon/lat, output lon/lat).
BD_REFERENCE = [
    (bd09_to_gcj02, (116.404, 39.915), (116.39762729119315, 39.90865673957631)),
    (gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    (wgs84_to_gcj02, (116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]


@pytest.mark.parametrize("wlat, wlon, glat, glon", GCJ_REFERENCE)
def test_wgs84_to_gcj02_matches_reference_points(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9) and lat == pytest.approx(glat, abs=1e-9)
    back = gcj02_to_wgs84(glon, glat)
    assert haversine_m(*back, wlon, wlat) < 0.01  # a centimetre


@pytest.mark.parametrize("fn, given, want", BD_REFERENCE)
def test_bd09_matches_reference_points(fn, given, want):
    got = fn(*given)
    assert got == pytest.approx(want, abs=1e-12)


def test_round_trips_are_within_a_metre_across_china():
    lons = [73.5, 87.6, 100.0, 105.0, 113.3, 120.6, 126.6, 134.7]
    lats = [18.3, 22.5, 30.4, 36.1, 43.8, 53.4]
    for lon, lat in itertools.product(lons, lats):
        for crs in ("gcj02", "bd09"):
            there = from_wgs84(lon, lat, crs)
            assert haversine_m(*there, lon, lat) > 1.0  # really offset inside China
            assert haversine_m(*to_wgs84(*there, crs), lon, lat) < 1.0
        assert haversine_m(*bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), lon, lat) < 1.0


@pytest.mark.parametrize("lon, lat", [(-0.1276, 51.5072), (151.2093, -33.8688),
                                      (-104.9903, 39.7392), (139.6917, 35.6895)])
def test_outside_china_nothing_moves(lon, lat):
    for crs in ("wgs84", "gcj02", "bd09"):
        assert to_wgs84(lon, lat, crs) == (lon, lat)
        assert from_wgs84(lon, lat, crs) == (lon, lat)


def _town(tmp_path, place):
    osmnx_like(tmp_path / "town.graphml")
    data = fixed_muster("town.graphml")
    data["grids"] = [{"id": "G1", "node": "1001", "residents": 100}]
    data["muster"]["assembly_points"] = [{"id": "AP", "desks": 1, **place}]
    return data


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_a_place_read_off_a_chinese_web_map_snaps_to_its_node(tmp_path, crs):
    lon, lat = from_wgs84(*LONLAT["1003"], crs)  # where the web map shows node 1003
    s = parse_scenario(_town(tmp_path, {"lonlat": [lon, lat], "crs": crs}), tmp_path)
    assert s.model.muster.assembly_points[0].node == "1003"
    assert s.snaps[0].distance_m < 1.0
    # The same numbers taken as WGS-84 land hundreds of metres away.
    s84 = parse_scenario(_town(tmp_path, {"lonlat": [lon, lat]}), tmp_path)
    assert s84.snaps[0].distance_m > 200


def test_a_grid_centre_accepts_crs(tmp_path):
    data = _town(tmp_path, {"node": "1001"})
    lon, lat = from_wgs84(*LONLAT["1002"], "gcj02")
    data["grids"] = [{"id": "G1", "lonlat": [lon, lat], "crs": "gcj02", "residents": 100}]
    s = parse_scenario(data, tmp_path)
    assert s.network().snap(*s.model.grids[0].centre)[0] == "1002"
    assert s.network().snap(*s.model.grids[0].centre)[1] < 1.0


def test_unknown_crs_and_crs_without_lonlat_are_field_problems(tmp_path):
    data = _town(tmp_path, {"lonlat": [120.6, 30.4], "crs": "wgs-84"})
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    assert str(exc.value.problems[0]).startswith(
        "muster.assembly_points[0].crs: must be one of wgs84, gcj02, bd09")
    data = _town(tmp_path, {"xy": [0.0, 0.0], "crs": "gcj02"})
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    assert str(exc.value.problems[0]).startswith(
        "muster.assembly_points[0].crs: only goes with lonlat")
