"""Admission: which client may start a query now, so that runaway queries cannot starve light ones.

Every query a client sends (``/sparql``, Graph Store reads) holds a query worker until it is
answered or its deadline passes. Without a limit, one client sending as many heavy queries as there
are workers (16 by default) would make every other client wait for a deadline. Two rules, as the
Wikidata Query Service and QLever keep light traffic moving:

1. **A cap per client** (``client_queries``, default 8): a client with that many queries running is
   answered 429 Too Many Requests (``Retry-After: 1``) for one more.
2. **Workers kept for newcomers** (``reserved_workers``, default 2): once only that many workers
   are left free, a client that already has a query running is answered 503 Service Busy
   (``Retry-After: 1``); a client with nothing running still gets one.

A client is an IP address with a User-Agent (a browser and a script on one machine are two
clients). Answers already kept (see ``AnswerCache``) and conditional requests answered 304 need no
worker, and are never refused.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from ..errors import ServiceBusyError, TooManyQueriesError

# The part of a User-Agent that names a client (the rest is ignored, and not kept).
USER_AGENT_CHARS = 200


class Admission:
    """Counts the queries running per client, and refuses one that would break a rule."""

    def __init__(self, per_client: int, capacity: int, reserved: int) -> None:
        self.per_client = per_client  # 0: no cap
        self.capacity = capacity
        self.reserved = min(reserved, max(0, capacity - 1))
        self._running: dict[str, int] = {}  # only clients with a query running: bounded
        self._total = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold a place for one query of ``client`` while the block runs."""
        with self._lock:
            mine = self._running.get(client, 0)
            if self.per_client and mine >= self.per_client:
                raise TooManyQueriesError(
                    f"this client already has {mine} queries running, as many as one client may "
                    "have at once here; wait for one to finish"
                )
            if mine and self.reserved and self._total >= self.capacity - self.reserved:
                raise ServiceBusyError(
                    "the server is busy: its last query workers are kept for clients with no "
                    "query running, and this client has one; try again when it has finished"
                )
            self._running[client] = mine + 1
            self._total += 1
        try:
            yield
        finally:
            with self._lock:
                self._total -= 1
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]

    def running(self, client: str | None = None) -> int:
        with self._lock:
            return self._total if client is None else self._running.get(client, 0)


def client_key(address: str | None, user_agent: str) -> str:
    """The name a client is counted under: its address and User-Agent."""
    return f"{address or '-'} {user_agent[:USER_AGENT_CHARS]}"
