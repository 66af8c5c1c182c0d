"""Settings: one table of (name, default, help), overridden by ``OFSTED_KG_*`` environment variables
and then by an explicit mapping (command-line flags, or a test's configuration).

    >>> s = load_settings(env={}, overrides={"root": "/tmp/tree", "port": "8080"})
    >>> s.port, s.store.as_posix()
    (8080, '/tmp/tree/var/store')

The store directory (``<root>/var/store`` by default) is generated data: keep ``var/`` out of
version control.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "OFSTED_KG_"
DEFAULT_BASE = "https://w3id.org/ofsted-kg/"


def _path(value: Any) -> Path:
    return Path(os.path.expanduser(str(value)))


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive whole number")
    return number


def _port(value: Any) -> int:
    number = int(value)
    if not 0 <= number <= 65535:
        raise ValueError("must be between 0 and 65535")
    return number


def _positive_float(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be a positive number of seconds")
    return number


def _base(value: Any) -> str:
    text = str(value)
    if not (text.startswith(("http://", "https://")) and text.endswith("/")):
        raise ValueError("must be an http(s) IRI ending with '/'")
    return text


def _optional_text(value: Any) -> str | None:
    text = str(value)
    return text or None


def _name(value: Any) -> str:
    text = str(value).strip()
    if not text or len(text) > 200 or any(ord(c) < 32 for c in text):
        raise ValueError("must be a name of 1 to 200 printable characters")
    return text


def _non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be a whole number, 0 or more")
    return number


def _default_graph(value: Any) -> str:
    text = str(value)
    if text not in ("union", "default"):
        raise ValueError("must be 'union' or 'default'")
    return text


def _iri_list(value: Any) -> tuple[str, ...]:
    """A comma- or space-separated list of http(s) IRIs (or a sequence of them)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    for item in items:
        if not str(item).startswith(("http://", "https://")):
            raise ValueError(f"{item!r} is not an http(s) IRI")
    return tuple(str(i) for i in items)


def _optional_url(value: Any) -> str | None:
    text = str(value).strip()
    if not text:
        return None
    if not text.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    if "@" in text.split("/")[2]:
        raise ValueError("give the credentials as remote_user and remote_password, not in the URL")
    return text


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


