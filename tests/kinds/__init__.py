"""Scenario kinds defined only for the tests (the worked example of CONTRIBUTING.md)."""
