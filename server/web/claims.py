"""Claims checked against Ofsted's record (docs/fact-checking.md).

    POST /claims                 a claim as JSON, with the update token: 201, ``Location`` the
                                 claim's page, and its verdict; or the form of /claims/new (the
                                 token in a field): 303 to the claim's page
    GET  /claims                 every claim with its verdict, those that differ from the record
                                 first (``?outcome=differs`` and so on); HTML, and its twins
                                 ``/claims.json`` and ``/claims.csv`` (also by ``Accept``)
    GET  /claims/new             the form, for people who hold the token
    GET  /claims/reviews.jsonld  every verdict a rule reached, as schema.org ClaimReview
    GET  /claims/checks.csv      every check (one line per rule and claim) with its claim

The claim pages (``/doc/claim/...``) embed their ClaimReview; a council's page lists its claims
with their outcomes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request

from ..backends.base import Write
from ..claims.intake import ABOUT_FIELDS
from ..claims.review import (
    ORDER,
    WORDS,
    ReviewRow,
    csv_text,
    one_review,
    page_of,
    review_rows,
    reviews_document,
)
from ..claims.service import take_claim
from ..errors import BadRequestError, HttpError, UnsupportedMediaTypeError
from ..rdf.formats import DATA_CSV, DATA_JSON, HTML, TABLES, by_extension
from ..rdf.limits import check_json
from .context import check_token, current_backend, current_settings, kept
from .http import conditional, negotiate, versioned
from .linked_data.describe import select
from .linked_data.queries import fill

bp = Blueprint("claims", __name__)

FORM_FIELDS = (
    "text",
    "speaker_name",
    "speaker_role",
    "source_title",
    "source_publisher",
    "source_url",
    "source_issued",
    *(f for f in ABOUT_FIELDS if f != "areas"),  # counts by grade: JSON only
)
MAX_BODY = 64 * 1024


def all_reviews() -> list[ReviewRow]:
    """Every claim with its verdict, for the version served (worked out once per version)."""
    base = current_settings().base
    return kept("claim-reviews", lambda: review_rows(select(fill("claim-reviews", base))))


def review_of(claim: str) -> ReviewRow | None:
    return next((r for r in all_reviews() if r.claim == claim), None)


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return Response(body, status=status, content_type="application/json")


# -- Sending a claim ------------------------------------------------------------------------------


def _take(body: Any, by: str) -> tuple[str, dict[str, Any]]:
    settings = current_settings()
    backend = current_backend()

    def write(update: str) -> None:
        backend.write(Write("update", text=update, by=by))

    taken = take_claim(body, select, write, settings.base, by)
    return taken.claim, taken.answer


@bp.route("/claims", methods=["POST"])
def post_claim() -> Response:
    media = (request.mimetype or "").lower()
    if (request.content_length or 0) > MAX_BODY:
        raise BadRequestError(f"a claim's body is at most {MAX_BODY // 1024} KiB")
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _post_form()
    if media != "application/json":
        raise UnsupportedMediaTypeError(
            "send the claim as JSON (Content-Type: application/json), or the form of /claims/new"
        )
    by = check_token()
    raw = request.get_data(cache=False)
    check_json(raw, "claim")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequestError(f"the body is not JSON: {exc}") from None
    claim, answer = _take(body, by)
    response = _json(answer, 201)
    base = current_settings().base
    response.headers["Location"] = (
        request.host_url.rstrip("/") + request.script_root + "/" + page_of(base, claim)[len(base) :]
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_body(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the JSON body of a claim (empty fields left out)."""

    def given(name: str) -> str | None:
        value = form.get(name, "").strip()
        return value or None

    about: dict[str, Any] = {"council": given("council")}
    for name in ("grade", "date", "inspection", "framework", "area", "published", "rank", "change"):
        if given(name) is not None:
            about[name] = given(name)
    year = given("year")
    if year is not None:
        about["year"] = int(year) if year.isdigit() else year
    body: dict[str, Any] = {
        "text": given("text"),
        "speaker": {"name": given("speaker_name")},
        "source": {
            "title": given("source_title"),
            "publisher": given("source_publisher"),
            "issued": given("source_issued"),
        },
        "about": about,
    }
    if given("speaker_role"):
        body["speaker"]["role"] = given("speaker_role")
    if given("source_url"):
        body["source"]["url"] = given("source_url")
    return body


def _post_form() -> Response:
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        by = check_token(request.form.get("token", ""))
        claim, _ = _take(_form_body(form), by)
    except HttpError as exc:
        if exc.status >= 500:
            raise
        page = render_template(
            "claims_new.html",
            root="../",
            section="claims",
            form=form,
            error=exc.detail,
            fields=_field_help(),
        )
        return Response(page, status=exc.status, content_type="text/html; charset=utf-8")
    base = current_settings().base
    return redirect(request.script_root + "/" + page_of(base, claim)[len(base) :], code=303)  # type: ignore[return-value]


def _field_help() -> dict[str, str]:
    return {
        "grade": "outstanding, good, adequate, requires improvement, inadequate",
        "inspection": "latest, previous or earlier (or give a year or a date)",
        "published": "today, yesterday, last week, or a date (YYYY-MM-DD)",
        "rank": "top third, bottom half, top 10%…",
        "change": "improved, declined or unchanged",
    }


