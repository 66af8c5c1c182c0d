"""A remote SPARQL 1.1 server as the endpoint's store (Oxigraph server, Fuseki, GraphDB, Virtuoso).

Settings: ``remote_query`` (the query URL; set, it replaces the store directory), ``remote_update``
(the update URL, needed for writes), ``remote_store`` (the Graph Store URL, to read named graphs),
``remote_user``/``remote_password`` (HTTP Basic), ``remote_exclusive`` (see Versions).

Reads go to the remote as they are, under the same protocol layer (sparql.py, gsp.py):

    a query           POST form (query, default-graph-uri*, named-graph-uri*) to remote_query,
                      Accept: the negotiated formats, then SPARQL JSON / N-Triples at a lower q;
                      an answer in another format than ours is converted (pyoxigraph)
    a named graph     GET remote_store?graph=IRI (404: not found); without remote_store, ASK and
                      CONSTRUCT on remote_query
    the default graph CONSTRUCT WHERE { ?s ?p ?o } on remote_query: what queries see as it

The default graph is kept as the embedded store keeps it: with ``default_graph = union`` (the
default) it holds the union of the named graphs, each triple once, materialised (as ``ofsted-kg
build`` makes it, so a remote serving a copy of a built store directory is ready as it is) and kept
up to date by our writes; a remote whose default graph is still empty gets the union with the first
write. Leave the server's own union mode off (Oxigraph ``--union-default-graph``): it would answer
each triple once per graph that holds it.

Every remote call has the query deadline (``query_timeout``) as a whole, not per socket read.
Statuses: a remote 400 is our 400 with the remote parser's message; 404 on a graph is 404; a
deadline passed is 504; the remote unreachable or failing is 502 (503 when it says it is
unavailable); the remote's own error text is logged, never shown (it may hold internals).

Writes cannot be checked atomically on a server we do not control, so each one (one at a time,
under a lock) is checked on a scratch copy and then sent as its exact effect:

    1. fetch the remote's named graphs and its default graph with two SELECT queries (the
       list of graphs, then every quad), into an in-memory Oxigraph store
    2. apply the write to the copy exactly as the local backend does (union default graph
       writes land in <base>graph/updates), recompute the inferred graph if there is one, and
       validate against the shapes graphs in the data (none: no check): a violation is 422 with
       the report, and nothing is sent
    3. compare the copy before and after, graph by graph, and send the difference as ONE update
       request (DROP/CREATE GRAPH, DELETE DATA, INSERT DATA), which Oxigraph server applies as
       one transaction (a test checks it): readers of the remote see all of it or none of it.
       A graph whose changed triples hold a blank node is replaced whole (blank nodes cannot
       be named in DELETE DATA), with every graph that shares a blank node with it.

What this does not give: isolation from writers that bypass this server. A change made directly on
the remote between steps 1 and 3 is not seen by the check, and may be overwritten by a replaced
graph. A write also holds the whole dataset in memory for a moment (as the local backend reasons
over all of it), so writes suit datasets of up to a few million triples; reads have no such limit.

Versions (ETag, Last-Modified): the remote's data can change without this server knowing, so by
default every answer has a fresh ETag and no Last-Modified (no 304s, and so never a stale one).
With ``remote_exclusive`` the operator promises this server is the only writer: the version is
set at start-up and changes with each of its own writes, so clients can revalidate.
"""

from __future__ import annotations

import base64
import http.client
import logging
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from ..config import Settings
from ..errors import (
    BadGatewayError,
    ConfigError,
    ForbiddenError,
    NotFoundError,
    QuerySyntaxError,
    ResultTooLargeError,
)
from ..rdf.sparql_text import check_service, check_structure
from ..runtime import run_isolated
from ..store.oxigraph import Store
from ..store.workers import Answer, Job, NotAcceptableKindError
from ..store.writelog import WriteLog
from .base import Version, Write, apply_checked, change_for

T = TypeVar("T")

log = logging.getLogger(__name__)

# A write's remote calls (fetching the data, sending the change) get this long in all.
WRITE_TIMEOUT = 600.0
CHUNK = 1 << 16
ERROR_BYTES = 1 << 16  # what is read of a remote's error answer
FORM = "application/x-www-form-urlencoded"
# Formats asked for after the negotiated ones (every SPARQL 1.1 server speaks them).
FALLBACK_RESULTS = ox.QueryResultsFormat.JSON
FALLBACK_GRAPH = ox.RdfFormat.N_TRIPLES


