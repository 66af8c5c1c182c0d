"""Every error the project raises, pinned: its status and its title, in words.

The titles are part of the API (``{"error": {"status", "title", "detail"}}``): a client may show
them, or match on them. A new error class fails here until it is added to the table with a title a
person can read; a renamed title fails here too.
"""

from __future__ import annotations

import re
from pathlib import Path

from ofsted_kg import errors
from ofsted_kg.backends import remote
from ofsted_kg.convert import official
from ofsted_kg.web.linked_data import routes

# Modules that define errors of their own, beside errors.py (imported so that their classes exist).
OTHER_ERROR_MODULES = (remote, official, routes)

TITLES = {
    "OfstedKgError": (500, "Internal server error"),
    "ConfigError": (500, "Configuration error"),
    "SourceSyntaxError": (500, "Syntax error in source files"),
    "SourceError": (500, "Source tree error"),
    "ConversionError": (500, "Conversion error"),
    "StoreError": (500, "Store error"),
    "ValidationError": (500, "SHACL validation failed"),
    "HttpError": (500, "Internal server error"),
    "ClaimValueError": (422, "The claim cannot be used"),
    "ConflictError": (409, "Already kept"),
    "BadRequestError": (400, "Bad request"),
    "QuerySyntaxError": (400, "Malformed query"),
    "InputLimitError": (400, "Input over a limit"),
    "UpdateFailedError": (400, "Update failed"),
    "UnauthorizedError": (401, "Unauthorized"),
    "ForbiddenError": (403, "Forbidden"),
    "NotFoundError": (404, "Not found"),
    "NotInGraphError": (404, "Not in this graph"),
    "NotAcceptableError": (406, "Not acceptable"),
    "PayloadTooLargeError": (413, "Request body too large"),
    "UnsupportedMediaTypeError": (415, "Unsupported media type"),
    "ResultTooLargeError": (422, "Result too large"),
    "ShapesViolatedError": (422, "The write would violate the shapes"),
    "TooManyQueriesError": (429, "Too many queries at once"),
    "InternalError": (500, "Internal server error"),
    "BadGatewayError": (502, "Remote store failed"),
    "RemoteTimeoutError": (504, "Remote store timed out"),
    "RemoteUnavailableError": (503, "Remote store unavailable"),
    "QueryTimeoutError": (503, "Query timed out"),
    "QueryMemoryError": (503, "Query stopped: out of memory"),
    "ServiceBusyError": (503, "Service busy"),
    "WriteMemoryError": (503, "Write stopped: out of memory"),
    "WriteTimeoutError": (503, "Write timed out"),
}


def _subclasses(base: type) -> set[type]:
    found = {base}
    for sub in base.__subclasses__():
        found |= _subclasses(sub)
    return found


def test_every_error_has_its_pinned_status_and_title() -> None:
    classes = {cls.__name__: cls for cls in _subclasses(errors.OfstedKgError)}
    assert set(classes) == set(TITLES), "add new error classes to TITLES (and remove dead ones)"
    for name, cls in classes.items():
        assert (cls.status, cls.title) == TITLES[name], name


def test_every_error_class_is_raised_somewhere() -> None:
    """No dead error classes: each is raised (or caught, or rendered) outside errors.py."""
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in Path(errors.__file__).parent.rglob("*.py")
        if p != Path(errors.__file__)
    )
    classes = {cls.__name__: cls for cls in _subclasses(errors.OfstedKgError)}
    for name, cls in classes.items():
        if name in ("OfstedKgError", "HttpError", "InternalError"):
            continue  # the bases, and the fallback the renderer names
        defined_here = 0 if cls.__module__ == errors.__name__ else 1  # its own "class X" line
        uses = len(re.findall(rf"\b{name}\b", source)) - defined_here
        assert uses > 0, f"{name} is never used: remove it"
