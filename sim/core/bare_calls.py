"""Processing SimPy events in a model's own event loop.

The evacuation and festival models put bare calls ``(fn, a, b)`` on SimPy's queue beside its
events (cheaper than a process step) and so run the queue in their own loops. How a SimPy event
is processed there must stay exactly what ``simpy.Environment.step`` does: it is here once."""

from __future__ import annotations

from typing import Any


def fire(event: Any) -> None:
    """Run a SimPy event just taken off the queue, as ``Environment.step`` does: its callbacks,
    then a failure nobody handled raised again (with the original as its cause)."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