@bp.route("/claims/new")
def new_claim() -> str:
    return render_template(
        "claims_new.html", root="../", section="claims", form={}, error=None, fields=_field_help()
    )


# -- Reading them ---------------------------------------------------------------------------------


@bp.route("/claims")
@bp.route("/claims.<ext>")
def list_claims(ext: str | None = None) -> Response:
    explicit = None
    if ext is not None:
        fmt = by_extension(ext, TABLES)
        if fmt is None:
            raise BadRequestError(f"/claims is offered as .json or .csv, not .{ext}")
        explicit = fmt.name
    fmt = negotiate(TABLES, explicit)
    wanted = request.args.get("outcome", "").strip()
    if wanted and wanted not in ORDER:
        raise BadRequestError(f"outcome must be one of {', '.join(ORDER)}")
    version = current_backend().version()
    variant = f"claims-{fmt.name}-{wanted}"
    unchanged = conditional(version, variant)
    if unchanged is not None:
        return unchanged
    rows = [r for r in all_reviews() if not wanted or r.outcome == wanted]
    base = current_settings().base
    if fmt is DATA_JSON:
        response = _json(
            {
                "claims": [_row_json(r, base) for r in rows],
                "outcome": wanted or None,
                "total": len(rows),
            }
        )
    elif fmt is DATA_CSV:
        response = Response(csv_text(rows), content_type="text/csv; charset=utf-8")
    else:
        assert fmt is HTML
        counts = {o: sum(1 for r in all_reviews() if r.outcome == o) for o in ORDER}
        response = Response(
            render_template(
                "claims.html",
                root="./",
                section="claims",
                rows=rows,
                wanted=wanted,
                counts=counts,
                words=WORDS,
                order=ORDER,
                base=base,
                page_of=page_of,
                query=("?outcome=" + wanted) if wanted else "",
            ),
            content_type="text/html; charset=utf-8",
        )
    return versioned(response, version, variant)


def _row_json(row: ReviewRow, base: str) -> dict[str, Any]:
    return {
        "claim": row.claim,
        "page": page_of(base, row.claim),
        "text": row.text,
        "speaker": row.speaker_name,
        "role": row.role or None,
        "source": {
            "title": row.title,
            "publisher": row.publisher,
            "issued": row.issued,
            "url": row.page or None,
        },
        "council": row.council or None,
        "council_name": row.council_name or None,
        "check": {
            "outcome": row.outcome,
            "reason": row.reason,
            "judgements": row.judgements,
            "rules": row.rules,
            "verdict": row.verdict,
            "decided": row.decided,
        },
    }


@bp.route("/claims/reviews.jsonld")
def reviews() -> Response:
    version = current_backend().version()
    unchanged = conditional(version, "claim-reviews")
    if unchanged is not None:
        return unchanged
    base = current_settings().base
    document = reviews_document([r for r in all_reviews() if r.checked], base)
    response = Response(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        content_type="application/ld+json",
    )
    return versioned(response, version, "claim-reviews")


@bp.route("/claims/checks.csv")
def checks_csv() -> Response:
    version = current_backend().version()
    unchanged = conditional(version, "claim-checks")
    if unchanged is not None:
        return unchanged
    base = current_settings().base
    parts = select(fill("claim-check-parts", base))
    by_verdict: dict[str, list[dict[str, str]]] = {}
    for row in parts:
        by_verdict.setdefault(row["v"].value, []).append(
            {
                k: (row[k].value if k in row else "")
                for k in ("r", "rule", "outcome", "reason", "facts", "judgements")
            }
        )
    lines = [
        [
            "check",
            "claim",
            "rule",
            "outcome",
            "reason",
            "facts",
            "judgements",
            "claim_outcome",
            "council",
            "council_name",
            "text",
            "speaker",
            "title",
            "publisher",
            "issued",
            "url",
        ]
    ]
    for r in all_reviews():
        for part in by_verdict.get(r.verdict) or [
            {
                "r": r.verdict,
                "rule": " ".join(r.rules),
                "outcome": r.outcome,
                "reason": r.reason,
                "facts": "",
                "judgements": "",
            }
        ]:
            lines.append(
                [
                    part["r"],
                    r.claim,
                    part["rule"],
                    part["outcome"].rsplit("/", 1)[-1],
                    part["reason"],
                    part["facts"],
                    part["judgements"],
                    r.outcome,
                    r.council,
                    r.council_name,
                    r.text,
                    r.speaker_name,
                    r.title,
                    r.publisher,
                    r.issued,
                    r.page,
                ]
            )
    response = Response(_csv(lines), content_type="text/csv; charset=utf-8")
    return versioned(response, version, "claim-checks")


def _csv(lines: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue()


def review_json_ld(claim: str) -> str | None:
    """The claim page's ClaimReview, as a JSON-LD script's text (None if no rule checked it)."""
    row = review_of(claim)
    if row is None or not row.checked:
        return None
    text = json.dumps(one_review(row, current_settings().base), ensure_ascii=False, indent=1)
    return text.replace("</", "<\\/")  # never ends the script element early
