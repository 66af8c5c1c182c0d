"""Fact-checking (docs/fact-checking.md): claims kept apart from the record, checked by rules.

- the table of claims about real councils (``tests/claims/table.json``, its expectations worked out
  from Ofsted's tables independently of the code) through ``POST /claims``, through ``ofsted-kg
  claim add`` and through a rebuild, each with the outcome, the rule and the judgements expected;
- bad input: 400 or 422 naming the field, 409 for a claim already kept, nothing kept;
- what is published: /claims (filters, differs first, JSON and CSV twins), every check as CSV,
  ClaimReview parsed as JSON-LD and held to schema.org's properties, the claim and council pages,
  the form;
- the seed graphs: no triple on an official IRI, and the seed claims' outcomes;
- a rebuild with a changed record checks every claim again and keeps the earlier outcomes;
- the rules are files, each described in the ontology.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import rdflib
from flask.testing import FlaskClient
from ofsted_kg.build.pipeline import build
from ofsted_kg.claims.intake import find_council, find_grade
from ofsted_kg.claims.model import select_from
from ofsted_kg.claims.record import Record
from ofsted_kg.claims.rules import all_rules
from ofsted_kg.config import load_settings
from ofsted_kg.errors import ClaimValueError
from ofsted_kg.store.directories import open_existing

pytestmark = pytest.mark.usefixtures("clean_environment")

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/ofsted-kg/"
OKG = BASE + "def/"
TABLE = json.loads((Path(__file__).parent / "claims" / "table.json").read_text("utf-8"))
TOKEN = "claims-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SDO = "https://schema.org/"
OUTCOMES = {"agrees", "differs", "partly-agrees", "cannot-be-checked"}


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real graph, built once per session, copied for this module; writes allowed."""
    store = tmp_path_factory.mktemp("claims") / "store"
    shutil.copytree(served_store_dir, store)
    return {
        "root": ROOT,
        "store": store,
        "update_token": TOKEN,
        "update_token_name": "fact desk",
    }


@pytest.fixture(scope="module")
def record(served_store_dir: Path) -> Record:
    return Record(select_from(open_existing(served_store_dir).inner, union=False), BASE)


def check_answer(case: dict[str, Any], answer: dict[str, Any]) -> None:
    check = answer["check"]
    assert check["outcome"] == case["outcome"], (case["name"], check["reason"], case["why"])
    assert check["rule"] == f"{OKG}check-rule/{case['rule']}", (case["name"], check)
    missing = set(case["judgements"]) - set(check["judgements"])
    assert not missing, (case["name"], missing, check["reason"])
    assert check["reason"], case["name"]
    for part in answer["checks"]:
        assert part["outcome"] in OUTCOMES
        assert part["rule"].startswith(OKG + "check-rule/")


# -- The table: POST /claims ---------------------------------------------------------------------


POSTED: dict[str, dict[str, Any]] = {}  # the table's answers, for the tests after


def test_the_table_has_every_rule_and_outcome() -> None:
    assert len(TABLE) >= 30
    assert {c["rule"] for c in TABLE} == {r.key for r in all_rules()}
    assert {c["outcome"] for c in TABLE} == OUTCOMES
    assert len({c["body"]["about"]["council"] for c in TABLE}) >= 20


def test_the_table_through_post(client: FlaskClient) -> None:
    for case in TABLE:
        response = client.post("/claims", json=case["body"], headers=AUTH)
        assert response.status_code == 201, (case["name"], response.get_json())
        answer = response.get_json()
        check_answer(case, answer)
        location = response.headers["Location"]
        assert location.endswith("/doc/" + answer["claim"][len(BASE + "id/") :])
        POSTED[case["name"]] = answer


def test_a_posted_claim_is_kept_with_who_sent_it_and_when(client: FlaskClient) -> None:
    if not POSTED:
        pytest.skip("needs the table posted")
    claim = next(iter(POSTED.values()))["claim"]
    rows = sparql(
        client,
        f"""SELECT ?g ?by ?at WHERE {{ GRAPH ?g {{ <{claim}> a <{OKG}Quotation> .
             ?g <{OKG}submittedBy> ?by ; <http://purl.org/dc/terms/created> ?at }} }}""",
    )
    assert len(rows) == 1
    assert rows[0]["g"].startswith(BASE + "graph/claims/")
    assert rows[0]["by"] == "fact desk"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", rows[0]["at"])
    log = client.get("/writes", headers=AUTH).get_json()["writes"]
    assert log[0]["by"] == "fact desk"


