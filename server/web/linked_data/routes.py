"""Dereferenceable IRIs and the pages about them: the routes.

    /id/{type}/{key...}     303 See Other to /doc/{type}/{key...} (or to /doc/{type}/{key...}.ttl
                            and the like when the client asked for RDF); 404 if the graph does not
                            know the IRI
    /graph/{name...}        the same for the named graphs (the sources): 303 to /doc/graph/{name...}
    /doc/{type}/{key...}    the page (HTML) or the description (Turtle, JSON-LD, N-Triples, RDF/XML,
                            TriG, N-Quads), by Accept (Vary: Accept, Content-Location) or by a
                            format extension: .html .ttl .jsonld .nt .rdf .trig .nq
    /doc/council            the index of councils with their current grade

The server answers for the configured base IRI whatever host it runs on: a request for
``http://127.0.0.1:8000/id/council/E10000016`` describes ``{base}id/council/E10000016``, and the
links on the pages point at the host that served them.

This module is the HTTP side only: which resource and which format (``rdf.formats.PAGES``,
negotiated by ``web.http``), 303s and redirects, validators and 304s (``web.http``), and the 404 of
an IRI the graph does not know. What is said is elsewhere in this package: ``describe`` (the data),
``views`` (what a page shows, built with ``describe.select``, the query function that runs through
the backend), ``labels``, ``chart``, ``queries/`` (the SPARQL, as files) and ``bodies`` (rendered
bodies kept per dataset version).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request

from ...errors import BadRequestError, NotFoundError
from ...rdf.formats import DATA_CSV, DATA_JSON, HTML, PAGES, Format, by_extension
from ..claims import review_json_ld
from ..context import current_backend, current_settings, kept
from ..http import negotiate, not_modified, versioned
from .bodies import cached_body
from .describe import council_index_description, describe, is_known, select
from .labels import Catalogue, Labeller, Shown, Site, Source, make_catalogue
from .views import (
    FILTERS,
    SORTS,
    CouncilRow,
    council_index,
    council_view,
    filter_councils,
    page,
)

bp = Blueprint("pages", __name__)


# -- Where this request is, and what a page is built with ----------------------------------------


def site() -> Site:
    """The base IRI, and the root this host serves the pages under."""
    return Site(current_settings().base, request.script_root)


def catalogue() -> Catalogue:
    """The vocabulary's labels and the sources, kept per dataset version."""
    base = current_settings().base
    return kept("linked_data.catalogue", lambda: make_catalogue(select, Site(base)))


def labeller() -> Labeller:
    return Labeller(site(), catalogue())


def split_extension(key: str) -> tuple[str, Format | None]:
    """A key and the format its extension names (``council/E10000016.ttl``), if it names one."""
    stem, dot, extension = key.rpartition(".")
    if dot and "/" not in extension:
        fmt = by_extension(extension, PAGES)
        if fmt is not None:
            return stem, fmt
    return key, None


# -- Routes -------------------------------------------------------------------------------------


@bp.route("/id/<path:key>", methods=["GET", "HEAD"])
def identifier(key: str) -> Response:
    return see_other(key)


@bp.route("/graph/<path:name>", methods=["GET", "HEAD"])
def graph(name: str) -> Response:
    return see_other(f"graph/{name}")


def see_other(key: str) -> Response:
    here = site()
    stem, extension = split_extension(key)
    fmt = extension or negotiate(PAGES)
    known = is_known(here.resource_iri(stem)) or (
        extension is None and is_known(here.resource_iri(key))
    )
    if not known and stem != "council":  # /id/council: the list of councils, /doc/council
        raise NotInGraphError(here.resource_iri(stem), fmt)
    target = here.doc_path(stem, "" if fmt is HTML and extension is None else fmt.extension)
    response = Response(status=303, headers={"Location": target})
    response.vary.add("Accept")
    return response


COUNCIL_TABLE = re.compile(
    r"council/(?P<gss>[A-Z]\d{8})/(?P<table>judgements|inspections|people|claims)"
    r"(?:\.(?P<ext>csv|json))?"
)


