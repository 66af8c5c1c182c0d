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

from collections.abc import Callable
from functools import partial

from flask import Blueprint, Response, redirect, render_template, request

from ...errors import NotFoundError
from ...rdf.formats import HTML, PAGES, Format, by_extension
from ..claims import review_json_ld
from ..context import current_backend, current_settings, kept
from ..http import negotiate, not_modified, versioned
from .bodies import cached_body
from .describe import council_index_description, describe, is_known, select
from .labels import Catalogue, Labeller, Site, make_catalogue
from .views import council_index, page

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


@bp.route("/doc/<path:key>", methods=["GET", "HEAD"])
def document(key: str) -> Response:
    if key.endswith("/") and key.strip("/"):  # /doc/council/ is /doc/council
        return redirect(request.script_root + "/doc/" + key.rstrip("/"), code=301)  # type: ignore[return-value]
    here = site()
    stem, extension = split_extension(key)
    if (
        extension is not None
        and not is_known(here.resource_iri(stem))
        and is_known(here.resource_iri(key))
    ):
        stem, extension = key, None  # an IRI that really ends with ".ttl" and the like
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
    ``Link`` headers."""
    here = site()
    version = current_backend().version()
    if not_modified(version, fmt.name):
        response = Response(status=304)
    else:
        data = cached_body((here.root, key, fmt.name), body)
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
    return versioned(response, version, fmt.name)


# -- The bodies: a page, a description, the index of councils and its data ----------------------


def render_page(key: str, resource: str) -> str:
    template, context = page(select, labeller(), key, resource, describe(resource))
    if template == "pages/claim.html":
        context["review_json"] = review_json_ld(resource)  # its ClaimReview, in the page's head
    return render_template(template, **context)


def description(resource: str, fmt: Format) -> bytes:
    return describe(resource).serialize(fmt.rdf, current_settings().base)


def render_council_index() -> str:
    return render_template("pages/council_index.html", **council_index(select, labeller()))


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
