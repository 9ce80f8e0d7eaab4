"""Rainstorm evacuation: flooding roads, door-to-door warning, escorts and shelters."""