@dataclass(frozen=True)
class Setting:
    """One setting. The command line's flags (``--<name>`` with dashes), their help, the
    environment variable and the documentation's table are all made from this."""

    name: str
    default: Any  # None: no value, or for root and store "derived" (see their help)
    help: str
    convert: Callable[[Any], Any]  # from a string (environment) or a typed value (mapping)
    metavar: str = "N"  # what the flag's value is called in --help
    scope: str = "serve"  # which commands take it as a flag: "all", "serve", or "" (environment
    # only: a secret, which a flag would show to other users of the machine)
    group: str = ""  # the --help section it is listed under ("" for the command's own)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "root",
        None,
        "Project directory holding ontology/, graph/ and shapes/. Default: the directory above the "
        "package if it has ontology/, else the current directory.",
        _path,
        metavar="DIR",
        scope="all",
    ),
    Setting(
        "store",
        None,
        "Oxigraph store directory. Default: <root>/var/store.",
        _path,
        metavar="DIR",
        scope="all",
    ),
    Setting(
        "base",
        DEFAULT_BASE,
        "Base IRI of every IRI the project mints; must end with '/'.",
        _base,
        metavar="IRI",
        scope="all",
    ),
    Setting("host", "127.0.0.1", "Interface the web server listens on.", str, metavar="HOST"),
    Setting("port", 8000, "Port the web server listens on.", _port),
    Setting(
        "threads",
        32,
        "Worker threads of the web server (each request holds one until it is answered; keep it "
        "above max_workers).",
        _positive_int,
    ),
    Setting(
        "connections",
        2000,
        "Most client connections the web server keeps open at once (each idle one is closed "
        "after a minute); past it, new connections wait. Set high so that a few hundred slow "
        "or idle connections cannot shut everyone else out; in front of the internet, a "
        "reverse proxy that limits connections per address is the real defence.",
        _positive_int,
    ),
    Setting(
        "workers",
        0,
        "Query worker processes (each holds the store open read-only; a query past its deadline "
        "kills its worker), kept running. 0: two per CPU core.",
        _non_negative_int,
    ),
    Setting(
        "max_workers",
        16,
        "Most query worker processes at once: while every running worker is busy a spare is "
        "started, so light queries are answered while heavy ones run to their deadline; spares "
        "idle for a minute are stopped. Never fewer than workers.",
        _positive_int,
    ),
    Setting(
        "query_timeout",
        30.0,
        "Seconds a SPARQL query (or Graph Store read) may run before it is stopped and answered "
        "with 503.",
        _positive_float,
        metavar="S",
    ),
    Setting(
        "query_memory",
        1024,
        "Most memory (MiB) a query worker may take; a query that needs more is stopped and "
        "answered with 503. With max_workers it bounds what queries can take at once (16 GiB by "
        "default). 0: no limit.",
        _non_negative_int,
        metavar="MIB",
    ),
    Setting(
        "client_queries",
        8,
        "Most queries (and Graph Store reads) one client may have running at once; one more is "
        "answered 429 Too Many Requests. A client is an IP address with a User-Agent, as the "
        "Wikidata Query Service counts them. 0: no limit.",
        _non_negative_int,
    ),
    Setting(
        "reserved_workers",
        2,
        "Query workers (of max_workers) kept for clients with no query running: a client that "
        "already has one running is answered 503 rather than take the last of them, so a new "
        "client is answered while others run heavy queries.",
        _non_negative_int,
    ),
    Setting(
        "write_timeout",
        300.0,
        "Seconds a write (a SPARQL update or a Graph Store write) may take once its turn has "
        "come; past it the write is stopped, nothing of it is kept, and it is answered 503.",
        _positive_float,
        metavar="S",
    ),
    Setting(
        "write_memory",
        4096,
        "Most memory (MiB) the writer process may take (it keeps what reasoning and validation "
        "need of the whole store in memory: some 1,500 MB on the real graph); a write that needs "
        "more is stopped, nothing of it kept, and answered 503. 0: no limit.",
        _non_negative_int,
        metavar="MIB",
    ),
    Setting(
        "update_token",
        None,
        "Bearer token that allows SPARQL updates and Graph Store writes; unset means the "
        "endpoint is read-only. Prefer the environment variable to the flag: a command line is "
        "visible to other users of the machine.",
        _optional_text,
        metavar="T",
    ),
    Setting(
        "update_token_name",
        "publisher",
        "Who holds the update token, as the write log names them (each write's 'by').",
        _name,
        metavar="NAME",
    ),
    Setting(
        "validation_workers",
        min(2, os.cpu_count() or 1),
        "Processes that share out the SHACL shapes when validating. Default: 2, or 1 on one core.",
        _positive_int,
        scope="all",
    ),
    Setting(
        "default_graph",
        "union",
        "What the SPARQL default graph is: 'union' (the union of the named graphs, each triple "
        "once; writes to it land in the named graph <base>graph/updates) or 'default' (the "
        "store's own default graph, written as it is).",
        _default_graph,
        metavar="union|default",
    ),
    Setting(
        "max_body_bytes",
        16 * 1024 * 1024,
        "Largest request body accepted (bytes); larger ones are answered with 413.",
        _positive_int,
        metavar="BYTES",
    ),
    Setting(
        "max_result_bytes",
        256 * 1024 * 1024,
        "Largest serialised result (bytes); larger ones are refused with 422 (add a LIMIT).",
        _positive_int,
        metavar="BYTES",
    ),
    Setting(
        "service_allow",
        (),
        "SPARQL endpoints a query may call with SERVICE (comma- or space-separated IRIs); "
        "empty: SERVICE is refused.",
        _iri_list,
        metavar="IRIS",
    ),
    Setting(
        "cors_origin",
        "*",
        "Access-Control-Allow-Origin answered to queries; empty: no CORS headers.",
        str,
        metavar="ORIGIN",
    ),
    Setting(
        "remote_query",
        None,
        "Query URL of a remote SPARQL 1.1 server (e.g. http://host:7878/query for Oxigraph "
        "server); set, it is served instead of the store directory.",
        _optional_url,
        metavar="URL",
        group="remote",
    ),
    Setting(
        "remote_update",
        None,
        "Update URL of the remote SPARQL server (e.g. http://host:7878/update); needed for "
        "writes when remote_query is set.",
        _optional_url,
        metavar="URL",
        group="remote",
    ),
    Setting(
        "remote_store",
        None,
        "Graph Store URL of the remote SPARQL server (e.g. http://host:7878/store), used to read "
        "named graphs; unset: they are read with queries.",
        _optional_url,
        metavar="URL",
        group="remote",
    ),
    Setting(
        "remote_user",
        None,
        "User name sent to the remote SPARQL server (HTTP Basic authentication).",
        _optional_text,
        metavar="NAME",
        group="remote",
    ),
    Setting(
        "remote_password",
        None,
        "Password sent to the remote SPARQL server with remote_user.",
        _optional_text,
        scope="",
        group="remote",
    ),
    Setting(
        "remote_exclusive",
        False,
        "Whether this server is the remote store's only writer: then ETag and Last-Modified "
        "change only with its own writes, so clients can revalidate (304); otherwise every "
        "answer gets a fresh ETag.",
        _flag,
        metavar="",
        group="remote",
    ),
)

