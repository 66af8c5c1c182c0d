"""A claim sent as JSON (``POST /claims``, ``ofsted-kg claim add``): validated field by field, and
turned into the quads of its own named graph (docs/fact-checking.md, "Sending a claim").

A body that is not what the format says (not an object, a field of the wrong type, an unknown
field) is a ``BadRequestError`` (400); a value that cannot be used (an unknown council, grade,
framework or area, a date in the future) is a ``ClaimValueError`` (422). Both name the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from ..errors import BadRequestError, ClaimValueError
from ..rdf.namespaces import DCT, FOAF, ORG, PROV, RDF_TYPE, RDFS, SKOS, TIME, XSD
from .model import Period
from .record import Record

TOP = {"text", "speaker", "source", "about"}
SPEAKER = {"name", "role"}
SOURCE = {"title", "publisher", "url", "issued"}
ABOUT_FIELDS = (
    "council",
    "grade",
    "year",
    "date",
    "inspection",
    "framework",
    "area",
    "published",
    "areas",
    "rank",
    "change",
)  # in the order the form asks for them
ABOUT = set(ABOUT_FIELDS)
CHANGE = {"direction", "from", "to", "from_year", "to_year"}
KINDS = ("grade", "published", "areas", "rank", "change")
POSITIONS = ("latest", "previous", "earlier")
PUBLISHED_WORDS = ("today", "yesterday", "last week", "last month")
DIRECTIONS = {
    "improved": "improved",
    "improving": "improved",
    "better": "improved",
    "getting better": "improved",
    "up": "improved",
    "moved up": "improved",
    "declined": "declined",
    "declining": "declined",
    "worse": "declined",
    "getting worse": "declined",
    "down": "declined",
    "moved down": "declined",
    "unchanged": "unchanged",
    "the same": "unchanged",
    "same": "unchanged",
    "stayed the same": "unchanged",
}
SHARES = {"half": 2, "third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
COUNCIL_WORDS = {
    "council",
    "county",
    "city",
    "borough",
    "metropolitan",
    "district",
    "london",
    "royal",
    "of",
    "the",
}
MAX_TEXT = 10_000


@dataclass
class Submission:
    """A claim as sent, checked: every value resolved to what the graph uses."""

    text: str
    speaker: str
    role: str
    role_iri: str
    title: str
    publisher: str
    url: str
    issued: Period
    council: str
    grade: str = ""
    year: Period | None = None
    date: Period | None = None
    position: str = ""
    framework: str = ""
    area: str = ""
    published: str = ""  # words, or a date as written
    areas: dict[str, int] = field(default_factory=dict)
    rank: tuple[str, int, int] | None = None
    rank_words: str = ""
    change: dict[str, Any] = field(default_factory=dict)
    change_words: str = ""

    def key(self) -> str:
        """The claim's identifier: the same words from the same source about the same thing."""
        payload = json.dumps(
            [
                self.text,
                self.speaker,
                self.title,
                self.publisher,
                self.url,
                self.issued.words(),
                self.council,
                self.grade,
                str(self.year),
                str(self.date),
                self.position,
                self.framework,
                self.area,
                self.published,
                self.areas,
                self.rank,
                self.change,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _bad(path: str, why: str) -> BadRequestError:
    return BadRequestError(f"{path}: {why}")


def _unusable(path: str, why: str) -> ClaimValueError:
    return ClaimValueError(f"{path}: {why}")


def _object(value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(path, "must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _bad(
            path, f"unknown field {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )
    return value


def _text(value: Any, path: str, required: bool = True, limit: int = 500) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _bad(path, "is required and must not be empty")
        return ""
    if not isinstance(value, str):
        raise _bad(path, "must be a string")
    text: str = unicodedata.normalize("NFC", value.strip())
    if len(text) > limit:
        raise _bad(path, f"is longer than {limit:,} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise _bad(path, "holds control characters")
    return text


def _period(value: Any, path: str, today: dt.date) -> Period:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _bad(path, "must be a date as a string: YYYY-MM-DD, YYYY-MM or YYYY")
    period = Period.parse(str(value))
    if period is None:
        raise _bad(path, f"{value!r} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY")
    if period.start > today:
        raise _unusable(path, f"{period.words()} is in the future")
    return period


def _year(value: Any, path: str, today: dt.date) -> Period:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _bad(path, "must be a year, as a number (2023)")
    if isinstance(value, str) and not re.fullmatch(r"\d{4}", value.strip()):
        raise _bad(path, f"{value!r} is not a year: give four digits (2023)")
    year = int(value)
    if not 1900 <= year <= today.year:
        raise _unusable(path, f"{year} is not a year Ofsted could have inspected in")
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


def _normal(name: str) -> str:
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    name = name.replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def _short(name: str) -> str:
    return " ".join(w for w in _normal(name).split() if w not in COUNCIL_WORDS)


def find_council(record: Record, given: str, path: str = "about.council") -> str:
    """A council's IRI from its GSS code or its name (docs/fact-checking.md)."""
    councils = record.councils
    code = given.strip().upper()
    if re.fullmatch(r"[EWSN]\d{8}", code):
        for council in councils.values():
            if council.gss == code:
                return council.iri
        raise _unusable(path, f"no council in Ofsted's record has the GSS code {code}")
    for normalise in (_normal, _short):
        wanted = normalise(given)
        found = sorted(
            {c.iri for c in councils.values() if any(normalise(n) == wanted for n in c.names)}
        )
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listed = "; ".join(f"{councils[i].label} ({councils[i].gss})" for i in found[:6])
            raise _unusable(path, f"{given!r} could be any of: {listed}; give the GSS code")
    labels = {c.label: c for c in councils.values()}
    near = difflib.get_close_matches(given, list(labels), n=3, cutoff=0.4)
    if not near:
        by_short = {_short(c.label): c for c in councils.values()}
        near = [
            by_short[s].label
            for s in difflib.get_close_matches(_short(given), list(by_short), n=3, cutoff=0.4)
        ]
    listed = "; ".join(f"{n} ({labels[n].gss})" for n in near) or "none close"
    raise _unusable(path, f"no council is called {given!r}; the nearest: {listed}")


def find_grade(record: Record, given: Any, path: str) -> str:
    if not isinstance(given, str) or not given.strip():
        raise _bad(path, 'must be a grade as a string ("good")')
    wanted = _normal(given)
    if wanted in ("requires improvement", "ri", "requires improvement to be good"):
        wanted = "requires improvement to be good"
    scales = {record.okg + "grade/2013", record.okg + "grade/2009"}
    found = [
        g.iri for g in record.grades.values() if g.scale in scales and _normal(g.label) == wanted
    ]
    if not found:
        raise _unusable(
            path,
            f"{given!r} is not one of Ofsted's grades: outstanding, good, adequate, "
            "requires improvement (to be good), inadequate",
        )
    today = [g for g in found if g.startswith(record.okg + "grade/2013/")]
    chosen: str = (today or found)[0]
    return chosen


def on_scale(record: Record, grade: str, framework: str) -> str:
    """The grade on the scale of the framework named (Requires improvement to be good is
    Adequate on the 2009 scale), or as it is when no framework is named or none matches."""
    scale = record.frameworks[framework].scale if framework in record.frameworks else ""
    if not scale or record.grades[grade].scale == scale:
        return grade
    match = [
        g
        for g in record.grades[grade].close
        if record.grades.get(g, None) and record.grades[g].scale == scale
    ]
    return match[0] if match else grade


def _find_named(options: dict[str, set[str]], given: Any, path: str, what: str) -> str:
    if not isinstance(given, str) or not given.strip():
        raise _bad(path, f"must be {what} as a string")
    wanted = _normal(given)
    found = sorted(iri for iri, names in options.items() if wanted in names)
    if len(found) == 1:
        return found[0]
    known = sorted({min(names, key=len) for names in options.values()})
    raise _unusable(path, f"{given!r} is not {what} this graph knows: {', '.join(known)}")


def _framework_names(record: Record) -> dict[str, set[str]]:
    return {
        iri: {_normal(n) for n in f.names} | {_normal(iri.rsplit("/", 1)[-1])}
        for iri, f in record.frameworks.items()
    }


def _area_names(record: Record) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for iri, area in record.areas.items():
        label = _normal(area.label)
        found = {label, _normal(iri.rsplit("/", 1)[-1])}
        for lead in (
            "the experiences and progress of ",
            "experiences and progress of ",
            "the impact of ",
            "services for ",
        ):
            if label.startswith(lead):
                found.add(label[len(lead) :])
        if iri == record.overall:
            found.add("overall")
        names[iri] = found
    return names


def _rank(value: Any, path: str) -> tuple[str, int, int]:
    if not isinstance(value, str):
        raise _bad(path, 'must be a string such as "top third" or "bottom 10%"')
    words = _normal(value).replace(" or better", "").replace(" or worse", "")
    match = re.fullmatch(r"(?:in )?(?:the )?(top|bottom) (half|third|quarter|fifth|tenth)", words)
    if match:
        return match.group(1), 1, SHARES[match.group(2)]
    match = re.fullmatch(r"(?:in )?(?:the )?(top|bottom) (\d{1,2})", words)
    if match and value.strip().endswith("%") and 0 < int(match.group(2)) < 100:
        return match.group(1), int(match.group(2)), 100
    raise _unusable(
        path,
        f"{value!r} is not a share of councils: say top or bottom, then half, third, quarter, "
        'fifth, tenth or a percentage ("top 10%")',
    )


def _change(record: Record, value: Any, path: str, today: dt.date) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"direction": value}
    value = _object(value, path, CHANGE)
    out: dict[str, Any] = {}
    if value.get("direction") is not None:
        words = _normal(str(value["direction"]))
        if not isinstance(value["direction"], str) or words not in DIRECTIONS:
            raise _unusable(
                f"{path}.direction",
                f"{value['direction']!r} is not a direction: improved, declined or unchanged",
            )
        out["direction"] = DIRECTIONS[words]
    for key in ("from", "to"):
        if value.get(key) is not None:
            out[key] = find_grade(record, value[key], f"{path}.{key}")
    for key in ("from_year", "to_year"):
        if value.get(key) is not None:
            out[key] = _year(value[key], f"{path}.{key}", today)
    if not out:
        raise _unusable(path, "says nothing to check: give a direction, or the grades")
    return out


def parse_submission(body: Any, record: Record, today: dt.date | None = None) -> Submission:
    """Check a claim's JSON body and resolve its values; raises 400 or 422 naming the field."""
    today = today or dt.date.today()
    body = _object(body, "the body", TOP)
    text = _text(body.get("text"), "text", limit=MAX_TEXT)
    speaker = _object(body.get("speaker"), "speaker", SPEAKER)
    source = _object(body.get("source"), "source", SOURCE)
    about = _object(body.get("about"), "about", ABOUT)
    name = _text(speaker.get("name"), "speaker.name", limit=200)
    role = _text(speaker.get("role"), "speaker.role", required=False, limit=200)
    title = _text(source.get("title"), "source.title", limit=1000)
    publisher = _text(source.get("publisher"), "source.publisher", limit=300)
    url = _text(source.get("url"), "source.url", required=False, limit=2000)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            raise _bad("source.url", f"{url!r} is not an http(s) address")
        try:
            ox.NamedNode(url)
        except ValueError:
            raise _bad("source.url", f"{url!r} is not an http(s) address") from None
    if source.get("issued") is None:
        raise _bad("source.issued", "is required: YYYY-MM-DD, YYYY-MM or YYYY")
    issued = _period(source["issued"], "source.issued", today)
    if about.get("council") is None:
        raise _bad("about.council", "is required: a GSS code or a council's name")
    council_given = _text(about.get("council"), "about.council", limit=200)
    given = [k for k in KINDS if about.get(k) is not None]
    if not given:
        raise _unusable(
            "about", "says nothing a rule can check: give grade, published, areas, rank or change"
        )
    submission = Submission(
        text,
        name,
        role,
        _role(record, role),
        title,
        publisher,
        url,
        issued,
        find_council(record, council_given),
    )
    if about.get("year") is not None and about.get("date") is not None:
        raise _bad("about", "give year or date, not both")
    if about.get("year") is not None:
        submission.year = _year(about["year"], "about.year", today)
    if about.get("date") is not None:
        if not isinstance(about["date"], str) or Period.parse(about["date"]) is None:
            raise _bad("about.date", f"{about['date']!r} is not a date: give YYYY-MM-DD")
        submission.date = _period(about["date"], "about.date", today)
    for path, period in (("about.year", submission.year), ("about.date", submission.date)):
        if period is not None and period.start > issued.end:
            raise _unusable(path, f"{period.words()} is after the source's date, {issued.words()}")
    if about.get("inspection") is not None:
        position = about["inspection"]
        if not isinstance(position, str) or position.strip().lower() not in POSITIONS:
            raise _unusable(
                "about.inspection", f"{position!r} is not one of: {', '.join(POSITIONS)}"
            )
        submission.position = position.strip().lower()
    if about.get("framework") is not None:
        submission.framework = _find_named(
            _framework_names(record), about["framework"], "about.framework", "a framework"
        )
    if about.get("area") is not None:
        submission.area = _find_named(_area_names(record), about["area"], "about.area", "an area")
    if about.get("grade") is not None:
        submission.grade = find_grade(record, about["grade"], "about.grade")
    if about.get("published") is not None:
        published = about["published"]
        if not isinstance(published, str):
            raise _bad("about.published", 'must be a string: "today", "yesterday" or a date')
        words = _normal(published)
        if words in PUBLISHED_WORDS:
            submission.published = words
        else:
            period = _period(published, "about.published", today)
            submission.published = published.strip()
            if period.start > issued.end:
                raise _unusable(
                    "about.published",
                    f"{period.words()} is after the source's date, {issued.words()}",
                )
    if about.get("areas") is not None:
        areas = about["areas"]
        if not isinstance(areas, dict) or not areas:
            raise _bad("about.areas", 'must be an object of grade to count: {"good": 4}')
        for grade, count in areas.items():
            path = f"about.areas.{grade}"
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 20:
                raise _bad(path, "must be a whole number from 0 to 20")
            submission.areas[find_grade(record, grade, path)] = count
    if about.get("rank") is not None:
        submission.rank = _rank(about["rank"], "about.rank")
        submission.rank_words = str(about["rank"]).strip()
    if about.get("change") is not None:
        submission.change = _change(record, about["change"], "about.change", today)
        raw = about["change"]
        submission.change_words = raw.strip() if isinstance(raw, str) else ""
    return submission


def _role(record: Record, role: str) -> str:
    if not role:
        return ""
    wanted = _normal(role)
    for iri, names in record.roles.items():
        if wanted in {_normal(n) for n in names}:
            return iri
    return ""


def slug(text: str) -> str:
    return "-".join(_normal(text).split())[:80] or "unnamed"


@dataclass(frozen=True)
class Stored:
    claim: str
    graph: str
    quads: list[ox.Quad]


def claim_quads(submission: Submission, record: Record, by: str, at: dt.datetime) -> Stored:
    """The claim's named graph: the claim, its source, its speaker, what it asserts, and who sent
    it when."""
    base, o = record.base, record.okg
    key = submission.key()
    claim = f"{base}id/claim/submitted/{key}"
    graph = f"{base}graph/claims/{key}"
    g = ox.NamedNode(graph)
    quads: list[ox.Quad] = []

    def add(s: str, p: str, obj: str | ox.Literal) -> None:
        value = ox.NamedNode(obj) if isinstance(obj, str) else obj
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), value, g))

    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    def typed(value: str, kind: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))

    s = submission
    document_key = hashlib.sha256(
        json.dumps([s.title, s.publisher, s.url, s.issued.words()]).encode()
    ).hexdigest()[:16]
    document = f"{base}id/document/submitted-{document_key}"
    publisher = f"{base}id/organisation/{slug(s.publisher)}"
    person = f"{base}id/person/{slug(s.speaker)}"
    council_label = record.council_label(s.council)

    add(graph, RDF_TYPE, o + "SourceGraph")
    add(graph, RDFS + "label", text(f"a claim about {council_label}, sent by {by}", "en"))
    add(graph, PROV + "wasDerivedFrom", document)
    add(graph, o + "submittedBy", text(by))
    add(graph, DCT + "created", typed(at.isoformat(timespec="seconds"), "dateTime"))

    add(document, RDF_TYPE, o + "SourceDocument")
    add(document, DCT + "title", text(s.title))
    add(document, DCT + "publisher", publisher)
    add(document, DCT + "issued", s.issued.literal())
    add(document, DCT + "subject", s.council)
    if s.url:
        add(document, FOAF + "page", s.url)
    add(publisher, RDF_TYPE, o + "Publisher")
    add(publisher, RDF_TYPE, ORG + "Organization")
    add(publisher, RDFS + "label", text(s.publisher))
    add(publisher, DCT + "source", document)
    add(person, RDF_TYPE, FOAF + "Person")
    add(person, RDFS + "label", text(s.speaker))
    add(person, FOAF + "name", text(s.speaker))
    add(person, DCT + "source", document)
    if s.role_iri:
        membership = f"{base}id/membership/submitted-{key}/speaker"
        add(membership, RDF_TYPE, ORG + "Membership")
        add(membership, ORG + "member", person)
        add(membership, ORG + "organization", s.council)
        add(membership, ORG + "role", s.role_iri)
        add(membership, o + "titleAsStated", text(s.role))
        interval, instant = ox.BlankNode(), ox.BlankNode()
        quads.append(
            ox.Quad(ox.NamedNode(membership), ox.NamedNode(ORG + "memberDuring"), interval, g)
        )
        quads.append(ox.Quad(interval, ox.NamedNode(RDF_TYPE), ox.NamedNode(TIME + "Interval"), g))
        quads.append(ox.Quad(interval, ox.NamedNode(TIME + "inside"), instant, g))
        quads.append(ox.Quad(instant, ox.NamedNode(RDF_TYPE), ox.NamedNode(TIME + "Instant"), g))
        kind = {"day": "inXSDDate", "month": "inXSDgYearMonth"}.get(
            s.issued.precision, "inXSDgYear"
        )
        quads.append(ox.Quad(instant, ox.NamedNode(TIME + kind), s.issued.literal(), g))
        add(membership, PROV + "wasDerivedFrom", document)

    add(claim, RDF_TYPE, o + "Quotation")
    add(claim, o + "quotation", text(s.text))
    add(claim, o + "statement", text(s.text))
    add(claim, PROV + "wasAttributedTo", person)
    add(claim, PROV + "wasQuotedFrom", document)
    add(claim, PROV + "wasDerivedFrom", document)
    add(claim, o + "about", s.council)
    if s.role and not s.role_iri:
        add(claim, o + "speakerRoleAsStated", text(s.role))

    reported = f"{base}id/inspection/submitted-{key}/reported"
    needs_inspection = bool(s.grade or s.published or s.areas or s.position)
    if needs_inspection:
        add(reported, RDF_TYPE, o + "Inspection")
        add(
            reported,
            RDFS + "label",
            text(f"the inspection of {council_label} the claim {key} speaks of", "en"),
        )
        add(reported, o + "inspected", s.council)
        add(reported, DCT + "source", document)
        if s.framework:
            add(reported, o + "framework", s.framework)
        missing = [
            w
            for w, given in (
                ("a framework", s.framework),
                ("a date", s.date or s.year or s.published),
            )
            if not given
        ]
        if missing:
            add(
                reported,
                SKOS + "scopeNote",
                text(
                    f"The claim names no {' and no '.join(m.split(' ', 1)[1] for m in missing)}"
                    " for the inspection.",
                    "en",
                ),
            )
        if s.position:
            add(reported, o + "position", f"{o}position/{s.position}")
        when = s.date or s.year
        if when is not None:
            add(reported, o + "date", when.literal())
        if s.published:
            period = Period.parse(s.published)
            if period is None:
                add(reported, o + "publicationStatedAs", text(s.published))
            else:
                add(reported, o + "publicationDate", period.literal())
        if s.published or (s.position and when is not None):
            add(claim, o + "asserts", reported)
    if s.grade:
        judgement = f"{base}id/judgement/submitted-{key}/reported"
        add(judgement, RDF_TYPE, o + "Judgement")
        add(
            judgement,
            RDFS + "label",
            text(f"the judgement of {council_label} the claim {key} speaks of", "en"),
        )
        add(judgement, o + "judgementOf", s.council)
        add(judgement, o + "area", s.area or record.overall)
        add(judgement, o + "grade", on_scale(record, s.grade, s.framework))
        add(judgement, PROV + "wasGeneratedBy", reported)
        add(judgement, PROV + "wasDerivedFrom", document)
        if s.year is not None:
            add(judgement, o + "judgementYear", s.year.literal())
        add(claim, o + "asserts", judgement)
    for grade, count in sorted(s.areas.items()):
        figure = f"{base}id/figure/submitted-{key}/{grade.rsplit('/', 1)[-1]}"
        add(figure, RDF_TYPE, o + "Figure")
        add(figure, o + "value", typed(str(count), "integer"))
        add(figure, o + "unit", o + "unit/judgement-area")
        add(figure, o + "measure", text(f"areas judged {record.grade_label(grade)}", "en"))
        add(figure, o + "statedAs", text(s.text))
        add(figure, o + "gradeCounted", on_scale(record, grade, s.framework))
        add(figure, o + "about", reported)
        add(figure, PROV + "wasDerivedFrom", document)
        add(claim, o + "asserts", figure)
    if s.rank is not None:
        band, numerator, denominator = s.rank
        ranking = f"{base}id/ranking/submitted-{key}/reported"
        add(ranking, RDF_TYPE, o + "Ranking")
        add(
            ranking,
            RDFS + "label",
            text(f"{council_label}'s standing as the claim {key} states it", "en"),
        )
        add(ranking, o + "rankedCouncil", s.council)
        add(ranking, o + "concernsArea", s.area or record.overall)
        add(ranking, o + "rankBand", text(band))
        add(ranking, o + "shareNumerator", typed(str(numerator), "integer"))
        add(ranking, o + "shareDenominator", typed(str(denominator), "integer"))
        add(ranking, o + "inWords", text(s.rank_words))
        if (s.date or s.year) is not None:
            add(ranking, o + "asAt", (s.date or s.year).literal())  # type: ignore[union-attr]
        add(ranking, PROV + "wasDerivedFrom", document)
        add(claim, o + "asserts", ranking)
    if s.change:
        change = f"{base}id/change/submitted-{key}/reported"
        add(change, RDF_TYPE, o + "Change")
        add(
            change,
            RDFS + "label",
            text(f"a change in {council_label}'s grades as the claim {key} states it", "en"),
        )
        add(change, o + "changeOf", s.council)
        add(change, o + "concernsArea", s.area or record.overall)
        if "direction" in s.change:
            add(change, o + "direction", f"{o}direction/{s.change['direction']}")
        if "from" in s.change:
            add(change, o + "fromGrade", s.change["from"])
        if "to" in s.change:
            add(change, o + "toGrade", s.change["to"])
        years = {"to_year": s.year} if s.year is not None else {}
        years.update({k: v for k, v in s.change.items() if k.endswith("_year")})
        for key_name, prop in (("from_year", "fromYear"), ("to_year", "toYear")):
            if key_name in years:
                add(change, o + prop, years[key_name].literal())
        if s.change_words:
            add(change, o + "inWords", text(s.change_words))
        add(change, PROV + "wasDerivedFrom", document)
        add(claim, o + "asserts", change)
    return Stored(claim, graph, quads)
