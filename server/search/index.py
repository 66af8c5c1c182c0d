"""A full-text index of the graph's things by their names and words (SQLite FTS5).

An FTS5 table, ``words`` (the unicode61 tokenizer: whole words, the last one typed as a prefix,
and phrases, ranked by BM25). When the words asked match nothing, each word that no name or text
has is replaced by the closest word that one has (difflib, among the words of about its length:
"hertfordsire" becomes "hertfordshire") and the search runs again; those hits are near misses.

Hits are ranked: a name equal to the words asked, then a council's or a person's name with every
word asked, then a title that starts with them, then by the kind of thing (councils, people,
claims and quotations, documents, findings, inspections) and BM25.

The index is made from a ``Select`` (a SPARQL SELECT in, solutions out) in an in-memory database,
about 1,900 things of the real graph in a fifth of a second, so a server makes it again for each
dataset version (after a build or a write) rather than keeping a file in step.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Select = Callable[[str], Sequence[Mapping[str, Any]]]

KINDS = (
    "council", "framework", "person", "claim", "quotation", "document", "finding", "inspection",
)  # fmt: skip
LABELS = {
    "council": "Council",
    "framework": "Framework",
    "person": "Person",
    "claim": "Claim",
    "quotation": "Quotation",
    "document": "Document",
    "finding": "Finding",
    "inspection": "Inspection",
}
OPEN, CLOSE = "\x02", "\x03"  # the snippet's highlight, before it is escaped for a page
MAX_QUERY = 200
NEAR_ENOUGH = 0.75  # difflib ratio of a near miss's best word to the word asked


def things_query(base: str) -> str:
    o = base + "def/"
    return f"""
PREFIX okg: <{o}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?kind ?title ?text WHERE {{
  {{ ?s a okg:Council ; rdfs:label ?title . BIND("council" AS ?kind)
     OPTIONAL {{ ?s okg:ofstedName ?text }} }}
  UNION {{ ?s a okg:Framework ; skos:prefLabel ?title . BIND("framework" AS ?kind)
           OPTIONAL {{ ?s skos:altLabel ?text }} }}
  UNION {{ ?s a foaf:Person ; rdfs:label ?title . BIND("person" AS ?kind) }}
  UNION {{ ?s a okg:SourceDocument . BIND("document" AS ?kind)
           {{ ?s dct:title ?title }} UNION {{ ?s rdfs:label ?title }} }}
  UNION {{ ?s a okg:Quotation ; okg:quotation ?text . BIND("quotation" AS ?kind)
           OPTIONAL {{ ?s okg:statement ?title }} }}
  UNION {{ ?s a okg:Claim ; okg:statement ?text . BIND("claim" AS ?kind)
           FILTER NOT EXISTS {{ ?s a okg:Quotation }} }}
  UNION {{ ?s a okg:Finding ; okg:description ?text . BIND("finding" AS ?kind) }}
  UNION {{ ?s a okg:Inspection ; rdfs:label ?title . BIND("inspection" AS ?kind) }}
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{base}id/")
                       || STRSTARTS(STR(?s), "{o}framework/")))
}}"""


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    title: str
    snippet: str  # the words around the match, the match between OPEN and CLOSE
    near_miss: bool  # found after a misspelt word was replaced by the nearest word a name has

    @property
    def kind_label(self) -> str:
        return LABELS.get(self.kind, self.kind)


def _fold(text: str) -> str:
    """Lower case, accents and punctuation gone: what names are compared as."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.replace("&", " and ")).split())


def words_of(query: str) -> list[str]:
    return _fold(query).split()


