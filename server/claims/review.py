"""Verdicts as fact-checkers publish them: schema.org ``ClaimReview`` (JSON-LD) and CSV.

A ``ClaimReview`` here: ``claimReviewed`` (the words), ``itemReviewed`` (a ``Claim`` with its
``author``, ``datePublished`` and ``appearance``, the document it was made in), ``author`` (the
publisher of ofsted-kg), ``datePublished`` (when the verdict was reached), ``reviewRating`` (a
``Rating`` whose ``alternateName`` is the outcome and ``ratingExplanation`` the reason), ``url``
(the claim's page) and ``isBasedOn`` (the official judgements used). The context maps every term
to schema.org's ``https://schema.org/`` namespace inline, so a JSON-LD processor needs no network.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "url": {"@type": "@id"},
    "isBasedOn": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}
ORDER = ("differs", "partly-agrees", "agrees", "cannot-be-checked")  # what /claims shows first
WORDS = {
    "agrees": "Agrees with Ofsted's record",
    "differs": "Differs from Ofsted's record",
    "partly-agrees": "Partly agrees with Ofsted's record",
    "cannot-be-checked": "Cannot be checked against Ofsted's record",
}
RATING = {"differs": 1, "partly-agrees": 2, "agrees": 3}
PUBLISHER = "ofsted-kg"


@dataclass
class ReviewRow:
    """One claim and its verdict, as the listing query reads them."""

    claim: str
    verdict: str
    outcome: str  # the outcome's key: agrees, differs, partly-agrees, cannot-be-checked
    reason: str
    decided: str
    text: str
    speaker: str
    speaker_name: str
    role: str
    document: str
    title: str
    issued: str
    page: str
    publisher: str
    council: str
    council_name: str
    rules: list[str] = field(default_factory=list)
    judgements: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        """Whether a rule matched what the claim says (else no rule could check it)."""
        return any(not r.endswith("/nothing-to-check") for r in self.rules)


def _v(row: Mapping[str, Any], name: str) -> str:
    term = row.get(name)
    return "" if term is None or isinstance(term, ox.Triple) else str(term.value)


def review_rows(rows: Iterable[Mapping[str, Any]]) -> list[ReviewRow]:
    """The listing query's rows, one per claim (the first row of a claim wins)."""
    found: dict[str, ReviewRow] = {}
    for row in rows:
        claim = _v(row, "c")
        if claim in found:
            continue
        found[claim] = ReviewRow(
            claim=claim,
            verdict=_v(row, "v"),
            outcome=_v(row, "outcome").rsplit("/", 1)[-1],
            reason=_v(row, "reason"),
            decided=_v(row, "decided"),
            text=_v(row, "statement") or _v(row, "quotations"),
            speaker=_v(row, "speaker"),
            speaker_name=_v(row, "speakerName"),
            role=_v(row, "role"),
            document=_v(row, "doc"),
            title=_v(row, "title"),
            issued=_v(row, "issued"),
            page=_v(row, "page"),
            publisher=_v(row, "publisherName"),
            council=_v(row, "council"),
            council_name=_v(row, "councilName"),
            rules=sorted(_v(row, "rules").split()),
            judgements=sorted(_v(row, "judgements").split()),
            parts=sorted(_v(row, "parts").split()),
        )
    return sorted(found.values(), key=sort_key)


def sort_key(row: ReviewRow) -> tuple[int, str, str]:
    """Those that differ from the record first, then partly, then agree; newest source first."""
    rank = ORDER.index(row.outcome) if row.outcome in ORDER else len(ORDER)
    return rank, _negate(row.issued), row.claim


def _negate(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def page_of(base: str, iri: str) -> str:
    """The page about an IRI under the base (``/id/`` to ``/doc/``)."""
    marker = base + "id/"
    return base + "doc/" + iri[len(marker) :] if iri.startswith(marker) else iri


def claim_review(row: ReviewRow, base: str) -> dict[str, Any]:
    """The ClaimReview of one verdict, without its ``@context``."""
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if row.document:
        appearance["@id"] = row.document
    appearance["url"] = row.page or page_of(base, row.document)
    if row.title:
        appearance["headline"] = row.title
    if row.issued:
        appearance["datePublished"] = row.issued
    if row.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": row.publisher}
    author: dict[str, Any] = {"@type": "Person", "name": row.speaker_name or "not named"}
    if row.speaker:
        author["@id"] = row.speaker
        author["url"] = page_of(base, row.speaker)
    if row.role:
        author["jobTitle"] = row.role
    claim: dict[str, Any] = {
        "@type": "Claim",
        "@id": row.claim,
        "author": author,
        "appearance": appearance,
        "firstAppearance": appearance,
    }
    if row.issued:
        claim["datePublished"] = row.issued
    if row.council:
        claim["about"] = {
            "@type": "GovernmentOrganization",
            "@id": row.council,
            "name": row.council_name or row.council.rsplit("/", 1)[-1],
        }
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": row.outcome,
        "name": WORDS.get(row.outcome, row.outcome),
        "ratingExplanation": row.reason,
    }
    if row.outcome in RATING:
        rating.update(ratingValue=RATING[row.outcome], bestRating=3, worstRating=1)
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "@id": row.verdict,
        "url": page_of(base, row.claim),
        "claimReviewed": row.text,
        "itemReviewed": claim,
        "author": {"@type": "Organization", "name": PUBLISHER, "url": base},
        "reviewRating": rating,
    }
    if row.decided:
        review["datePublished"] = row.decided
    if row.judgements:
        review["isBasedOn"] = row.judgements
    return review


def reviews_document(rows: Iterable[ReviewRow], base: str) -> dict[str, Any]:
    """Every ClaimReview, in one JSON-LD document."""
    return {"@context": CONTEXT, "@graph": [claim_review(r, base) for r in rows]}


def one_review(row: ReviewRow, base: str) -> dict[str, Any]:
    return {"@context": CONTEXT, **claim_review(row, base)}


CSV_COLUMNS = (
    "claim",
    "outcome",
    "reason",
    "rules",
    "judgements",
    "council",
    "council_name",
    "text",
    "speaker",
    "role",
    "title",
    "publisher",
    "issued",
    "url",
    "decided",
    "verdict",
)


def csv_text(rows: Iterable[ReviewRow]) -> str:
    """One line per claim: its verdict and where it comes from (RFC 4180, a header line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.claim,
                r.outcome,
                r.reason,
                " ".join(r.rules),
                " ".join(r.judgements),
                r.council,
                r.council_name,
                r.text,
                r.speaker_name,
                r.role,
                r.title,
                r.publisher,
                r.issued,
                r.page,
                r.decided,
                r.verdict,
            ]
        )
    return out.getvalue()
