"""The fuzz suite: requests drawn by ``fuzzing.requests()`` (queries, updates, Graph Store bodies in
every format, paths, headers, methods) sent over HTTP to a real ``ofsted-kg serve`` with an update
token, on a small built store. Every answer must be below 500 or a documented 503/504 (a deadline, a
busy server); afterwards the server must be alive, answer a light query, and its web process must
have grown by less than 300 MB.

Bounded in time for CI (``FUZZ_EXAMPLES`` requests); ``benchmarks/fuzz.py`` runs the same
requests for as long as it is asked to, and reports the figures in ``benchmarks/README.md``.
"""

from __future__ import annotations

import http.client
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import fuzzing
import pytest
from fuzzing import TOKEN, Probe, acceptable, requests
from hypothesis import HealthCheck, Phase, given, settings
from serving import Server, serving

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("clean_environment")]

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1500"))
MEMORY_GROWTH_MIB = 300


def send(server: Server, probe: Probe, timeout: float = 120) -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return fuzzing.send(host, int(port), probe, timeout)


@pytest.fixture(scope="module")
def server(built_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A built store (the valid fixture tree: ontology, shapes, inferred graph, so writes are
    reasoned over and checked, in a fraction of a second each), served with a token and a short
    deadline. ``benchmarks/fuzz.py`` runs against the real graph."""
    store = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(built_once, store)
    with serving(
        store, "--update-token", TOKEN, "--query-timeout", "5", "--write-timeout", "60"
    ) as served:
        yield served


@pytest.fixture(scope="module")
def seen() -> Counter[int]:
    return Counter()


def test_fuzzed_requests_answer_no_undocumented_5xx(server: Server, seen: Counter[int]) -> None:
    start = server.memory_mib()

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(probe=requests())
    def probe_once(probe: Probe) -> None:
        try:
            status, body = send(server, probe)
        except (http.client.InvalidURL, ValueError, UnicodeEncodeError):
            return  # not expressible in HTTP/1.1: nothing to send
        seen[status] += 1
        assert acceptable(status, body), f"{status} {body[:300]!r} for {probe.describe()}"
        assert server.alive(), f"the server died on {probe.describe()}"

    probe_once()
    print(f"statuses: {dict(sorted(seen.items()))}")
    assert server.alive()
    status, body = send(server, Probe("GET", "/sparql?query=ASK%7B%7D"))
    assert status == 200, body
    grown = server.memory_mib() - start
    assert grown < MEMORY_GROWTH_MIB, f"the web process grew by {grown:.0f} MiB"
    assert sum(seen.values()) >= FUZZ_EXAMPLES // 2  # most probes were sent
    assert {200, 400}.issubset(seen)  # the mix reached both sides of the parsers