class RemoteTimeoutError(BadGatewayError):
    """The remote did not answer within the deadline."""

    status = 504
    title = "Remote store timed out"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class RemoteUnavailableError(BadGatewayError):
    """The remote answered 503 (overloaded or starting)."""

    status = 503
    title = "Remote store unavailable"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str  # the media type, lower case, without parameters
    body: bytes


class RemoteBackend:
    """The endpoint's calls answered by a remote SPARQL 1.1 server (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.remote_query is not None
        self.settings = settings
        self.query_url = settings.remote_query
        self.update_url = settings.remote_update
        self.store_url = settings.remote_store
        self.writable = settings.update_token is not None
        self.versions_follow_changes = False  # others may write to it without telling us
        if self.writable and self.update_url is None:
            raise ConfigError(
                "update_token is set but remote_update is not: give the remote server's update "
                "URL, or drop the token to serve it read-only"
            )
        self._headers: dict[str, str] = {"User-Agent": "ofsted-kg"}
        if settings.remote_user is not None:
            pair = f"{settings.remote_user}:{settings.remote_password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        self._write_lock = threading.Lock()
        self._version = Version(secrets.token_hex(8), time.time())

    # -- versions -------------------------------------------------------------------------------

    def version(self) -> Version:
        if self.settings.remote_exclusive:
            return self._version
        return Version(secrets.token_hex(8), 0.0)

    def dump_source(self) -> Path | None:
        return None

    def write_log(self) -> WriteLog | None:
        return None

    def revert(self, write_id: str, by: str) -> str | None:
        raise ForbiddenError(
            "writes to a remote store are not logged here, so none can be reverted"
        )

    def close(self) -> None:
        pass

    # -- HTTP -----------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        url: str,
        *,
        deadline: float,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        limit_detail: str = "",
        budget: float | None = None,
    ) -> Reply:
        """One HTTP exchange, all of it within ``deadline`` (a time.monotonic() value; ``budget``
        is the number of seconds it stands for, for the message)."""
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection: http.client.HTTPConnection | None = None
        try:
            timeout = _remaining(deadline)
            if parts.scheme == "https":
                connection = http.client.HTTPSConnection(
                    parts.netloc, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
            connection.request(
                method, target, body=body, headers={**self._headers, **(headers or {})}
            )
            response = connection.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                if connection.sock is not None:
                    connection.sock.settimeout(_remaining(deadline))
                chunk = response.read1(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if response.status >= 300 and size > ERROR_BYTES:
                    break  # enough of an error message to log
                if max_bytes is not None and size > max_bytes:
                    raise ResultTooLargeError(limit_detail)
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError
            media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Reply(response.status, media, b"".join(chunks))
        except TimeoutError:
            seconds = self.settings.query_timeout if budget is None else budget
            raise RemoteTimeoutError(
                "the remote SPARQL server did not answer within the deadline of "
                f"{seconds:g} s; the request was abandoned"
            ) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            log.warning("remote SPARQL server %s: %s", url, exc)
            raise BadGatewayError(
                f"the remote SPARQL server could not be reached ({_reason(exc)})"
            ) from None
        finally:
            if connection is not None:
                connection.close()

    def _check(self, reply: Reply, url: str, what: str) -> None:
        """Raise the error a failed remote answer stands for."""
        status = reply.status
        if status < 300:
            return
        text = reply.body.decode("utf-8", "replace").strip()
        if status == 400 and what in ("query", "update"):
            raise QuerySyntaxError(text[:2000] or f"the remote SPARQL server refused the {what}")
        log.warning(
            "remote SPARQL server %s answered %d to a %s: %s", url, status, what, text[:500]
        )
        if status == 503:
            raise RemoteUnavailableError("the remote SPARQL server is unavailable (503)")
        if status in (408, 504):
            raise RemoteTimeoutError(f"the remote SPARQL server timed out ({status})")
        raise BadGatewayError(f"the remote SPARQL server failed to answer the {what} ({status})")

    # -- queries --------------------------------------------------------------------------------

    def run(self, job: Job) -> Answer:
        deadline = time.monotonic() + self.settings.query_timeout
        if job.kind == "graph":
            return self._read_graph(job, deadline)
        # As a query worker does before its parser (the remote's may be no sturdier).
        check_structure(job.text)
        check_service(job.text, job.service_allow)
        return self._query(job, deadline)

    def _query(self, job: Job, deadline: float) -> Answer:
        return self._send_query(
            job,
            _enum(ox.QueryResultsFormat, job.results_format),
            _enum(ox.RdfFormat, job.graph_format),
            deadline,
        )

    def _send_query(
        self,
        job: Job,
        results: ox.QueryResultsFormat | None,
        graph: ox.RdfFormat | None,
        deadline: float,
    ) -> Answer:
        fields = [("query", with_base(job.text, job.base_iri))]
        fields += [("default-graph-uri", g) for g in job.default_graphs]
        fields += [("named-graph-uri", g) for g in job.named_graphs]
        reply = self._call(
            "POST",
            self.query_url,
            deadline=deadline,
            body=urlencode(fields).encode(),
            headers={"Content-Type": FORM, "Accept": accept(results, graph)},
            max_bytes=job.max_bytes,
            limit_detail=f"the result is larger than {job.max_bytes:,} bytes: narrow the query "
            "or add a LIMIT",
        )
        self._check(reply, self.query_url, "query")
        answer = convert(reply, results, graph)
        if len(answer.data) > job.max_bytes:
            raise ResultTooLargeError(
                f"the result is larger than {job.max_bytes:,} bytes: narrow the query or add "
                "a LIMIT"
            )
        return answer

    def _read_graph(self, job: Job, deadline: float) -> Answer:
        graph = job.text
        fmt = _enum(ox.RdfFormat, job.graph_format) or ox.RdfFormat.TURTLE
        too_large = "the graph is larger than this server answers"
        if graph and self.store_url is not None:
            url = _with_params(self.store_url, {"graph": graph})
            reply = self._call(
                "GET",
                url,
                deadline=deadline,
                headers={"Accept": accept(None, fmt)},
                max_bytes=job.max_bytes,
                limit_detail=too_large,
            )
            if reply.status == 404:
                raise NotFoundError(f"there is no graph <{graph}> in this store")
            self._check(reply, self.store_url, "graph read")
            answer = convert(reply, None, fmt)
        else:
            if graph and not self._ask(f"ASK {{ GRAPH <{graph}> {{}} }}", deadline):
                raise NotFoundError(f"there is no graph <{graph}> in this store")
            where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
            construct = Job(
                "query",
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
                None,
                None,
                max_bytes=job.max_bytes,
            )
            try:
                answer = self._send_query(construct, None, fmt, deadline)
            except ResultTooLargeError:
                raise ResultTooLargeError(too_large) from None
        return Answer("graph", b"" if job.head_only else answer.data)

    def _ask(self, text: str, deadline: float) -> bool:
        answer = self._send_query(
            Job("query", text, None, None), ox.QueryResultsFormat.JSON, None, deadline
        )
        result = ox.parse_query_results(answer.data, ox.QueryResultsFormat.JSON)
        return bool(result)

    def _select(self, text: str, deadline: float) -> ox.QuerySolutions:
        reply = self._call(
            "POST",
            self.query_url,
            deadline=deadline,
            body=urlencode({"query": text}).encode(),
            headers={"Content-Type": FORM, "Accept": accept(ox.QueryResultsFormat.TSV, None)},
            budget=WRITE_TIMEOUT,
        )
        self._check(reply, self.query_url, "data fetch")  # our own query: a 400 is a 502
        fmt = ox.QueryResultsFormat.from_media_type(reply.content_type)
        if fmt is None or fmt in (ox.QueryResultsFormat.CSV,):
            raise BadGatewayError(
                f"the remote SPARQL server answered a SELECT as {reply.content_type or '?'}"
            )
        result = ox.parse_query_results(reply.body, fmt)
        assert isinstance(result, ox.QuerySolutions)
        return result

    # -- writes ---------------------------------------------------------------------------------

    def _fetch(self, deadline: float) -> tuple[list[ox.NamedNode], list[ox.Quad]]:
        """The remote's named graphs (empty ones too) and all its quads, the default graph's
        included (in one answer, so a blank node shared by two graphs stays one node)."""
        graphs = [
            s["g"]
            for s in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", deadline)
            if isinstance(s["g"], ox.NamedNode)
        ]
        everything = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
        default = ox.DefaultGraph()
        quads = [
            ox.Quad(s["s"], s["p"], s["o"], s["g"] if s["g"] is not None else default)
            for s in self._select(everything, deadline)
        ]
        return graphs, quads

    def write(self, write: Write) -> bool:
        """Carry the write out in a child process (``writes.run_isolated``), one at a time."""
        with self._write_lock:
            created, sent = run_isolated(
                write_remote,
                (self.settings, write),
                self.settings.write_timeout,
                memory_mib=self.settings.write_memory,
            )
            if sent:
                self._version = Version(secrets.token_hex(8), time.time())
            return created

    def write_here(self, write: Write) -> tuple[bool, bool]:
        """Carry out one write (in the write's child process): fetch the remote's data into a
        copy, change and check the copy, and send the difference. Returns whether a new named
        graph was made, and whether anything was sent."""
        assert self.update_url is not None
        change = change_for(write, self.settings)
        deadline = time.monotonic() + WRITE_TIMEOUT
        graphs, quads = self._fetch(deadline)
        copy = Store(ox.Store(), None, writable=True)
        for name in graphs:
            copy.inner.add_graph(name)
        copy.inner.extend(quads)
        before = set(quads)
        if self.settings.union:
            copy.refresh_union()
        result = apply_checked(copy, change, self.settings)
        after = set(copy.inner)
        after_graphs = [g for g in copy.inner.named_graphs() if isinstance(g, ox.NamedNode)]
        text = change_request(before, after, set(graphs), set(after_graphs))
        if text:
            reply = self._call(
                "POST",
                self.update_url,
                deadline=deadline,
                body=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
                budget=WRITE_TIMEOUT,
            )
            if reply.status == 400:  # our own change request: not the client's fault
                reply = Reply(500, reply.content_type, reply.body)
            self._check(reply, self.update_url, "update")
        return result, bool(text)


def write_remote(settings: Settings, write: Write) -> tuple[bool, bool]:
    """:meth:`RemoteBackend.write_here` in the write's child process."""
    return RemoteBackend(settings).write_here(write)


# -- Helpers --------------------------------------------------------------------------------------


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ssl.SSLError):
        return "TLS failure"
    if isinstance(exc, http.client.InvalidURL | ValueError):
        return "invalid URL"
    if isinstance(exc, http.client.HTTPException):
        return "malformed HTTP answer"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def _enum(enum: type[T], name: str | None) -> T | None:
    return None if name is None else getattr(enum, name)


