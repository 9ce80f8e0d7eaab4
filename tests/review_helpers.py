"""Small scenarios and model-made logs for the review tests: the same ones the verification
case of the review's size uses (``sim.verify.review_size``), so the tests and the V&V report
speak of one town and one way of writing a drill's log."""

from __future__ import annotations

from sim.verify.review_size import drill_logs as muster_logs
from sim.verify.review_size import small_town

__all__ = ["muster_logs", "small_town"]
