"""``python -m sim`` and the ``gridmuster`` command.

A command owns its process (``sim.run.gc_policy``), so its start-up may do what a library must
not: the cyclic garbage collector is kept off while the command's modules are imported (a few
hundred thousand objects that live as long as the process; collecting while they are made
walks them again and again, ~0.05 s of ``validate``), then they are frozen out of its reach
and it runs as usual for the command itself.
"""

from __future__ import annotations

import gc


def run() -> None:
    gc.disable()
    try:
        from sim.cli.main import main  # deferred: imported with the collector off (see above)
    finally:
        gc.freeze()
        gc.enable()
    main()


if __name__ == "__main__":
    run()