def _with_params(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def accept(results: ox.QueryResultsFormat | None, graph: ox.RdfFormat | None) -> str:
    """The Accept header for a query: the formats we answer in, then the fallbacks."""
    wanted = [f.media_type for f in (results, graph) if f is not None]
    fallbacks = [
        f"{f.media_type};q=0.5"
        for f in (FALLBACK_RESULTS, FALLBACK_GRAPH)
        if f.media_type not in wanted
    ]
    return ", ".join(wanted + fallbacks)


_RELATIVE_IRI = re.compile(r'<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>"{}|^`\\\x00-\x20]*>')


def with_base(text: str, base_iri: str | None) -> str:
    """The query with ``BASE <base_iri>`` in front when it has a relative IRI (the protocol has
    no base parameter; the local backend resolves them against the endpoint's URL). It goes on
    the first line, so a parser's line numbers stay right."""
    if base_iri is None or not _RELATIVE_IRI.search(text):
        return text
    return f"BASE <{base_iri}> {text}"


def convert(
    reply: Reply, results: ox.QueryResultsFormat | None, graph: ox.RdfFormat | None
) -> Answer:
    """The remote's answer in the format we negotiated (as it is when the formats agree)."""
    got_results = ox.QueryResultsFormat.from_media_type(reply.content_type)
    got_graph = None if got_results else ox.RdfFormat.from_media_type(reply.content_type)
    if got_results is None and got_graph is None:
        raise BadGatewayError(
            f"the remote SPARQL server answered in a format this server does not read "
            f"({reply.content_type or 'no Content-Type'})"
        )
    try:
        if got_results is not None:
            if results is None:
                raise NotAcceptableKindError("results")
            if got_results == results:
                return Answer("results", reply.body)
            parsed = ox.parse_query_results(reply.body, got_results)
            data = parsed.serialize(format=results)
            assert isinstance(data, bytes)
            return Answer("results", data)
        assert got_graph is not None
        if graph is None:
            raise NotAcceptableKindError("graph")
        if got_graph == graph:
            return Answer("graph", reply.body)
        triples = [
            ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(reply.body, got_graph)
        ]
        data = ox.serialize(triples, format=graph)
        assert isinstance(data, bytes)
        return Answer("graph", data)
    except (SyntaxError, ValueError, OSError) as exc:
        log.warning("unreadable answer from the remote SPARQL server: %s", exc)
        raise BadGatewayError(
            f"the remote SPARQL server's answer does not parse as {reply.content_type}"
        ) from None


# -- The change request: the difference between two states of the data, as one update ------------


def _graph_key(quad: ox.Quad) -> ox.NamedNode | ox.DefaultGraph:
    name = quad.graph_name
    assert isinstance(name, ox.NamedNode | ox.DefaultGraph)
    return name


def _blank_nodes(quads: Iterable[ox.Quad]) -> set[ox.BlankNode]:
    found: set[ox.BlankNode] = set()
    for q in quads:
        for term in (q.subject, q.object):
            if isinstance(term, ox.BlankNode):
                found.add(term)
    return found


def _by_graph(
    quads: Iterable[ox.Quad],
) -> dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]]:
    grouped: dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = {}
    for quad in quads:
        grouped.setdefault(_graph_key(quad), set()).add(quad)
    return grouped


