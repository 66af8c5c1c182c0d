"""Search by text (``search/index.py``): one box in every page's header.

    GET /search?q=WORDS        the hits, best first: HTML, or ``/search.json`` and ``/search.csv``
                               (also by ``Accept``); ``limit`` (1 to 200, default 50) and ``kind``
                               (council, person, claim, quotation, document, finding, inspection;
                               repeatable) narrow it

The index is made from the graph served, once per dataset version (after a build, after each
write), so a search never answers from a graph older than the pages'.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from flask import Blueprint, Response, render_template, request

from ..claims.review import page_of
from ..errors import BadRequestError
from ..rdf.formats import DATA_CSV, DATA_JSON, HTML, TABLES, by_extension
from ..search.index import CLOSE, KINDS, LABELS, MAX_QUERY, OPEN, Hit, SearchIndex, build_index
from .context import current_backend, current_settings, kept
from .http import conditional, negotiate, versioned
from .linked_data.describe import select

bp = Blueprint("search", __name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def current_index() -> SearchIndex:
    base = current_settings().base
    return kept("search-index", lambda: build_index(select, base))


def snippet_html(hit: Hit) -> str:
    return escape(hit.snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def snippet_text(hit: Hit) -> str:
    return hit.snippet.replace(OPEN, "").replace(CLOSE, "")


@bp.route("/search")
@bp.route("/search.<ext>")
def search(ext: str | None = None) -> Response:
    explicit = None
    if ext is not None:
        fmt = by_extension(ext, TABLES)
        if fmt is None:
            raise BadRequestError(f"/search is offered as .json or .csv, not .{ext}")
        explicit = fmt.name
    fmt = negotiate(TABLES, explicit)
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequestError(f"q is longer than {MAX_QUERY} characters")
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    kinds = request.args.getlist("kind")
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise BadRequestError(f"kind must be one of {', '.join(KINDS)}, not {', '.join(unknown)}")
    version = current_backend().version()
    variant = f"search-{fmt.name}-{request.query_string.decode('latin-1')}"
    unchanged = conditional(version, variant)
    if unchanged is not None:
        return unchanged
    hits = current_index().search(query, int(raw), kinds) if query else []
    base = current_settings().base
    root = request.script_root + "/"
    if fmt is DATA_JSON:
        body = {"q": query, "total": len(hits), "hits": [_hit_json(h, base, root) for h in hits]}
        response = Response(
            json.dumps(body, indent=2, ensure_ascii=False) + "\n", content_type="application/json"
        )
    elif fmt is DATA_CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["rank", "kind", "title", "snippet", "iri", "page", "near_miss"])
        for n, h in enumerate(hits, 1):
            page = root + page_of(base, h.iri)[len(base) :]
            writer.writerow([n, h.kind, h.title, snippet_text(h), h.iri, page, h.near_miss])
        response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        assert fmt is HTML
        shown = [
            {
                "kind": h.kind_label,
                "title": h.title,
                "snippet": snippet_html(h),
                "href": root + page_of(base, h.iri)[len(base) :],
                "near_miss": h.near_miss,
            }
            for h in hits
        ]
        response = Response(
            render_template(
                "search.html",
                root="./",
                section="search",
                q=query,
                hits=shown,
                kinds=[(k, LABELS[k]) for k in KINDS],
                chosen=kinds,
                query_string=request.query_string.decode("latin-1"),
            ),
            content_type="text/html; charset=utf-8",
        )
    return versioned(response, version, variant)


def _hit_json(hit: Hit, base: str, root: str) -> dict[str, Any]:
    return {
        "iri": hit.iri,
        "kind": hit.kind,
        "title": hit.title,
        "snippet": snippet_text(hit),
        "snippet_html": snippet_html(hit),
        "page": root + page_of(base, hit.iri)[len(base) :],
        "near_miss": hit.near_miss,
    }
