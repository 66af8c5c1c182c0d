"""The code lists the converter reads from ontology/: grade scales, frameworks, judgement areas and
council types.

Nothing here is copied from the Turtle: the grades of each scale (best first, by okg:rank), their
names (skos:prefLabel and skos:altLabel) and the matches between scales (skos:closeMatch) come from
ontology/grades.ttl; each framework's name and grade scale (okg:gradeScale) from
ontology/frameworks.ttl and ontology/official.ttl; the broader area of each judgement area
(skos:broader) from ontology/areas.ttl and ontology/official.ttl; and the council types, keyed by
the codes mySociety prints (skos:notation), from ontology/official.ttl. Change a code list there
and the converter follows.

What stays in Python is what the ontology does not say: which frameworks Ofsted's tables in data/
cover, the phrase by which the generated labels name each ("Ofsted single inspection of
children's services of ..."), and that those tables print the grades of the older scale in the
words of the newer one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .reading import ConversionError, load_turtle
from .terms import DEF, OKG, PREFIXES, SCALE_2009, SCALE_2013, SKOS, compact

CODE_LISTS = (
    "ontology/grades.ttl",
    "ontology/frameworks.ttl",
    "ontology/areas.ttl",
    "ontology/official.ttl",
)
COUNCIL_TYPES_SCHEME = DEF + "scheme/council-types"

# The frameworks of the inspections and visits that Ofsted's tables in data/ give, by the last
# segment of their IRI (fw:slac), with the phrase by which the generated labels and notes name them
# in running text ("Ofsted {phrase} of {council}, published {date}"): the wording of the graph's
# own sentences, not a skos:prefLabel. The ontology has other frameworks (the LSCB review, the
# annual assessment) that no table here covers: a seed document's judgement under one of those
# cannot be checked.
TABLE_FRAMEWORKS = {
    "slac": "inspection of safeguarding and looked after children services",
    "slac-reinspection": "re-inspection of safeguarding or looked after children services",
    "cpi": "child protection inspection",
    "cpri": "child protection re-inspection",
    "tlac": "targeted inspection of looked after children",
    "sif": "single inspection of children's services",
    "sif-reinspection": "single inspection re-inspection of children's services",
    "ilacs-standard": "ILACS standard inspection",
    "ilacs-short": "ILACS short inspection",
    "focused-visit": "ILACS focused visit",
    "monitoring-visit": "monitoring visit",
}

# Ofsted's tables print a grade of the older scale either in its own words or in the words of its
# skos:closeMatch on the scale that replaced it: the 2023 publication's 2009-2023 sheet prints
# "Requires improvement to be good" for the Adequate of the 2009-2013 frameworks (see the wording
# note quoted in graph/official/publications.ttl). Older scale -> newer scale.
PRINTED_IN_WORDS_OF = {SCALE_2009: SCALE_2013}


@dataclass(frozen=True)
class Grade:
    """One grade of a scale, as ontology/grades.ttl gives it."""

    curie: str  # g2013:good: the key of the record's judgements (the IRI if no prefix fits)
    iri: str
    label: str  # skos:prefLabel
    alt_labels: tuple[str, ...]  # skos:altLabel, sorted
    scale: str  # skos:inScheme
    rank: int  # okg:rank, 1 for the best
    close: tuple[str, ...]  # the CURIEs of its skos:closeMatch grades, sorted


@dataclass(frozen=True)
class Framework:
    """One framework of Ofsted's tables, as ontology/ gives it."""

    slug: str  # fw:slac -> slac
    iri: str
    label: str  # skos:prefLabel
    phrase: str  # TABLE_FRAMEWORKS: its name in the generated labels' running text
    scale: str | None  # okg:gradeScale; None for the visits, which are not graded


@dataclass(frozen=True)
class Codes:
    """The code lists, arranged for the readers."""

    frameworks: dict[str, Framework]  # slug -> framework, for TABLE_FRAMEWORKS in that order
    grades: dict[str, Grade]  # CURIE -> grade, for the scales of those frameworks
    scales: dict[str, tuple[str, ...]]  # scale IRI -> its grades' CURIEs, best first
    printed: dict[str, dict[str, str]]  # scale IRI -> {words Ofsted's tables print: grade CURIE}
    broader: dict[str, str]  # area IRI -> its skos:broader area IRI
    council_types: dict[str, str]  # skos:notation (mySociety's code, such as UA) -> concept IRI

    def printed_grades(self, framework: str) -> dict[str, str] | None:
        """The words Ofsted's tables print for the grades of a framework's scale, best first, or
        None for a framework that is not graded."""
        scale = self.frameworks[framework].scale
        return None if scale is None else self.printed[scale]

    def grade_key(self, iri: str) -> str:
        """The CURIE by which the record knows the grade ``iri``, or ``iri`` if it knows none."""
        key = compact(iri)
        return key if key in self.grades else iri

    def grade_named(self, scale: str, name: str) -> str | None:
        """The grade of ``scale`` whose skos:prefLabel or skos:altLabel is ``name``, ignoring
        case, or None."""
        found = [
            curie
            for curie in self.scales[scale]
            for label in (self.grades[curie].label, *self.grades[curie].alt_labels)
            if label.lower() == name.lower()
        ]
        return found[0] if found else None

    def close(self, one: str, other: str) -> bool:
        """Whether ontology/grades.ttl matches the two grades with skos:closeMatch."""
        return (one in self.grades and other in self.grades[one].close) or (
            other in self.grades and one in self.grades[other].close
        )