def _triple_text(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def _data_block(quads: Iterable[ox.Quad]) -> str:
    grouped = _by_graph(quads)
    lines: list[str] = []
    for name in sorted(grouped, key=str):
        triples = sorted(_triple_text(q) for q in grouped[name])
        if isinstance(name, ox.DefaultGraph):
            lines += triples
        else:
            lines.append(f"GRAPH {name} {{")
            lines += [f"  {t}" for t in triples]
            lines.append("}")
    return "\n".join(lines)


def change_request(
    before: set[ox.Quad],
    after: set[ox.Quad],
    graphs_before: set[ox.NamedNode],
    graphs_after: set[ox.NamedNode],
) -> str:
    """One SPARQL update taking a store from ``before`` to ``after`` (quads and named graphs);
    empty when they are the same."""
    gone, came = before - after, after - before
    # A graph whose change touches a blank node is replaced whole, and so is every graph that
    # shares a blank node with a replaced one (a replaced graph's blank nodes are new ones).
    replaced = {_graph_key(q) for q in gone | came if _blank_nodes([q])}
    old: dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = {}
    new: dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = {}
    if replaced:  # only then is the whole of each graph looked at
        old, new = _by_graph(before), _by_graph(after)
        names = set(old) | set(new)
        while True:
            blanks = _blank_nodes(
                q for n in replaced for q in old.get(n, set()) | new.get(n, set())
            )
            more = {
                n
                for n in names - replaced
                if blanks & _blank_nodes(old.get(n, set()) | new.get(n, set()))
            }
            if not more:
                break
            replaced |= more
    dropped: set[ox.NamedNode | ox.DefaultGraph] = set(graphs_before - graphs_after)
    dropped |= {n for n in replaced if n in old}
    operations: list[str] = []
    for name in sorted(dropped, key=str):
        if isinstance(name, ox.DefaultGraph):
            operations.append("CLEAR SILENT DEFAULT")
        else:
            operations.append(f"DROP SILENT GRAPH {name}")
    removed = [q for q in gone if _graph_key(q) not in replaced and _graph_key(q) not in dropped]
    if removed:
        operations.append(f"DELETE DATA {{\n{_data_block(removed)}\n}}")
    created = (graphs_after - graphs_before) | {n for n in dropped if n in graphs_after}
    for name in sorted(created, key=str):
        operations.append(f"CREATE SILENT GRAPH {name}")
    added = [q for q in came if _graph_key(q) not in replaced]
    added += [q for n in replaced for q in new.get(n, set())]
    if added:
        operations.append(f"INSERT DATA {{\n{_data_block(added)}\n}}")
    return " ;\n".join(operations)