def test_the_same_claim_again_is_409_naming_it(client: FlaskClient) -> None:
    case = TABLE[0]
    first = client.post("/claims", json=case["body"], headers=AUTH)
    # (201 when the table test did not run first)
    claim = first.get_json()["claim"] if first.status_code == 201 else POSTED[case["name"]]["claim"]
    again = client.post("/claims", json=case["body"], headers=AUTH)
    assert again.status_code == 409
    assert claim in again.get_json()["error"]["detail"]


# -- Bad input: the field named, nothing kept ----------------------------------------------------


def good_body() -> dict[str, Any]:
    return json.loads(json.dumps(TABLE[0]["body"]))


def with_change(path: str, value: Any) -> dict[str, Any]:
    body = good_body()
    *parents, last = path.split(".")
    node = body
    for name in parents:
        node = node[name]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return body


DELETE = object()
BAD = [
    ("missing text", with_change("text", DELETE), 400, "text"),
    ("empty speaker", with_change("speaker.name", "  "), 400, "speaker.name"),
    ("text a number", with_change("text", 12), 400, "text"),
    ("unknown field", with_change("about.grdae", "good"), 400, "grdae"),
    ("source not an object", with_change("source", "KentOnline"), 400, "source"),
    ("no issued", with_change("source.issued", DELETE), 400, "source.issued"),
    ("issued not a date", with_change("source.issued", "June 2017"), 400, "source.issued"),
    ("issued in the future", with_change("source.issued", "2099-01-01"), 422, "source.issued"),
    ("url not http", with_change("source.url", "ftp://example.org/x"), 400, "source.url"),
    ("year a word", with_change("about.year", "twenty"), 400, "about.year"),
    ("year after the source", with_change("about.year", 2024), 422, "about.year"),
    ("no council", with_change("about.council", DELETE), 400, "about.council"),
    ("unknown council", with_change("about.council", "Hertfordsire"), 422, "Hertfordshire"),
    ("unknown GSS code", with_change("about.council", "E99999999"), 422, "about.council"),
    ("unknown grade", with_change("about.grade", "brilliant"), 422, "about.grade"),
    ("unknown framework", with_change("about.framework", "OFSTEDX"), 422, "about.framework"),
    ("unknown area", with_change("about.area", "school meals"), 422, "about.area"),
    ("bad position", with_change("about.inspection", "next"), 422, "about.inspection"),
    ("bad rank", with_change("about.rank", "somewhere good"), 422, "about.rank"),
    ("bad change", with_change("about.change", "sideways"), 422, "about.change"),
    ("nothing to check", with_change("about.grade", DELETE), 422, "about"),
]


