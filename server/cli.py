"""The ``ofsted-kg`` command: build, validate, export, query, serve, and the write log.

Every user error is one line on stderr (``ofsted-kg: ...``) and a non-zero exit status: 2 when the
command is at fault (bad arguments or settings, a malformed query), 1 otherwise (syntax errors and
shape violations in the data, a store that is not there, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import resource
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from . import __version__
from .config import ENV_PREFIX, SETTING_GROUPS, SETTINGS, Setting, Settings, load_settings
from .errors import OfstedKgError, SourceSyntaxError, StoreError, ValidationError
from .rdf.formats import EXPORTS, GRAPHS, RESULTS, by_name, for_result, serialize
from .store.directories import open_existing
from .store.dumps import dumps_root, make_dumps

PROG = "ofsted-kg"
EXPORTS_BY_NAME = {f.name: f for f in EXPORTS}


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# -- Arguments --------------------------------------------------------------------------------


def _add_settings(parser: argparse.ArgumentParser, scope: str) -> None:
    """A flag for each setting of ``scope`` ("all" or "serve"), its help from the settings table."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    for setting in SETTINGS:
        if setting.scope != scope:
            continue
        target: argparse.ArgumentParser | argparse._ArgumentGroup = parser
        if setting.group:
            if setting.group not in groups:
                title, description = SETTING_GROUPS[setting.group]
                groups[setting.group] = parser.add_argument_group(title, description)
            target = groups[setting.group]
        if isinstance(setting.default, bool):
            target.add_argument(
                setting.flag,
                dest=setting.name,
                action="store_true",
                default=None,
                help=_flag_help(setting),
            )
        else:
            target.add_argument(
                setting.flag,
                dest=setting.name,
                metavar=setting.metavar,
                type=_checked(setting),
                help=_flag_help(setting),
            )


def _checked(setting: Setting) -> Callable[[str], str]:
    """A flag's value checked as its setting will be (a usage error, exit 2, if it is not valid),
    and passed on as given."""

    def check(value: str) -> str:
        try:
            setting.convert(value)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(f"{value!r} is not valid: {exc}") from None
        return value

    return check


def _flag_help(setting: Setting) -> str:
    default = setting.default
    shown = not (
        "Default" in setting.help or default in (None, (), "") or isinstance(default, bool)
    )
    text = f"{setting.help}{f' Default: {default}.' if shown else ''} Also {setting.env}."
    return text.replace("%", "%%")


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _add_settings(common, "all")

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build, check, query and serve the Ofsted knowledge graph.",
        epilog=f"Every setting also comes from an environment variable ({ENV_PREFIX}ROOT, "
        f"{ENV_PREFIX}STORE, {ENV_PREFIX}UPDATE_TOKEN, ...); a flag wins over it.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "build",
        parents=[common],
        help="load, reason, validate; replace the store only if all succeeded",
        description="Parse the ontology, graph and shapes files, reason, validate with SHACL, "
        "and replace the store only if everything succeeded (the old store is left as it was "
        "otherwise). Exit status 1 on syntax errors or shape violations.",
    )

    convert = commands.add_parser(
        "convert",
        parents=[common],
        help="regenerate graph/official/ and graph/identity/ from the tables in data/",
        description="Convert Ofsted's tables and the identifier crosswalks in data/ into Turtle "
        "under graph/official/ and graph/identity/ (deterministic: the same tables give the same "
        "bytes). Only changed files are written. A malformed cell is reported as "
        "file:row:column and the exit status is 1; with --check nothing is written and the exit "
        "status is 1 if any generated file is out of date.",
    )
    convert.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )

    validate = commands.add_parser(
        "validate",
        parents=[common],
        help="print the SHACL report (exit status 1 on violations)",
        description="Without --store: validate the source tree as a build would, writing "
        "nothing. With --store: validate that store's content. Every violation is printed; "
        "warnings are counted per shape with one example each, or all listed with --warnings. "
        "Exit status 1 on violations.",
    )
    validate.add_argument(
        "--warnings", action="store_true", help="list every warning, not one per shape"
    )

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write everything in the store as one file",
        description="Write every named graph, the inferred graph included, in a stable order. "
        "Turtle has no named graphs: it gets the union of all graphs, each triple once. "
        "JSON-LD has one @graph per named graph.",
    )
    export.add_argument(
        "--format",
        required=True,
        choices=[f.name for f in EXPORTS],
        help="nquads or trig (named graphs kept), turtle (the union of all graphs: Turtle has no "
        "named graphs), jsonld (one @graph per named graph)",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")

    query = commands.add_parser(
        "query",
        parents=[common],
        help="run a SPARQL query against the store",
        description="Run a SPARQL query; the default graph is the union of all named graphs. "
        "Exit status 2 on a malformed query.",
    )
    query.add_argument("query", help="the query text, '-' for stdin, or @FILE.rq")
    query.add_argument(
        "--format",
        choices=[f.name for f in (*RESULTS, *GRAPHS)],
        help="results format (default: json for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE)",
    )

    writes = commands.add_parser(
        "writes",
        parents=[common],
        help="the write log: list the accepted writes, show one, revert one",
        description="List the writes the server accepted (newest first), show one with what it "
        "changed, or revert one: undo what it changed, as a new write checked against the "
        "shapes and logged like any other. Reverting opens the store for writing, so it cannot "
        "run while a server that takes writes has the store: revert through the server then "
        "(POST /writes/ID/revert).",
    )
    writes.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "show", "revert"],
        help="(default: list)",
    )
    writes.add_argument("id", nargs="?", help="the write's id (for show and revert)")
    writes.add_argument("--limit", type=int, default=20, metavar="N", help="list at most N (20)")
    writes.add_argument("--by", default=None, metavar="NAME", help="who reverts (for the log)")

    claim = commands.add_parser(
        "claim",
        parents=[common],
        help="check a claim against Ofsted's record and keep it (a JSON file, as POST /claims)",
        description="Read a claim in the JSON of POST /claims (docs/fact-checking.md), check it "
        "against Ofsted's record, keep it in the store in a named graph of its own with its "
        "verdict, and print the answer POST /claims gives. The store is opened for writing, so "
        "this cannot run while a server that takes writes has it: send the claim to the server "
        "then (POST /claims). Exit status 2 on a claim that cannot be used or is already kept.",
    )
    claim.add_argument("action", choices=["add"], help="add: check and keep a claim")
    claim.add_argument("file", help="the claim as JSON, or a JSON list of claims ('-' for stdin)")
    claim.add_argument("--by", default=None, metavar="NAME", help="who sends it (default: $USER)")

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the SPARQL endpoint and query page (waitress)",
        description="Serve the store over HTTP with waitress. An empty or new --store "
        "directory is served as it is, empty.",
    )
    _add_settings(serve, "serve")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(overrides={s.name: getattr(args, s.name, None) for s in SETTINGS})


