"""The site's header: the same bar of links at the top of every HTML page.

The Jinja pages (``templates/pages/base.html``) and the pages written as plain strings (the query
page, the ontology's documentation, the downloads and the dataset description) all call
``site_header`` with the relative or absolute path of the site's root from where they are served.
"""

from __future__ import annotations

import html

from markupsafe import Markup

# (path under the root, label): what a reader can reach from any page.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("doc/council", "Councils"),
    ("", "Query"),
    ("def/", "Ontology"),
    ("dumps/", "Downloads"),
    (".well-known/void", "About the data"),
)

# The stylesheet every page shares, under the root.
STYLESHEET = "static/pages/pages.css"


def site_header(root: str, current: str | None = None) -> Markup:
    """The skip link and the site's header; ``current`` (a path of SECTIONS) is marked as the
    page the reader is on."""
    root = html.escape(root or "./")
    items = "".join(
        f'<li><a href="{root}{path}"'
        + (' aria-current="page"' if path == current else "")
        + f">{label}</a></li>"
        for path, label in SECTIONS
    )
    return Markup(
        '<a class="skip" href="#main">Skip to content</a>\n'
        '<header class="site">\n'
        f'  <nav aria-label="Site"><a class="brand" href="{root}">ofsted-kg</a>'
        f"<ul>{items}</ul></nav>\n"
        "</header>"
    )