class SearchIndex:
    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            s = str(row["s"].value)
            kind = str(row["kind"].value)
            entry = found.setdefault(s, {"kind": kind, "titles": [], "texts": []})
            if KINDS.index(kind) < KINDS.index(entry["kind"]):
                entry["kind"] = kind
            for name, key in (("title", "titles"), ("text", "texts")):
                term = row.get(name)
                if term is not None and str(term.value) not in entry[key]:
                    entry[key].append(str(term.value))
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, iri, kind, title, body)")
        self.db.execute(
            "CREATE VIRTUAL TABLE words USING fts5(title, body, content='things', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        rows_out = []
        for n, (iri, entry) in enumerate(sorted(found.items()), 1):
            titles = sorted(
                entry["titles"],
                key=lambda t: (-len(t) if entry["kind"] == "council" else len(t), t),
            )
            title = titles[0] if titles else (entry["texts"][0] if entry["texts"] else iri)
            body = " · ".join(t for t in [*titles[1:], *entry["texts"]] if t != title)
            rows_out.append((n, iri, entry["kind"], title, body))
        self.db.executemany("INSERT INTO things VALUES (?, ?, ?, ?, ?)", rows_out)
        self.db.execute("INSERT INTO words(words) VALUES ('rebuild')")
        self.size = len(rows_out)
        self.vocabulary = {w for row in rows_out for w in _fold(f"{row[3]} {row[4]}").split()}
        self.lengths: dict[int, list[str]] = {}
        for word in sorted(self.vocabulary):
            self.lengths.setdefault(len(word), []).append(word)

    def search(self, query: str, limit: int = 50, kinds: Sequence[str] = ()) -> list[Hit]:
        """The things whose names or words match ``query``, best first."""
        asked = words_of(query)
        if not asked:
            return []
        wanted = [k for k in kinds if k in KINDS] or list(KINDS)
        with self.lock:
            hits = self._words(asked, query, limit * 4, wanted)
            if not hits:  # no word matches: names that are near misses ("Hertfordsire")
                hits = self._near(asked, limit * 4, wanted)
        phrase = " ".join(asked)

        def rank(item: tuple[Hit, float]) -> tuple[int, int, int, float]:  # fmt: skip
            hit, score = item
            name = _fold(hit.title)
            named = hit.kind in ("council", "framework", "person") and all(
                any(n.startswith(w) for n in name.split()) for w in asked
            )
            quality = 0 if name == phrase else 1 if named else 2 if name.startswith(phrase) else 3
            return int(hit.near_miss), quality, KINDS.index(hit.kind), score

        hits.sort(key=rank)
        return [h for h, _ in hits[:limit]]

    def _run(self, table: str, match: str, limit: int, kinds: list[str]) -> list[tuple[Any, ...]]:
        marks = ", ".join("?" for _ in kinds)
        sql = (
            f"SELECT t.iri, t.kind, t.title, snippet({table}, -1, ?, ?, ' … ', 12), "
            f"bm25({table}, 4.0, 1.0) FROM {table} JOIN things t ON t.id = {table}.rowid "
            f"WHERE {table} MATCH ? AND t.kind IN ({marks}) ORDER BY bm25({table}, 4.0, 1.0) "
            "LIMIT ?"
        )
        try:
            return self.db.execute(sql, (OPEN, CLOSE, match, *kinds, limit)).fetchall()
        except sqlite3.OperationalError:
            return []

    def _words(
        self, asked: list[str], query: str, limit: int, kinds: list[str]
    ) -> list[tuple[Hit, float]]:
        quoted = re.findall(r'"([^"]+)"', query)
        terms = [f'"{" ".join(words_of(q))}"' for q in quoted if words_of(q)]
        if not terms:  # every word, the last one as a prefix (the words being typed)
            terms = [f'"{w}"' for w in asked[:-1]] + [f'"{asked[-1]}"*']
        rows = self._run("words", " AND ".join(terms), limit, kinds)
        if not rows and len(asked) > 2 and not quoted:  # a phrase from a quotation, as typed
            rows = self._run("words", f'"{" ".join(asked)}"', limit, kinds)
        return [(Hit(r[0], r[1], r[2], r[3], False), float(r[4])) for r in rows]

    def _near(self, asked: list[str], limit: int, kinds: list[str]) -> list[tuple[Hit, float]]:
        """Each word no name has, replaced by the closest word a name has ("hertfordsire" by
        "hertfordshire"), then searched again; the hits are near misses."""
        fixed = []
        for word in asked:
            if word in self.vocabulary or len(word) < 4:
                fixed.append(word)
                continue
            close = difflib.get_close_matches(word, self.by_length(len(word)), 1, NEAR_ENOUGH)
            if not close:
                return []
            fixed.append(close[0])
        if fixed == asked:
            return []
        hits = self._words(fixed, " ".join(fixed), limit, kinds)
        return [(Hit(h.iri, h.kind, h.title, h.snippet, True), score) for h, score in hits]

    def by_length(self, n: int) -> list[str]:
        """The names' words of about ``n`` letters (a one-letter typo changes the length by one
        at most), so that a near miss is looked for among a few hundred words."""
        return [w for k in (n - 1, n, n + 1) for w in self.lengths.get(k, ())]


def build_index(select: Select, base: str) -> SearchIndex:
    return SearchIndex(select(things_query(base)))
