"""The query page at ``/query``: YASGUI on our own /sparql, with a gallery of example queries.

    GET /query             the page, ``templates/query.html`` (the gallery is plain HTML: it
                           reads without JavaScript); it was at ``/`` before the front page
                           (``front.py``), which sends the editor's links there
    GET /examples.json     the gallery as data: name, title, description, query
    GET /examples/NAME.rq  one example as a SPARQL file
    GET /static/...        the page's own script and style, and YASGUI (server/static/vendor/,
                           fetched and checked by ``make install``: see ``vendor``)

Examples are data files, ``examples/*.rq`` in the project root: a ``# Title:`` line, a
``# Description:`` that may run on over further ``#`` lines, then the query. Adding one means adding
a file. Their IRIs are written with the default base and rewritten to the configured one.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request

from .. import __version__
from ..config import DEFAULT_BASE
from ..errors import NotFoundError
from .context import current_settings
from .vendor import YASGUI, is_installed

bp = Blueprint("ui", __name__)

EXAMPLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Example:
    name: str  # the file name without .rq
    title: str
    description: str
    query: str  # the whole file, header included (it reads well in the editor)


class ExampleFormatError(ValueError):
    pass


def parse_example(name: str, text: str) -> Example:
    """An example from its file text; raises ExampleFormatError if the header is not there."""
    title = ""
    description: list[str] = []
    in_description = False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("Title:"):
            title = body.removeprefix("Title:").strip()
            in_description = False
        elif body.startswith("Description:"):
            description = [body.removeprefix("Description:").strip()]
            in_description = True
        elif in_description and body:
            description.append(body)
    if not title or not description or not description[0]:
        raise ExampleFormatError(
            f"examples/{name}.rq needs a '# Title:' and a '# Description:' line at the top"
        )
    return Example(name, title, " ".join(description), text)


def examples_dir(root: Path) -> Path:
    return root / "examples"


def load_examples(root: Path, base: str = DEFAULT_BASE) -> list[Example]:
    """The gallery, in file-name order, with IRIs rewritten from the default base to ``base``."""
    found: list[Example] = []
    for path in sorted(examples_dir(root).glob("*.rq")):
        if not EXAMPLE_NAME.match(path.stem):
            continue
        text = path.read_text(encoding="utf-8")
        if base != DEFAULT_BASE:
            text = text.replace(DEFAULT_BASE, base)
        found.append(parse_example(path.stem, text))
    return found


def _examples() -> list[Example]:
    settings = current_settings()
    return load_examples(settings.root, settings.base)


# -- Routes ---------------------------------------------------------------------------------------


@bp.route("/query")
def index() -> Response:
    settings = current_settings()
    examples = _examples()
    page = render_template(
        "query.html",
        examples=examples,
        examples_data=[asdict(e) for e in examples],
        first_query=examples[0].query if examples else DEFAULT_QUERY,
        inferred=settings.inferred_graph,
        base=settings.base,
        version=__version__,
        yasgui_version=YASGUI.version,
        editor_installed=is_installed(YASGUI),
    )
    return Response(page, content_type="text/html; charset=utf-8")


ROBOTS = """\
# Pages, the ontology, the downloads and the dataset description may be crawled; the query
# endpoint and the graph store are for clients that mean to ask something.
User-agent: *
Disallow: /sparql
Disallow: /store
"""


@bp.route("/assets/<path:name>")
def moved_asset(name: str) -> Response:
    """The page's files were under /assets/ before the site had one static root."""
    return redirect(f"{request.script_root}/static/{name}", code=301)  # type: ignore[return-value]


@bp.route("/robots.txt")
def robots() -> Response:
    return Response(ROBOTS, content_type="text/plain; charset=utf-8")


@bp.route("/favicon.ico")
def favicon() -> Response:
    """No icon: an empty answer browsers keep for a day, rather than a 404 on every page."""
    response = Response(status=204)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/examples.json")
def examples_json() -> Response:
    body = json.dumps([asdict(e) for e in _examples()], indent=2, ensure_ascii=False)
    return Response(body + "\n", content_type="application/json")


@bp.route("/examples/<name>.rq")
def example_file(name: str) -> Response:
    for example in _examples():
        if example.name == name:
            return Response(example.query, content_type="application/sparql-query; charset=utf-8")
    raise NotFoundError(f"there is no example query named {name!r}: see /examples.json")


# -- The page (templates/query.html) ---------------------------------------------------------------

DEFAULT_QUERY = """\
SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY ?graph"""
