"""A tiny fourth scenario kind, ``patrol``: responders walk a fixed route over the road network
and check in at each stop. It lives only under ``tests/`` and plugs in through the registry,
to prove that a kind needs no shared file edited (issue 12). Importing this package registers
it; ``SCENARIO`` is a small patrol scenario."""

from pathlib import Path

from sim.core.kind import register

register("patrol", "tests.kinds.patrol.kind")

SCENARIO = Path(__file__).with_name("patrol_town.yaml")
