"""A small bounded least-recently-used cache, for values that are expensive to build and
keyed by a content digest (a road network, a plan's inputs).

Explicit rather than ``functools.lru_cache``: the owner names its bound, can clear it, and
tests can see its size. Not thread-safe beyond what a dict gives: a value may be built twice
by two threads at once, never stored wrongly (the key says what the value is).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """At most ``maxsize`` values; the least recently used goes first."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under ``key``, made by ``make()`` (and kept) when missing."""
        try:
            value = self._items[key]
        except KeyError:
            self.misses += 1
            value = make()
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return value
        self.hits += 1
        self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def clear(self) -> None:
        self._items.clear()
