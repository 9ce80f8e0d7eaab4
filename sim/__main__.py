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
    except KeyboardInterrupt:  # Ctrl-C while starting up: nothing was done, no traceback
        try:
            from sim.cli.common import say_interrupted  # deferred: only after a Ctrl-C

            say_interrupted()
        except BaseException:  # cut off mid-import, the words may not load: the code says it
            pass
        raise SystemExit(130) from None
    finally:
        gc.freeze()
        gc.enable()
    main()


if __name__ == "__main__":
    run()
