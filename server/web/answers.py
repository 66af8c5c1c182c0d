"""Answers kept for repeated queries: a page's query, a client polling, a gallery example.

The answers of deterministic queries (the query worker says which: no ``RAND()``, ``NOW()``,
``UUID()``, ``STRUUID()``, ``BNODE()`` or ``SERVICE``) are kept, for the dataset version they were
computed on; a write changes the version, which empties the cache, so an answer is never stale.
Bounded in bytes (32 MiB by default, answers up to 1 MiB): each answer counts its size and a fixed
overhead for its entry, and keys are a digest of the job, never the query's text (which may be
megabytes long).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import current_app

from ..store.workers import Answer, Job
from .context import current_backend

CACHE_KEY = "ofsted_kg.answers"
# What an entry costs beside its answer's bytes (the key, the Answer, the dictionary's slot):
# counted, so that many tiny answers cannot hold more memory than the cache's size.
ENTRY_OVERHEAD = 256


def job_digest(job: Job) -> bytes:
    """What a job is kept under: a digest of everything that shapes its answer."""
    return hashlib.sha256(repr(job).encode("utf-8", "surrogatepass")).digest()


class AnswerCache:
    """The answers of recent deterministic queries, for the dataset version they were computed on.

    A write changes the version, which empties the cache, so an answer is never stale; a repeated
    query (a page's query, a client polling) is answered without a worker. Bounded in bytes:
    answers count their size, and keys (a digest of the job, see ``job_digest``) are small."""

    def __init__(self, max_bytes: int = 32 << 20, max_entry: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._entries: OrderedDict[tuple[str, bytes], Answer] = OrderedDict()
        self._size = 0
        self._version = ""
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: tuple[str, bytes], answer: Answer) -> None:
        if len(answer.data) > self.max_entry:
            return
        with self._lock:
            if key[0] != self._version:  # the data changed: nothing kept is current
                self._entries.clear()
                self._size = 0
                self._version = key[0]
            if key in self._entries:
                return
            self._entries[key] = answer
            self._size += len(answer.data) + ENTRY_OVERHEAD
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.data) + ENTRY_OVERHEAD

    def __len__(self) -> int:
        return len(self._entries)


def answer_cache() -> AnswerCache | None:
    """The app's answer cache; None when the backend's version does not follow every change of
    its data (a remote store others write to)."""
    if not current_backend().versions_follow_changes:
        return None
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(CACHE_KEY, AnswerCache())
    assert isinstance(cache, AnswerCache)
    return cache