@pytest.mark.parametrize(("body", "status", "named"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_the_field_and_keeps_nothing(
    client: FlaskClient, body: dict[str, Any], status: int, named: str
) -> None:
    before = client.get("/claims.json").get_json()["total"]
    response = client.post("/claims", json=body, headers=AUTH)
    assert response.status_code == status, response.get_json()
    detail = response.get_json()["error"]["detail"]
    assert named in detail
    assert "Traceback" not in detail and "ofsted_kg" not in detail
    assert client.get("/claims.json").get_json()["total"] == before


def test_a_body_that_is_not_json_or_not_an_object(client: FlaskClient) -> None:
    broken = client.post(
        "/claims", data=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert "not JSON" in broken.get_json()["error"]["detail"]
    listed = client.post("/claims", json=[good_body()], headers=AUTH)
    assert listed.status_code == 400
    assert "the body" in listed.get_json()["error"]["detail"]
    plain = client.post("/claims", data="text", headers={**AUTH, "Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_a_body_nested_too_deep_is_400_not_a_crash(client: FlaskClient, tmp_path: Path) -> None:
    deep = b"[" * 30_000 + b"]" * 30_000  # Python's JSON parser would recurse past its limit
    response = client.post(
        "/claims", data=deep, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "nested 30,000 levels deep" in response.get_json()["error"]["detail"]
    claim = tmp_path / "claim.json"
    claim.write_bytes(deep)
    ran = cli("claim", "add", str(claim), "--store", str(tmp_path / "store"))
    assert ran.returncode == 2 and "Traceback" not in ran.stderr
    assert ran.stderr.count("\n") == 1 and "nested" in ran.stderr


def test_claims_need_the_token(client: FlaskClient) -> None:
    assert client.post("/claims", json=good_body()).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/claims", json=good_body(), headers=wrong).status_code == 401


# -- What is published ---------------------------------------------------------------------------


def test_claims_list_differs_first_and_filters(client: FlaskClient) -> None:
    page = client.get("/claims").get_data(as_text=True)
    shown = re.findall(r'<tr data-outcome="([a-z-]+)">', page)
    order = ["differs", "partly-agrees", "agrees", "cannot-be-checked"]
    assert shown == sorted(shown, key=order.index)
    assert "differs" in shown
    only = client.get("/claims?outcome=differs").get_data(as_text=True)
    assert set(re.findall(r'<tr data-outcome="([a-z-]+)">', only)) == {"differs"}
    assert client.get("/claims?outcome=wrong").status_code == 400


def test_claims_as_json_and_csv(client: FlaskClient) -> None:
    data = client.get("/claims.json?outcome=partly-agrees").get_json()
    assert data["total"] == len(data["claims"]) > 0
    assert {c["check"]["outcome"] for c in data["claims"]} == {"partly-agrees"}
    negotiated = client.get("/claims", headers={"Accept": "text/csv"})
    assert negotiated.content_type.startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(client.get("/claims.csv").get_data(as_text=True))))
    assert {"claim", "outcome", "reason", "rules", "judgements", "council"} <= set(table[0])
    assert {row["outcome"] for row in table} <= OUTCOMES
    assert len(table) == client.get("/claims.json").get_json()["total"]


def test_every_check_as_csv(client: FlaskClient) -> None:
    text = client.get("/claims/checks.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    rules = {row["rule"].rsplit("/", 1)[-1] for row in rows}
    assert {r.key for r in all_rules()} <= rules
    for row in rows:
        assert row["claim"] and row["reason"] and row["outcome"] in OUTCOMES
        if row["outcome"] in ("agrees", "differs", "partly-agrees"):
            assert row["judgements"], row


def claim_reviews(document: dict[str, Any]) -> rdflib.Graph:
    """The document read by rdflib's JSON-LD processor (offline: the context is inline)."""
    graph = rdflib.Graph()
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=json.dumps(document), format="json-ld")
    return graph


def assert_claim_review(graph: rdflib.Graph, review: rdflib.term.Node) -> None:
    s = rdflib.Namespace(SDO)

    def one(subject: rdflib.term.Node, prop: str) -> rdflib.term.Node:
        values = list(graph.objects(subject, s[prop]))
        assert len(values) >= 1, (review, prop)
        return values[0]

    assert (review, rdflib.RDF.type, s.ClaimReview) in graph
    assert str(one(review, "claimReviewed")).strip()
    assert re.fullmatch(r"\d{4}(-\d\d){0,2}", str(one(review, "datePublished")))
    assert str(one(review, "url")).startswith(BASE + "doc/claim/")
    author = one(review, "author")
    assert (author, rdflib.RDF.type, s.Organization) in graph
    assert str(one(author, "name")) == "ofsted-kg"
    item = one(review, "itemReviewed")
    assert (item, rdflib.RDF.type, s.Claim) in graph
    speaker = one(item, "author")
    assert str(one(speaker, "name"))
    appearance = one(item, "appearance")
    assert (appearance, rdflib.RDF.type, s.CreativeWork) in graph
    assert str(one(appearance, "url"))
    rating = one(review, "reviewRating")
    assert (rating, rdflib.RDF.type, s.Rating) in graph
    assert str(one(rating, "alternateName")) in OUTCOMES
    assert str(one(rating, "ratingExplanation"))


def test_claim_reviews_parse_as_json_ld_with_schema_org_properties(client: FlaskClient) -> None:
    response = client.get("/claims/reviews.jsonld")
    assert response.content_type == "application/ld+json"
    graph = claim_reviews(response.get_json())
    reviews = list(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SDO + "ClaimReview")))
    checked = [c for c in client.get("/claims.json").get_json()["claims"] if
               any(not r.endswith("nothing-to-check") for r in c["check"]["rules"])]  # fmt: skip
    assert len(reviews) == len(checked) > 30
    for review in reviews:
        assert_claim_review(graph, review)


def test_the_claim_page_embeds_its_claim_review(client: FlaskClient) -> None:
    claim = posted_or_seed(client)
    page = client.get("/doc/" + claim[len(BASE + "id/") :]).get_data(as_text=True)
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found, "no JSON-LD in the claim's page"
    graph = claim_reviews(json.loads(found.group(1).replace("<\\/", "</")))
    (review,) = graph.subjects(rdflib.RDF.type, rdflib.URIRef(SDO + "ClaimReview"))
    assert_claim_review(graph, review)
    item = graph.value(review, rdflib.URIRef(SDO + "itemReviewed"))
    assert str(item) == claim


def posted_or_seed(client: FlaskClient) -> str:
    if POSTED:
        return str(next(iter(POSTED.values()))["claim"])
    return BASE + "id/claim/roger-gough-blog-2017-06-14/top-third"


def test_a_council_page_lists_its_claims_with_their_outcomes(client: FlaskClient) -> None:
    case = next(c for c in TABLE if c["outcome"] == "differs")
    response = client.post("/claims", json=case["body"], headers=AUTH)
    assert response.status_code in (201, 409)
    council = client.get("/claims.json?outcome=differs").get_json()["claims"][0]["council"]
    page = client.get("/doc/" + council[len(BASE + "id/") :]).get_data(as_text=True)
    assert "Checked against Ofsted's record" in page
    assert "differs" in page


def test_the_form_sends_a_claim_and_shows_errors(client: FlaskClient) -> None:
    form = client.get("/claims/new").get_data(as_text=True)
    for name in ("text", "speaker_name", "source_title", "source_issued", "council", "token"):
        assert f'name="{name}"' in form
    fields = {
        "text": "Wigan's services were judged good in 2019 (form test).",
        "speaker_name": "Sam Form",
        "source_title": "Form test",
        "source_publisher": "Form Gazette",
        "source_issued": "2019-12-01",
        "council": "Wigan",
        "grade": "good",
        "year": "2019",
    }
    refused = client.post("/claims", data={**fields, "token": "wrong"})
    assert refused.status_code == 401
    assert "Form Gazette" in refused.get_data(as_text=True)  # what was typed is kept
    unknown = client.post("/claims", data={**fields, "council": "Wigaan Borough", "token": TOKEN})
    assert unknown.status_code == 422
    assert "Wigan" in unknown.get_data(as_text=True)
    sent = client.post("/claims", data={**fields, "token": TOKEN})
    assert sent.status_code == 303
    assert "/doc/claim/submitted/" in sent.headers["Location"]


# -- The seed graphs -----------------------------------------------------------------------------


def sparql(client: FlaskClient, query: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": query, "format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [
        {k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]
    ]


def test_no_press_or_blog_graph_puts_a_triple_on_an_official_iri(client: FlaskClient) -> None:
    """What a source reports is its own node: no subject of a seed graph is an inspection,
    judgement or document of Ofsted's record (the council and Ofsted itself are the things the
    sources speak of, and are described in both)."""
    shared = sparql(
        client,
        f"""SELECT DISTINCT ?s WHERE {{
          GRAPH ?seed {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?seed), "{BASE}graph/seeds/"))
          GRAPH ?official {{ ?s ?p2 ?o2 }}
          FILTER(STRSTARTS(STR(?official), "{BASE}graph/official/"))
          FILTER(!STRSTARTS(STR(?s), "{BASE}id/council/")
                 && ?s != <{BASE}id/organisation/ofsted>)
        }}""",
    )
    assert shared == []
    pattern = sparql(
        client,
        f"""SELECT DISTINCT ?s WHERE {{
          GRAPH ?seed {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?seed), "{BASE}graph/seeds/"))
          FILTER(REGEX(STR(?s), "^{BASE}id/(inspection|judgement)/E[0-9]{{8}}/"))
        }}""",
    )
    assert pattern == []


SEED_OUTCOMES = {
    # "The report comes after an inspection in 2013 found services to be adequate and an earlier
    # one that said services were inadequate": 2013 (CPI and TLAC, Adequate), and 2010 (SLAC).
    "kentonline-a127148/earlier-inspections": ("agrees", {"grade"}),
    # "This puts Kent in the top third or better of authorities in the country."
    "roger-gough-blog-2017-06-14/top-third": ("agrees", {"grade", "ranking"}),
    # "in four of the areas inspected standards were good but in one ... required improvement"
    "kentonline-a127148/four-good-one-requires-improvement": ("agrees", {"grade", "area-counts"}),
    # "Since our previous Ofsted inspection in 2013" (TLAC, published 2013-08-23)
    "kentonline-a127148/carter-worked-extremely-hard": ("agrees", {"publication-date"}),
    # "Yesterday saw the publication of Ofsted's inspection report ... rating ... 'Good'"
    "roger-gough-blog-2017-06-14/publication-yesterday": ("agrees", {"grade", "publication-date"}),
    # "'Adequate' rating in 2013 and now the move up to 'Good'"
    "roger-gough-blog-2017-06-14/inadequate-2010-adequate-2013": ("agrees", {"grade", "change"}),
    # The annual assessment is in none of Ofsted's tables here.
    "kentonline-a70012/too-late-performing-poorly": ("cannot-be-checked", {"grade"}),
    # "published today" in an article dated only 2011.
    "kentonline-a70012/three-page-report": ("cannot-be-checked", {"publication-date"}),
    # Findings quoted from the report: no rule checks findings.
    "kentonline-a127148/well-targeted": ("cannot-be-checked", {"nothing-to-check"}),
}


@pytest.mark.parametrize("claim", sorted(SEED_OUTCOMES))
def test_seed_claims_outcomes(client: FlaskClient, claim: str) -> None:
    outcome, rules = SEED_OUTCOMES[claim]
    found = [
        c for c in client.get("/claims.json").get_json()["claims"]
        if c["claim"] == f"{BASE}id/claim/{claim}"
    ]  # fmt: skip
    assert len(found) == 1
    check = found[0]["check"]
    assert check["outcome"] == outcome, check["reason"]
    assert {r.rsplit("/", 1)[-1] for r in check["rules"]} == rules


def test_every_claim_in_the_graph_has_one_current_verdict(client: FlaskClient) -> None:
    counts = sparql(
        client,
        f"""SELECT ?c (COUNT(DISTINCT ?v) AS ?n) WHERE {{
          ?c a <{OKG}Claim> .
          OPTIONAL {{ GRAPH <{BASE}graph/checks> {{ ?v <{OKG}verdictOn> ?c }} }}
        }} GROUP BY ?c""",
    )
    assert counts and all(row["n"] == "1" for row in counts), [r for r in counts if r["n"] != "1"]


# -- Values: councils and grades as people write them ---------------------------------------------


@pytest.mark.parametrize(
    ("given", "gss"),
    [
        ("E10000016", "E10000016"),
        ("e10000016", "E10000016"),
        ("Kent County Council", "E10000016"),
        ("kent county council", "E10000016"),
        ("Kent", "E10000016"),
        ("Brighton & Hove", "E06000043"),
        ("City of York", "E06000014"),
    ],
)
def test_a_council_by_code_or_name(record: Record, given: str, gss: str) -> None:
    assert find_council(record, given) == BASE + "id/council/" + gss


def test_an_unknown_council_names_the_nearest(record: Record) -> None:
    with pytest.raises(ClaimValueError, match="Hertfordshire County Council"):
        find_council(record, "Hertfordsire")


@pytest.mark.parametrize(
    ("given", "grade"),
    [
        ("good", "2013/good"),
        ("GOOD", "2013/good"),
        ("Requires Improvement", "2013/requires-improvement"),
        ("requires improvement to be good", "2013/requires-improvement"),
        ("adequate", "2009/adequate"),
    ],
)
def test_grades_of_either_scale_in_any_case(record: Record, given: str, grade: str) -> None:
    assert find_grade(record, given, "about.grade") == f"{OKG}grade/{grade}"


# -- The CLI and the build -----------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = str(Path(sys.executable).parent / "ofsted-kg")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    return subprocess.run([command, *args], capture_output=True, text=True, env=env, timeout=600)


def test_the_table_through_the_cli_and_then_a_rebuild(
    served_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(served_store_dir, store)
    claims = tmp_path / "claims.json"
    bad = with_change("about.council", "Nowhere Borough")
    claims.write_text(json.dumps([case["body"] for case in TABLE] + [bad]), "utf-8")
    ran = cli("claim", "add", str(claims), "--store", str(store), "--by", "cli test")
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.count("\n") == 1 and "1 of 48 claims not kept" in ran.stderr
    *answers, refused = json.loads(ran.stdout)
    assert refused["error"]["status"] == 422 and "about.council" in refused["error"]["detail"]
    for case, answer in zip(TABLE, answers, strict=True):
        check_answer(case, answer)
    # The rebuild keeps the claims sent, and its rules reach the same outcomes.
    build(load_settings(env={}, overrides={"root": ROOT, "store": store}), lambda _: None)
    db = open_existing(store).inner
    for case, answer in zip(TABLE, answers, strict=True):
        found = list(
            db.query(
                f"""SELECT ?o WHERE {{ GRAPH <{BASE}graph/checks> {{
                      ?v <{OKG}verdictOn> <{answer["claim"]}> ;
                         <{OKG}reconciliationOutcome> ?o }} }}"""
            )
        )
        assert [str(r["o"].value).rsplit("/", 1)[-1] for r in found] == [case["outcome"]], case[
            "name"
        ]


def test_a_claim_file_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    claim = tmp_path / "claim.json"
    claim.write_text("{not json", "utf-8")
    ran = cli("claim", "add", str(claim), "--store", str(tmp_path / "store"))
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "is not JSON" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_changed_record_checks_every_claim_again_and_keeps_the_earlier(
    served_store_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(ROOT / folder, root / folder)
    store = tmp_path / "store"
    shutil.copytree(served_store_dir, store)  # this tree, built: the record as it is
    settings = load_settings(env={}, overrides={"root": root, "store": store})
    verdict = BASE + "id/check/kentonline-a127148/headline"

    def outcome_and_version() -> tuple[str, str]:
        db = open_existing(store).inner
        (row,) = db.query(
            f"""SELECT ?o ?v WHERE {{ GRAPH <{BASE}graph/checks> {{
                  <{verdict}> <{OKG}reconciliationOutcome> ?o ; <{OKG}recordVersion> ?v }} }}"""
        )
        return str(row["o"].value).rsplit("/", 1)[-1], str(row["v"].value)

    before = outcome_and_version()
    assert before[0] == "agrees"

    # A newer table that says Kent's 2017 overall grade was Requires improvement.
    judgement = f"<{BASE}id/judgement/E10000016/sif/2017-06-13/overall-effectiveness>"
    changed = 0
    for path in (root / "graph" / "official").glob("*.ttl"):
        text = path.read_text("utf-8")
        blocks = text.split("\n\n")
        for n, block in enumerate(blocks):
            if block.startswith(judgement) and "okg:grade g2013:good" in block:
                blocks[n] = block.replace(
                    "okg:grade g2013:good", "okg:grade g2013:requires-improvement"
                )
                changed += 1
        path.write_text("\n\n".join(blocks), "utf-8")
    assert changed
    build(settings, lambda _: None)

    after = outcome_and_version()
    assert after[0] == "differs"
    assert after[1] != before[1]
    db = open_existing(store).inner
    kept = list(
        db.query(
            f"""SELECT ?o ?v WHERE {{ GRAPH <{BASE}graph/checks-history> {{
                  ?old <http://purl.org/dc/terms/isReplacedBy> <{verdict}> ;
                       <{OKG}reconciliationOutcome> ?o ; <{OKG}recordVersion> ?v }} }}"""
        )
    )
    assert [(str(r["o"].value).rsplit("/", 1)[-1], str(r["v"].value)) for r in kept] == [before]


# -- The rules are files -------------------------------------------------------------------------


def test_each_rule_is_a_file_described_in_the_ontology() -> None:
    folder = ROOT / "server" / "claims" / "rules"
    files = {p.stem.replace("_", "-") for p in folder.glob("*.py") if p.stem != "__init__"}
    rules = all_rules()
    assert {r.key for r in rules} == files
    concepts = rdflib.Graph().parse(ROOT / "ontology" / "checks.ttl")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    for rule in rules:
        iri = rdflib.URIRef(f"{OKG}check-rule/{rule.key}")
        assert str(concepts.value(iri, skos.prefLabel)) == rule.label, rule.key
        definition = str(concepts.value(iri, skos.definition))
        assert definition == f"Matches: {rule.matches} Decides: {rule.decides}", (
            f"ontology/checks.ttl describes rule:{rule.key} otherwise than its module"
        )