SETTING_NAMES = frozenset(s.name for s in SETTINGS)

# The --help sections settings are listed under (``Setting.group``): title, description.
SETTING_GROUPS = {
    "remote": (
        "remote store",
        "Serve a remote SPARQL 1.1 server instead of --store (Oxigraph server, Fuseki, GraphDB, "
        "Virtuoso). The password comes only from OFSTED_KG_REMOTE_PASSWORD.",
    ),
}


@dataclass(frozen=True)
class Settings:
    root: Path
    store: Path
    base: str
    host: str
    port: int
    threads: int
    connections: int
    workers: int
    max_workers: int
    query_timeout: float
    query_memory: int
    client_queries: int
    reserved_workers: int
    write_timeout: float
    write_memory: int
    update_token: str | None
    update_token_name: str
    validation_workers: int
    default_graph: str
    max_body_bytes: int
    max_result_bytes: int
    service_allow: tuple[str, ...]
    cors_origin: str
    remote_query: str | None = None
    remote_update: str | None = None
    remote_store: str | None = None
    remote_user: str | None = None
    remote_password: str | None = None
    remote_exclusive: bool = False

    def graph_iri(self, local: str) -> str:
        """The IRI of a named graph, e.g. ``graph_iri("inferred")``."""
        return f"{self.base}graph/{local}"

    @property
    def inferred_graph(self) -> str:
        return self.graph_iri("inferred")

    @property
    def shapes_graph_prefix(self) -> str:
        return self.graph_iri("shapes/")

    @property
    def updates_graph(self) -> str:
        """Where triples written to the union default graph are kept."""
        return self.graph_iri("updates")

    @property
    def union(self) -> bool:
        return self.default_graph == "union"

    @property
    def worker_count(self) -> int:
        # Two per core: a light query need not queue behind heavy ones holding every worker, and
        # the cores stay busy while the web process hands answers on.
        return self.workers or 2 * (os.cpu_count() or 1)

    @property
    def worker_limit(self) -> int:
        return max(self.worker_count, self.max_workers)


def default_root(cwd: Path | None = None) -> Path:
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "ontology").is_dir():
        return package_parent
    return cwd if cwd is not None else Path.cwd()


def load_settings(
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then ``OFSTED_KG_<NAME>`` from ``env`` (``os.environ`` if None), then
    ``overrides`` (keys are setting names; a value of None leaves the setting alone)."""
    environ = os.environ if env is None else env
    raw: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    origin: dict[str, str] = {s.name: "default" for s in SETTINGS}
    for setting in SETTINGS:
        key = ENV_PREFIX + setting.name.upper()
        if key in environ:
            raw[setting.name] = environ[key]
            origin[setting.name] = f"environment variable {key}"
    for name, value in (overrides or {}).items():
        if name not in SETTING_NAMES:
            raise ConfigError(
                f"unknown setting {name!r}; known: {', '.join(sorted(SETTING_NAMES))}"
            )
        if value is not None:
            raw[name] = value
            origin[name] = f"setting {name!r}"

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        name, value = setting.name, raw[setting.name]
        if value is None:
            values[name] = None
            continue
        try:
            values[name] = setting.convert(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{origin[name]}: {value!r} is not valid: {exc}") from None
    if values["root"] is None:
        values["root"] = default_root()
    if values["store"] is None:
        values["store"] = values["root"] / "var" / "store"
    return Settings(**values)


def settings_table() -> str:
    """The settings as a Markdown table (``docs/configuration.md`` holds it, checked by a test)."""
    rows = [
        "| setting | flag | environment variable | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        flag = f"`{s.flag}`" if s.scope else "(none)"
        shown = "" if s.default in (None, (), "") else f"`{s.default}`"
        rows.append(f"| `{s.name}` | {flag} | `{s.env}` | {shown} | {s.help} |")
    return "\n".join(rows) + "\n"
