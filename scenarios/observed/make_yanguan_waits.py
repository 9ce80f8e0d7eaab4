"""Writes yanguan_checkpoint_waits.csv: a SYNTHETIC festival log made by the model itself.

400 visitor groups drawn at random from the groups checked in one simulated day of the
``reported`` plan of ``tide_yanguan.yaml`` (seed 20230901, not the scenario's seed), with the
time they joined the queue, the checkpoint, their wait and their size. It stands in for a real
log (e.g. staff timing sampled cars and groups) to show the format and `gridmuster review`.

    .venv/bin/python scenarios/observed/make_yanguan_waits.py
"""

from pathlib import Path

from sim.run.experiments import plan_inputs
from sim.kinds.festival.review import sampled_log
from sim.core.scenario import load_scenario

HERE = Path(__file__).resolve().parent
SEED, ROWS = 20230901, 400

s = load_scenario(HERE.parent / "tide_yanguan.yaml")
text = sampled_log(plan_inputs(s.plan("reported")), SEED, ROWS)
(HERE / "yanguan_checkpoint_waits.csv").write_text(text, encoding="utf-8")