@bp.route("/doc/<path:key>", methods=["GET", "HEAD"])
def document(key: str) -> Response:
    if key.endswith("/") and key.strip("/"):  # /doc/council/ is /doc/council
        return redirect(request.script_root + "/doc/" + key.rstrip("/"), code=301)  # type: ignore[return-value]
    part = COUNCIL_TABLE.fullmatch(key)
    if part is not None:
        return council_part(part["gss"], part["table"], part["ext"])
    here = site()
    stem, extension = split_extension(key)
    if (
        extension is not None
        and not is_known(here.resource_iri(stem))
        and is_known(here.resource_iri(key))
    ):
        stem, extension = key, None  # an IRI that really ends with ".ttl" and the like
    if key in ("council.csv", "council.json") or (
        key == "council" and extension is None and wants_csv()
    ):
        table = DATA_JSON if key.endswith(".json") else DATA_CSV
        return respond(
            table, extension is None and key == "council", "council", partial(council_table, table)
        )
    fmt = extension or negotiate(PAGES)
    if stem == "council":
        index: Callable[[], str | bytes] = (
            render_council_index if fmt is HTML else partial(council_index_data, fmt)
        )
        return respond(fmt, extension is None, stem, index)
    resource = here.resource_iri(stem)
    if not is_known(resource):
        raise NotInGraphError(resource, fmt)
    if fmt is HTML:
        return respond(fmt, extension is None, stem, partial(render_page, stem, resource))
    return respond(fmt, extension is None, stem, partial(description, resource, fmt))


