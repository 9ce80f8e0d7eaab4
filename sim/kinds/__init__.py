"""The scenario kinds, one folder each with the same files (see CONTRIBUTING.md).

``BUNDLED`` is the registry line of each bundled kind: its name and the module that defines
its ``KIND`` (``sim.core.kind`` imports a kind only when it is first asked for).
"""

BUNDLED: dict[str, str] = {
    "muster": "sim.kinds.muster.kind",
    "evacuation": "sim.kinds.evacuation.kind",
    "festival": "sim.kinds.festival.kind",
}
