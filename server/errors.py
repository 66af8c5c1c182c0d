"""The project's exception types, and the one renderer that turns them into the JSON error shape.

Every error a user can cause (bad configuration, a Turtle syntax error, a shape violation, a
malformed query) is an ``OfstedKgError``: the command line prints its message on one line and exits
with its ``exit_code``; the web app answers with its ``status`` and the body

    {"error": {"status": 400, "title": "Malformed query", "detail": "..."}}

Anything else that reaches the web layer is a bug: it answers 500 with a fixed detail, never the
exception's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class OfstedKgError(Exception):
    """Base class: an error whose message is written for the person who caused it."""

    status: int = 500
    title: str = "Internal server error"
    exit_code: int = 1

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# -- Command line and build errors ------------------------------------------------------------


class ConfigError(OfstedKgError):
    """A setting has a value that cannot be used."""

    title = "Configuration error"
    exit_code = 2


# Oxigraph's parsers begin their messages with the position, which SyntaxProblem gives apart.
_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) [^:]*:\s*")


@dataclass(frozen=True)
class SyntaxProblem:
    """One syntax error in one source file: where it is and what the parser said."""

    path: str  # relative to the project root, with forward slashes
    line: int | None
    column: int | None
    message: str

    @classmethod
    def from_parser(cls, path: str, exc: SyntaxError) -> SyntaxProblem:
        """What a parser's SyntaxError says, without the position it repeats in its message."""
        message = _POSITION_PREFIX.sub("", exc.msg or str(exc)) or "syntax error"
        return cls(path, exc.lineno, exc.offset, message)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class SourceSyntaxError(OfstedKgError):
    """One or more source files could not be parsed."""

    title = "Syntax error in source files"

    def __init__(self, problems: list[SyntaxProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class SourceError(OfstedKgError):
    """The source tree is not laid out as expected (a missing folder, clashing graph names)."""

    title = "Source tree error"


class StoreError(OfstedKgError):
    """The store directory cannot be opened, created or replaced."""

    title = "Store error"


class ValidationError(OfstedKgError):
    """The data violates the shapes; ``report`` holds the details."""

    title = "SHACL validation failed"

    def __init__(self, detail: str, report: Any) -> None:
        super().__init__(detail)
        self.report = report


# -- HTTP-facing errors -----------------------------------------------------------------------


class HttpError(OfstedKgError):
    """An error the web layer answers with its own status code."""

    public = False  # a 5xx whose detail is safe to show (a deadline, a remote failure)
    # Whether the client asked for HTML, when the route knows (a page's extension, say); None:
    # the error answers as the Accept header prefers.
    wants_html: bool | None = None

    def headers(self) -> dict[str, str]:
        """Extra response headers this error calls for."""
        return {}


class BadRequestError(HttpError):
    status = 400
    title = "Bad request"
    exit_code = 2


class QuerySyntaxError(BadRequestError):
    """The query (or update) text does not parse; ``detail`` is the parser's message."""

    title = "Malformed query"


class InputLimitError(BadRequestError):
    """The request is over one of the server's limits on its input (nesting depth, entity
    declarations); ``detail`` names the limit."""

    title = "Input over a limit"


class UpdateFailedError(BadRequestError):
    """An update that parses but cannot be carried out as asked (a graph that does not exist, or
    one that already does, without SILENT); ``detail`` is the engine's message."""

    title = "Update failed"


class ClaimValueError(HttpError):
    """A claim's field holds a value that cannot be used: an unknown council, grade, framework or
    area, a date in the future; ``detail`` names the field and why."""

    status = 422
    title = "The claim cannot be used"
    exit_code = 2


class ConflictError(HttpError):
    """What was sent is already kept (the same claim from the same source)."""

    status = 409
    title = "Already kept"
    exit_code = 2


class UnauthorizedError(HttpError):
    status = 401
    title = "Unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="ofsted-kg"'}


class ForbiddenError(HttpError):
    status = 403
    title = "Forbidden"


class NotFoundError(HttpError):
    status = 404
    title = "Not found"


class NotAcceptableError(HttpError):
    status = 406
    title = "Not acceptable"


class UnsupportedMediaTypeError(HttpError):
    status = 415
    title = "Unsupported media type"


class PayloadTooLargeError(HttpError):
    status = 413
    title = "Request body too large"


class ResultTooLargeError(HttpError):
    status = 422
    title = "Result too large"


class ShapesViolatedError(HttpError):
    """A write after which the data would violate the SHACL shapes; nothing of it was kept."""

    status = 422
    title = "The write would violate the shapes"


class QueryTimeoutError(HttpError):
    """The query ran past its deadline (not a bug: the detail is shown)."""

    status = 503
    title = "Query timed out"
    public = True

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class QueryMemoryError(HttpError):
    """The query needed more memory than a worker may take, and was stopped."""

    status = 503
    title = "Query stopped: out of memory"
    public = True


class ServiceBusyError(QueryTimeoutError):
    title = "Service busy"


class TooManyQueriesError(HttpError):
    """The client already has as many queries running as one client may (see ``admission``)."""

    status = 429
    title = "Too many queries at once"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class WriteMemoryError(HttpError):
    """The write needed more memory than a write may take, and was stopped; nothing was kept."""

    status = 503
    title = "Write stopped: out of memory"
    public = True


class WriteTimeoutError(HttpError):
    """The write ran past its deadline and was stopped; nothing of it was kept."""

    status = 503
    title = "Write timed out"
    public = True

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class BadGatewayError(HttpError):
    """The remote SPARQL server failed or could not be reached."""

    status = 502
    title = "Remote store failed"
    public = True


class InternalError(HttpError):
    status = 500
    title = "Internal server error"


INTERNAL_DETAIL = "The server failed to answer this request. The failure has been logged."


def error_body(status: int, title: str, detail: str) -> dict[str, dict[str, Any]]:
    """The one JSON error shape."""
    return {"error": {"status": status, "title": title, "detail": detail}}


def render(exc: BaseException) -> tuple[dict[str, dict[str, Any]], int]:
    """Turn any exception into (JSON body, status); internals are never exposed for a 5xx."""
    if isinstance(exc, OfstedKgError) and (
        exc.status < 500 or (isinstance(exc, HttpError) and exc.public)
    ):
        return error_body(exc.status, exc.title, exc.detail), exc.status
    if isinstance(exc, OfstedKgError) and isinstance(exc, HttpError):
        return error_body(exc.status, exc.title, INTERNAL_DETAIL), exc.status
    return error_body(500, InternalError.title, INTERNAL_DETAIL), 500
