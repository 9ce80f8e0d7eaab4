"""Figures of a replay at one minute (matplotlib, Agg): the festival's crowd at checkpoints and
viewing points as sized markers on the town map. Returned, never shown or saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.graph import RoadNetwork
from sim.present.i18n import _
from sim.present.maps import PlaceValues, town_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

QUEUE_COLOR, SAFE_COLOR, OVER_COLOR = "tab:purple", "tab:green", "tab:red"


def crowd_map(network: RoadNetwork, places: Mapping[str, Sequence[tuple[str, str]]],
              crowd: pd.DataFrame, title: str = "",
              points: Mapping[str, tuple[np.ndarray, str]] | None = None,
              danger_ppm2: float | None = None, names: Mapping[str, str] | None = None
              ) -> Figure:
    """The town map with the bottleneck drawn at its place: a circle at each checkpoint (area in
    proportion to the people queueing) and at each viewing point (area in proportion to the
    density, red over the danger limit), each labelled with its number."""
    cps = crowd[crowd["type"] == "checkpoint"]
    vps = crowd[crowd["type"] == "viewing point"]
    layers = (
        PlaceValues({str(p): float(n) for p, n in zip(cps["place"], cps["people"], strict=True)},
                    _("people queueing at a checkpoint"), color=QUEUE_COLOR),
        PlaceValues({str(p): float(d) for p, d in zip(vps["place"], vps["density_ppm2"],
                                                      strict=True)},
                    _("people per m² at a viewing point (red: over the limit)"),
                    unit="/m²", color=SAFE_COLOR, limit=danger_ppm2, over_color=OVER_COLOR,
                    decimals=1),
    )
    return town_map(network, places, title=title, points=points, values=layers, names=names)