def respond(fmt: Format, negotiated: bool, key: str, body: Callable[[], str | bytes]) -> Response:
    """The body (kept per dataset version) with its validators, or 304; the forms it has, as
    ``Link`` headers. The index of councils is kept per filter and order asked for."""
    here = site()
    version = current_backend().version()
    asked = request.query_string.decode("latin-1") if key == "council" else ""
    variant = fmt.name + (f"?{asked}" if asked else "")
    if not_modified(version, variant):
        response = Response(status=304)
    else:
        data = cached_body((here.root, key + ("?" + asked if asked else ""), fmt.name), body)
        response = Response(data, content_type=fmt.content_type)
    if negotiated:
        response.headers["Content-Location"] = here.doc_path(key, fmt.extension)
    links = [
        f'<{here.doc_path(key, f.extension)}>; rel="alternate"; type="{f.media_type}"'
        for f in PAGES
    ]
    if key != "council":
        links.append(f'<{here.resource_iri(key)}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    return versioned(response, version, variant)


# -- The bodies: a page, a description, the index of councils and its data ----------------------


def render_page(key: str, resource: str) -> str:
    template, context = page(select, labeller(), key, resource, describe(resource))
    if template == "pages/claim.html":
        context["review_json"] = review_json_ld(resource)  # its ClaimReview, in the page's head
    return render_template(template, **context)


def description(resource: str, fmt: Format) -> bytes:
    return describe(resource).serialize(fmt.rdf, current_settings().base)


def council_part(gss: str, name: str, ext: str | None) -> Response:
    """One table of a council's page (its judgements, inspections, people and posts, or the
    claims about it) as CSV or JSON: by extension, or by ``Accept`` (HTML: the page, at the
    table)."""
    here = site()
    resource = here.resource_iri(f"council/{gss}")
    if not is_known(resource):
        raise NotInGraphError(resource, HTML)
    if ext is None:
        fmt = negotiate((HTML, DATA_CSV, DATA_JSON))
        if fmt is HTML:
            return redirect(here.doc_path(f"council/{gss}", "") + f"#{name}", code=303)  # type: ignore[return-value]
    else:
        fmt = DATA_CSV if ext == "csv" else DATA_JSON
    key = f"council/{gss}/{name}"
    return respond(fmt, ext is None, key, partial(council_table_of, resource, name, fmt))


def council_table_of(resource: str, name: str, fmt: Format) -> str:
    view = council_view(select, labeller(), resource, describe(resource))
    rows = [flatten(row) for row in view[name]]
    if fmt is DATA_JSON:
        body = {"council": resource, "table": name, "rows": rows, "total": len(rows)}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or ["none"], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def flatten(row: Any) -> dict[str, Any]:
    """A page's row as a flat record: a term as its text (and its IRI beside it), a list of
    terms joined, the sources as their titles."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(row):
        value = getattr(row, f.name)
        if isinstance(value, Shown):
            out[f.name] = value.text
            if value.iri:
                out[f.name + "_iri"] = value.iri
        elif isinstance(value, list):
            out[f.name] = " · ".join(text_of(v) for v in value)
        elif value is None or isinstance(value, (str, int, float, bool)):
            out[f.name] = "" if value is None else value
    return out


def text_of(value: Any) -> str:
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, Source):
        return value.label
    if dataclasses.is_dataclass(value):
        parts = [text_of(getattr(value, f.name)) for f in dataclasses.fields(value)]
        return ": ".join(p for p in parts if p and len(p) < 2000)
    return str(value) if isinstance(value, (str, int, float)) else ""


def wants_csv() -> bool:
    """Whether the client asks for CSV before any page format (``Accept: text/csv``)."""
    named = any(m == "text/csv" and q > 0 for m, q in request.accept_mimetypes)
    best = request.accept_mimetypes.best_match([*(f.media_type for f in PAGES), "text/csv"])
    return named and best == "text/csv"


def council_rows() -> tuple[dict[str, Any], list[CouncilRow], dict[str, list[tuple[str, int]]]]:
    """The index, the councils the query string's filters keep, in its order, and the filters'
    values (400 for a filter or an order the index does not have)."""
    unknown = sorted(set(request.args) - {*FILTERS, "sort", "order"})
    if unknown:
        raise BadRequestError(
            f"the index of councils filters on {', '.join(FILTERS)} (and takes sort and order), "
            f"not {', '.join(unknown)}"
        )
    sort = request.args.get("sort", "name")
    if sort not in SORTS:
        raise BadRequestError(f"sort must be one of {', '.join(SORTS)}")
    order = request.args.get("order", "asc")
    if order not in ("asc", "desc"):
        raise BadRequestError("order must be asc or desc")
    index = council_index(select, labeller())
    kept, options = filter_councils(index["councils"], request.args, sort, order == "desc")
    return index, kept, options


def render_council_index() -> str:
    index, kept, options = council_rows()
    chosen = {k: request.args.get(k, "") for k in FILTERS}
    query = request.query_string.decode("latin-1")
    return render_template(
        "pages/council_index.html",
        **{**index, "councils": kept, "total": len(index["councils"])},
        options=options,
        chosen=chosen,
        sort=request.args.get("sort", "name"),
        order=request.args.get("order", "asc"),
        query=("?" + query) if query else "",
        filters=FILTERS,
        sorts=list(SORTS),
    )


def council_table(fmt: Format) -> str:
    """The index as a table: CSV or JSON, the same filters and order as the page."""
    _index, kept, _options = council_rows()
    rows = [
        {
            "council": r.council.iri or "",
            "name": r.council.text,
            "gss": r.code,
            "region": r.region,
            "type": r.kind,
            "inspection": (r.inspection.iri or "") if r.inspection else "",
            "framework": r.framework.text if r.framework else "",
            "published": r.date.sort_key if r.date else "",
            "grade": r.grade.text if r.grade else "",
            "abolished": r.ended.sort_key if r.ended else "",
            "page": r.council.href or "",
        }
        for r in kept
    ]
    if fmt is DATA_JSON:
        return (
            json.dumps({"councils": rows, "total": len(rows)}, indent=2, ensure_ascii=False) + "\n"
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COUNCIL_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


COUNCIL_COLUMNS = (
    "council",
    "name",
    "gss",
    "region",
    "type",
    "inspection",
    "framework",
    "published",
    "grade",
    "abolished",
    "page",
)


def council_index_data(fmt: Format) -> bytes:
    return council_index_description().serialize(fmt.rdf, current_settings().base)


# -- An IRI the graph does not know -------------------------------------------------------------


class NotInGraphError(NotFoundError):
    """An IRI the graph does not know, asked for in a format: the 404 answers in kind (the error
    page for HTML, the JSON error otherwise; see ``web.errors``)."""

    title = "Not in this graph"

    def __init__(self, resource: str, fmt: Format) -> None:
        super().__init__(f"the knowledge graph says nothing about <{resource}>")
        self.resource = resource
        self.wants_html = fmt is HTML