class _Triples:
    """The triples of the code lists, indexed both ways."""

    def __init__(self, store: ox.Store) -> None:
        self.objects: dict[tuple[str, str], list[ox.NamedNode | ox.Literal]] = defaultdict(list)
        self.subjects: dict[tuple[str, str], list[str]] = defaultdict(list)
        for quad in store.quads_for_pattern(None, None, None):
            subject, predicate, obj = quad.subject, quad.predicate, quad.object
            if not isinstance(subject, ox.NamedNode):
                continue  # blank nodes: the RDF lists of skos:memberList, not read
            if isinstance(obj, ox.NamedNode | ox.Literal):
                self.objects[subject.value, predicate.value].append(obj)
            if isinstance(obj, ox.NamedNode):
                self.subjects[predicate.value, obj.value].append(subject.value)

    def iris(self, subject: str, predicate: str) -> list[str]:
        found = self.objects.get((subject, predicate), [])
        return sorted(o.value for o in found if isinstance(o, ox.NamedNode))

    def texts(self, subject: str, predicate: str) -> list[str]:
        found = self.objects.get((subject, predicate), [])
        return sorted(o.value for o in found if isinstance(o, ox.Literal))

    def english(self, subject: str, predicate: str) -> list[str]:
        found = self.objects.get((subject, predicate), [])
        return sorted(o.value for o in found if isinstance(o, ox.Literal) and o.language == "en")

    def one(self, values: list[str], subject: str, what: str) -> str:
        if len(values) != 1:
            raise ConversionError(
                f"{', '.join(CODE_LISTS)}: {compact(subject)} has {len(values)} {what}, not one"
            )
        return values[0]


def read_codes(root: Path) -> Codes:
    """The code lists of ``root/ontology``."""
    store = ox.Store()
    for relpath in CODE_LISTS:
        load_turtle(store, root, relpath)
    triples = _Triples(store)
    frameworks = {slug: _framework(triples, slug) for slug in TABLE_FRAMEWORKS}
    scales = list(dict.fromkeys(f.scale for f in frameworks.values() if f.scale is not None))
    members = {
        scale: triples.subjects.get((SKOS + "inScheme", scale), []) for scale in scales
    }  # the grades of each scale, in no order yet
    known = {iri for grades in members.values() for iri in grades}
    grades: dict[str, Grade] = {}
    by_scale: dict[str, tuple[str, ...]] = {}
    for scale in scales:
        found = [_grade(triples, iri, scale, known) for iri in members[scale]]
        if not found:
            raise ConversionError(f"{', '.join(CODE_LISTS)}: no grades of the scale {scale}")
        found.sort(key=lambda g: g.rank)
        by_scale[scale] = tuple(g.curie for g in found)
        grades.update((g.curie, g) for g in found)
    return Codes(
        frameworks=frameworks,
        grades=grades,
        scales=by_scale,
        printed={scale: _printed(grades, by_scale[scale], scale) for scale in scales},
        broader={
            subject: triples.one(objects, subject, "skos:broader")
            for (subject, predicate), found in triples.objects.items()
            if predicate == SKOS + "broader"
            and (objects := [o.value for o in found if isinstance(o, ox.NamedNode)])
        },
        council_types={
            triples.one(triples.texts(iri, SKOS + "notation"), iri, "skos:notation"): iri
            for iri in sorted(triples.subjects.get((SKOS + "inScheme", COUNCIL_TYPES_SCHEME), []))
        },
    )


def _framework(triples: _Triples, slug: str) -> Framework:
    iri = PREFIXES["fw"] + slug
    label = triples.one(triples.english(iri, SKOS + "prefLabel"), iri, "English skos:prefLabel")
    scales = triples.iris(iri, OKG + "gradeScale")
    scale = triples.one(scales, iri, "okg:gradeScale") if scales else None
    return Framework(slug, iri, label, TABLE_FRAMEWORKS[slug], scale)


def _grade(triples: _Triples, iri: str, scale: str, known: set[str]) -> Grade:
    rank = triples.one(triples.texts(iri, OKG + "rank"), iri, "okg:rank")
    if not rank.isdigit():
        raise ConversionError(f"{', '.join(CODE_LISTS)}: {compact(iri)} has okg:rank {rank!r}")
    return Grade(
        curie=compact(iri),
        iri=iri,
        label=triples.one(triples.english(iri, SKOS + "prefLabel"), iri, "English skos:prefLabel"),
        alt_labels=tuple(triples.english(iri, SKOS + "altLabel")),
        scale=scale,
        rank=int(rank),
        close=tuple(
            sorted(compact(m) for m in triples.iris(iri, SKOS + "closeMatch") if m in known)
        ),
    )


def _printed(grades: dict[str, Grade], scale: tuple[str, ...], iri: str) -> dict[str, str]:
    """The words Ofsted's tables print for the grades of a scale: each grade's skos:prefLabel,
    and for an older scale the skos:prefLabel of its match on the newer one (PRINTED_IN_WORDS_OF).
    """
    newer = PRINTED_IN_WORDS_OF.get(iri)
    words: dict[str, str] = {}
    for curie in scale:
        grade = grades[curie]
        printed = [grade.label]
        printed += [grades[m].label for m in grade.close if grades[m].scale == newer]
        for word in printed:
            if words.setdefault(word, curie) != curie:
                raise ConversionError(
                    f"{', '.join(CODE_LISTS)}: {word!r} names both {words[word]} and {curie}"
                )
    return words
