"""Writes yanguan_checkpoint_waits.csv: a SYNTHETIC festival log made by the model itself.

400 visitor groups drawn at random from the groups checked in one simulated day of the
``reported`` plan of ``tide_yanguan.yaml`` (seed 20230901, not the scenario's seed), with the
time they joined the queue, the checkpoint, their wait and their size. It stands in for a real
log (e.g. staff timing sampled cars and groups) to show the format and `gridmuster review`.

    .venv/bin/python scenarios/observed/make_yanguan_waits.py
"""

from pathlib import Path

import numpy as np

from sim.experiments import plan_inputs
from sim.festival.model import checked_groups
from sim.rng import replication_key
from sim.scenario import load_scenario

HERE = Path(__file__).resolve().parent
SEED, ROWS = 20230901, 400

s = load_scenario(HERE.parent / "tide_yanguan.yaml")
inp = plan_inputs(s.plan("reported"))
g, cr = checked_groups(inp, replication_key(SEED, 0))
ok = np.flatnonzero((cr.cp >= 0) & (cr.start <= inp.horizon))
ok = np.sort(np.random.default_rng(SEED).choice(ok, ROWS, replace=False))
lines = ["t_min,checkpoint,wait_min,people"]
lines += [f"{cr.arrival[i]:.2f},{inp.cp_ids[cr.cp[i]]},{cr.start[i] - cr.arrival[i]:.3f},"
          f"{g.size[i]}" for i in ok]
(HERE / "yanguan_checkpoint_waits.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
