"""Rendered bodies of the pages and descriptions, kept per dataset version.

A write makes a new version, and ``context.kept`` a new cache for it: nothing goes stale, and the
old version's bodies go with it. Within a version the oldest bodies go first, past
``BODY_CACHE_ENTRIES`` bodies or ``BODY_CACHE_BYTES`` bytes; a body over ``BODY_CACHE_LARGEST``
is never kept. ``BODY_CACHE_ENTRIES = 0`` turns the cache off (``benchmarks/pages.py`` does).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..context import kept

BODY_CACHE_ENTRIES = 256
BODY_CACHE_LARGEST = 4 * 1024 * 1024
BODY_CACHE_BYTES = 32 * 1024 * 1024  # bodies and keys, all told

Slot = tuple[str, ...]  # what a body depends on besides the version: host root, key, variant


def slot_size(slot: Slot, data: bytes) -> int:
    return len(data) + sum(len(part) for part in slot)


@dataclass
class BodyCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    bodies: OrderedDict[Slot, bytes] = field(default_factory=OrderedDict)
    size: int = 0

    def get(self, slot: Slot) -> bytes | None:
        with self.lock:
            found = self.bodies.get(slot)
            if found is not None:
                self.bodies.move_to_end(slot)
            return found

    def put(self, slot: Slot, data: bytes) -> None:
        """Keep a body; the oldest go past the count or the bytes."""
        with self.lock:
            if slot in self.bodies:
                return
            self.bodies[slot] = data
            self.size += slot_size(slot, data)
            while len(self.bodies) > BODY_CACHE_ENTRIES or self.size > BODY_CACHE_BYTES:
                old_slot, old = self.bodies.popitem(last=False)
                self.size -= slot_size(old_slot, old)


def cached_body(slot: Slot, make: Callable[[], str | bytes]) -> bytes:
    """The body for ``slot`` in the version being served: kept, or made by ``make`` (and kept)."""
    cache = kept("linked_data.bodies", BodyCache)
    found = cache.get(slot)
    if found is not None:
        return found
    made = make()
    data = made.encode("utf-8") if isinstance(made, str) else made
    if BODY_CACHE_ENTRIES and len(data) <= BODY_CACHE_LARGEST:
        cache.put(slot, data)
    return data
