"""Scenario loading and what every kind shares.

Config, errors, forces, delays, random streams, injects, results and the kind registry."""