# -- Output -------------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: str | None) -> Iterator[IO[bytes]]:
    """stdout, or a temporary file beside ``path`` renamed over it once complete."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a dump is for sharing
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# -- Commands -----------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from .build.pipeline import build

    settings = settings_from(args)
    try:
        result = build(settings)
    except SourceSyntaxError as exc:
        _report_syntax(exc, f"; the store at {settings.store} was not changed")
        return 1
    except ValidationError as exc:
        print(exc.report.brief(), file=sys.stderr)
        _error(f"build failed: {exc.detail}")
        return 1
    if result.report.results:
        print(result.report.brief(), file=sys.stderr)
    return _make_dumps(settings)


def _make_dumps(settings: Settings) -> int:
    """The downloads for the store just built (served at /dumps/; see ``dumps``)."""
    try:
        manifest = make_dumps(settings)
    except OSError as exc:
        _error(f"cannot write the dumps in {dumps_root(settings)}: {exc.strerror or exc}")
        return 1
    print(f"dumps: {len(manifest.files)} files in {manifest.folder}", file=sys.stderr)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from .convert import official

    settings = settings_from(args)
    if args.check:
        out_of_date = official.stale(settings.root)
        for relpath in out_of_date:
            print(relpath, file=sys.stderr)
        if out_of_date:
            _error(f"{len(out_of_date)} generated files out of date: run `{PROG} convert`")
            return 1
        return 0
    conversion, changed = official.write(settings.root)
    for relpath in changed:
        print(f"wrote {relpath}", file=sys.stderr)
    record = conversion.record
    print(
        f"{len(record.councils)} councils, {len(record.inspections)} inspections, "
        f"{len(record.judgements)} judgements; {len(changed)} of {len(conversion.files)} files "
        "changed",
        file=sys.stderr,
    )
    return 0


def _report_syntax(exc: SourceSyntaxError, note: str = "") -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    _error(f"{count} file{'s' if count != 1 else ''} with syntax errors{note}")


def cmd_validate(args: argparse.Namespace) -> int:
    from .build.pipeline import validate_tree
    from .build.validation import validate_store

    settings = settings_from(args)
    if args.store is None:
        try:
            report = validate_tree(settings).report
        except SourceSyntaxError as exc:
            _report_syntax(exc)
            return 1
        except ValidationError as exc:
            report = exc.report
    else:
        store = open_existing(settings.store)
        report = validate_store(store, settings)
    print(report.describe() if args.warnings else report.brief())
    return 0 if report.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_existing(settings.store)
    try:
        with atomic_output(args.output) as out:
            store.export(EXPORTS_BY_NAME[args.format], out)
    except OSError as exc:
        _error(f"cannot write {args.output or 'to stdout'}: {exc.strerror or exc}")
        return 1
    return 0


def read_query_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        try:
            return Path(argument[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"cannot read the query file {argument[1:]}: {exc}") from None
    return argument


def cmd_query(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    text = read_query_text(args.query)
    store = open_existing(settings.store)
    result = store.query(text)
    formats = for_result(result)
    fmt = by_name(args.format, formats) if args.format else formats[0]
    if fmt is None:
        kind = "a graph" if isinstance(result, ox.QueryTriples) else "solutions or a boolean"
        names = ", ".join(f.name for f in formats)
        _error(f"--format {args.format} does not fit this query: it gives {kind}; use {names}")
        return 2
    data = serialize(result, fmt)
    sys.stdout.buffer.write(data if data.endswith(b"\n") or not data else data + b"\n")
    sys.stdout.buffer.flush()
    return 0


def cmd_writes(args: argparse.Namespace) -> int:
    import json

    from .backends.writer import StoreWriter
    from .store.writelog import WriteLog, log_path

    settings = settings_from(args)
    log = WriteLog(log_path(settings.store))
    if args.action == "list":
        entries = list(log.entries())
        for entry in reversed(entries[-max(1, args.limit) :]):
            request = entry.get("request", {})
            what = request.get("graph") or request.get("of") or ""
            print(
                f"{entry['id']}  {entry['at']}  {entry.get('by', '')}  {request.get('kind', '')}"
                f"{' ' + what if what else ''}  +{len(entry.get('added', []))} "
                f"-{len(entry.get('removed', []))}"
            )
        if not entries:
            print(f"no writes logged for {settings.store}", file=sys.stderr)
        return 0
    if args.id is None:
        _error(f"writes {args.action} needs the id of a write (see 'ofsted-kg writes')")
        return 2
    if args.action == "show":
        entry = log.find(args.id)
        if entry is None:
            _error(f"there is no write {args.id!r} in the write log")
            return 1
        print(json.dumps(entry, indent=2, ensure_ascii=False))
        return 0
    writer = StoreWriter(settings, lock_wait=0.0)
    try:
        written = writer.revert(args.id, args.by or os.environ.get("USER", "command line"))
    finally:
        writer.close()
    if written.write_id is None:
        print(f"write {args.id} changed nothing that is still there: nothing to undo")
    else:
        print(f"reverted {args.id} as write {written.write_id}; version {written.version}")
    return 0


def cmd_claim(args: argparse.Namespace) -> int:
    import json

    from .backends.base import Write
    from .backends.writer import StoreWriter
    from .claims.model import select_from
    from .claims.service import take_claim
    from .errors import BadRequestError, render
    from .rdf.limits import check_json

    settings = settings_from(args)
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _error(f"cannot read {args.file}: {exc}")
        return 2
    check_json(text.encode("utf-8"), "claim file")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"{args.file} is not JSON: {exc}") from None
    by = args.by or os.environ.get("USER", "command line")
    writer = StoreWriter(settings, lock_wait=0.0)
    answers: list[dict[str, Any]] = []
    failed = 0
    try:

        def write(update: str) -> None:
            writer.write(Write("update", text=update, by=by))

        select = select_from(writer.store, union=False)
        if not isinstance(body, list):  # one claim: its answer, or the error on one line
            taken = take_claim(body, select, write, settings.base, by)
            print(json.dumps(taken.answer, indent=2, ensure_ascii=False))
            return 0
        for item in body:  # a list of claims: an answer (or an error) for each
            try:
                answers.append(take_claim(item, select, write, settings.base, by).answer)
            except OfstedKgError as exc:
                failed += 1
                answers.append(render(exc)[0])
    finally:
        writer.close()
    print(json.dumps(answers, indent=2, ensure_ascii=False))
    if failed:
        _error(f"{failed:,} of {len(answers):,} claims not kept (their answers say why)")
    return 2 if failed else 0


# An idle connection (no request under way, nothing received) is closed after this long.
IDLE_CONNECTION_SECONDS = 60


def raise_open_files(needed: int) -> None:
    """Raise this process's limit on open files towards ``needed`` (as far as the hard limit
    allows), so that the web server can hold its connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from .runtime import bound_allocator
    from .web.app import create_app

    bound_allocator()  # before any thread starts
    settings = settings_from(args)
    # Every setting as resolved from the flags and the environment (one place decides them).
    overrides = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    app = create_app(overrides)
    mode = "read-write (updates need the token)" if settings.update_token else "read-only"
    served = settings.remote_query or settings.store
    print(
        f"{PROG}: serving {served} ({mode}) on http://{settings.host}:{settings.port}/ "
        f"with {settings.threads} threads",
        file=sys.stderr,
        flush=True,
    )
    raise_open_files(settings.connections + settings.threads + 64)
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        connection_limit=settings.connections,
        channel_timeout=IDLE_CONNECTION_SECONDS,
        asyncore_use_poll=True,  # select() takes no file descriptor past 1023
    )
    return 0


COMMANDS = {
    "build": cmd_build,
    "convert": cmd_convert,
    "validate": cmd_validate,
    "export": cmd_export,
    "query": cmd_query,
    "serve": cmd_serve,
    "writes": cmd_writes,
    "claim": cmd_claim,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return COMMANDS[args.command](args)
    except OfstedKgError as exc:
        detail = " ".join(exc.detail.split())  # one line, even for a multi-line parser message
        _error(f"{exc.title.lower()}: {detail}" if exc.exit_code == 2 else detail)
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except OSError as exc:
        _error(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
