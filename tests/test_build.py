"""The build pipeline: sources, named graphs, reasoning, validation, the safe swap of the store."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from ofsted_kg.build import pipeline as build_module
from ofsted_kg.build.pipeline import build, validate_tree
from ofsted_kg.build.sources import discover, parse_file
from ofsted_kg.config import DEFAULT_BASE, Settings, load_settings
from ofsted_kg.errors import SourceError, SourceSyntaxError, StoreError, ValidationError
from ofsted_kg.rdf.formats import NQUADS
from ofsted_kg.store.directories import aside_path, open_existing, open_store
from ofsted_kg.store.oxigraph import Store

TREES = Path(__file__).parent / "fixtures" / "trees"
BASE = DEFAULT_BASE
ID = BASE + "id/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def settings_for(tree: Path | str, store: Path) -> Settings:
    root = TREES / tree if isinstance(tree, str) else tree
    return load_settings(env={}, overrides={"root": root, "store": store})


def quiet(_line: str) -> None:
    pass


def fingerprint(directory: Path) -> dict[str, str]:
    """Every file under a directory with a hash of its bytes."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def graph_names(store_dir: Path) -> list[str]:
    return open_existing(store_dir).named_graphs()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "var" / "store"


@pytest.fixture
def built(store_dir: Path) -> Path:
    """A store built from the valid tree."""
    build(settings_for("valid", store_dir), progress=quiet)
    return store_dir


# -- Sources -----------------------------------------------------------------------------------


def test_sources_are_discovered_in_a_stable_order_with_one_graph_each() -> None:
    sources = discover(TREES / "valid", BASE)
    assert [(s.relpath, s.graph) for s in sources] == [
        ("ontology/vendor/prov.nt", BASE + "graph/vocab/prov"),
        ("ontology/grades.ttl", BASE + "graph/def/grades"),
        ("ontology/okg.ttl", BASE + "graph/def/okg"),
        ("graph/official/judgements.ttl", BASE + "graph/official/judgements"),
        ("graph/seeds/article-one.ttl", BASE + "graph/seeds/article-one"),
        ("shapes/core.ttl", BASE + "graph/shapes/core"),
        ("shapes/warnings.ttl", BASE + "graph/shapes/warnings"),
    ]


def test_a_directory_without_ontology_is_not_taken_for_a_project(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no ontology/ folder"):
        discover(tmp_path, BASE)


def test_the_same_blank_node_label_in_two_files_names_two_nodes(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "graph").mkdir()
    for name in ("a", "b"):
        (tmp_path / "graph" / f"{name}.ttl").write_text(f'_:b0 <http://e/p> "{name}" .\n')
    quads = [q for s in discover(tmp_path, BASE) for q in parse_file(s)]
    assert len({q.subject for q in quads}) == 2
    again = [q for s in discover(tmp_path, BASE) for q in parse_file(s)]
    assert [q.subject for q in quads] == [q.subject for q in again]  # deterministic labels


def test_a_syntax_error_names_the_file_line_and_column() -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        build_module.validate_tree(settings_for("syntax-error", Path("unused")), progress=quiet)
    assert [str(p) for p in caught.value.problems] == [
        "graph/seeds/broken.ttl:8:1: A dot is expected at the end of statements"
    ]


def test_every_file_with_a_syntax_error_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "one.ttl").write_text("<a> <b> .\n")
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "two.ttl").write_text("\n@prefix x <http://x/> .\n")
    with pytest.raises(SourceSyntaxError) as caught:
        validate_tree(settings_for(tmp_path, tmp_path / "store"), progress=quiet)
    assert [p.path for p in caught.value.problems] == ["ontology/one.ttl", "shapes/two.ttl"]
    assert caught.value.problems[1].line == 2


# -- A successful build ------------------------------------------------------------------------


def test_build_creates_one_named_graph_per_source_and_the_inferred_graph(built: Path) -> None:
    assert graph_names(built) == sorted(
        BASE + "graph/" + local
        for local in (
            "vocab/prov",
            "def/grades",
            "def/okg",
            "official/judgements",
            "seeds/article-one",
            "shapes/core",
            "shapes/warnings",
            "inferred",
        )
    )


def test_empty_angle_brackets_in_a_fact_file_name_its_own_graph(built: Path) -> None:
    graph = BASE + "graph/seeds/article-one"
    answer = open_existing(built).query(
        f"ASK {{ GRAPH <{graph}> {{ <{graph}> <{PROV}wasDerivedFrom> "
        "<https://example.org/news/article-one> }}"
    )
    assert bool(answer)


def test_inferred_graph_holds_entailments_and_not_asserted_triples(built: Path) -> None:
    store = open_existing(built)
    inferred = BASE + "graph/inferred"
    judgement = ID + "judgement/kent-2017-overall"
    entailed = f"ASK {{ GRAPH <{inferred}> {{ <{judgement}> a <{PROV}Entity> }} }}"
    asserted = f"ASK {{ GRAPH <{inferred}> {{ <{judgement}> a <{BASE}def/Judgement> }} }}"
    assert bool(store.query(entailed))
    assert not bool(store.query(asserted))


def test_build_prints_numbered_steps_with_timings(store_dir: Path) -> None:
    lines: list[str] = []
    build(settings_for("valid", store_dir), progress=lines.append)
    numbered = [line for line in lines if line.startswith("[")]
    assert [line[:5] for line in numbered] == ["[1/6]", "[2/6]", "[3/6]", "[4/6]", "[5/6]", "[6/6]"]
    assert numbered[0].startswith("[1/6] parsed 7 files, ")
    assert numbered[1].startswith("[2/6] checked ")
    assert all(line.endswith(" s)") for line in numbered)
    # the long steps say what they are doing as they start
    started = [line.strip() for line in lines if not line.startswith("[")]
    assert [line.split(" ")[1] for line in started] == ["reasoning", "storing"], started
    assert len(lines) <= 10  # one screen


def test_warnings_are_reported_but_do_not_fail_the_build(store_dir: Path) -> None:
    result = build(settings_for("valid", store_dir), progress=quiet)
    assert result.report.conforms
    assert [(r.severity, r.message) for r in result.report.results] == [
        ("Warning", "A judgement should have a label.")
    ]


def test_two_builds_of_the_same_tree_give_the_same_export(tmp_path: Path) -> None:
    exports = []
    for name in ("one", "two"):
        build(settings_for("valid", tmp_path / name), progress=quiet)
        path = tmp_path / f"{name}.nq"
        with path.open("wb") as out:
            open_existing(tmp_path / name).export(NQUADS, out)
        exports.append(path.read_bytes())
    assert exports[0] == exports[1]


def test_rebuilding_replaces_the_store_and_leaves_nothing_beside_it(built: Path) -> None:
    build(settings_for("valid", built), progress=quiet)
    assert sorted(p.name for p in built.parent.iterdir()) == [".store.lock", "store"]


# -- Failed builds leave the previous store as it was --------------------------------------------


@pytest.mark.parametrize("tree", ["syntax-error", "violation"])
def test_failed_build_leaves_the_previous_store_byte_for_byte(built: Path, tree: str) -> None:
    before = fingerprint(built)
    with pytest.raises((SourceSyntaxError, ValidationError)):
        build(settings_for(tree, built), progress=quiet)
    assert fingerprint(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == [".store.lock", "store"]
    assert len(open_existing(built)) > 0


def test_a_reasoner_crash_leaves_the_previous_store(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ofsted_kg.build import reasoning

    def crash(_graph: object) -> object:
        raise RuntimeError("reasoner bug")

    monkeypatch.setattr(reasoning, "entailed_triples", crash)
    before = fingerprint(built)
    with pytest.raises(RuntimeError, match="reasoner bug"):
        build(settings_for("valid", built), progress=quiet)
    assert fingerprint(built) == before


def test_violations_come_with_message_focus_node_and_path(store_dir: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        build(settings_for("violation", store_dir), progress=quiet)
    found = {(v.message, v.focus_node, v.path) for v in caught.value.report.violations}
    focus = f"<{ID}judgement/kent-2019-overall>"
    assert found == {
        ("A judgement needs exactly one grade from a grade scale.", focus, f"<{BASE}def/grade>"),
        (
            # applies only through the inferred type prov:Entity
            "An entity needs the activity that generated it (prov:wasGeneratedBy).",
            focus,
            f"<{PROV}wasGeneratedBy>",
        ),
    }
    assert not store_dir.exists()


def test_validate_tree_writes_no_store(store_dir: Path) -> None:
    report = validate_tree(settings_for("valid", store_dir), progress=quiet).report
    assert report.conforms
    assert not store_dir.parent.exists()


# -- Recovery from a crash in the middle of a swap -----------------------------------------------


def test_a_crash_after_the_old_store_was_set_aside_is_recovered_on_open(built: Path) -> None:
    before = fingerprint(built)
    os.rename(built, aside_path(built))
    store = open_store(built)
    assert len(store) > 0
    assert not aside_path(built).exists()
    assert fingerprint(built) == before


def test_a_crash_after_the_new_store_moved_in_drops_the_old_copy(built: Path) -> None:
    aside_path(built).mkdir()
    (aside_path(built) / "CURRENT").write_text("old\n")
    assert len(open_store(built)) > 0
    assert not aside_path(built).exists()


def test_a_build_dir_left_by_a_dead_process_is_removed(built: Path) -> None:
    stale = built.parent / ".store.build-4194305-dead"  # above Linux's largest pid
    stale.mkdir()
    build(settings_for("valid", built), progress=quiet)
    assert not stale.exists()


def test_a_directory_that_is_not_a_store_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "todo.txt").write_text("keep me\n")
    with pytest.raises(StoreError, match="refusing to replace"):
        build(settings_for("valid", precious), progress=quiet)
    assert (precious / "todo.txt").read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.lock", "notes"]


def test_an_empty_or_missing_store_is_served_empty(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "empty", tmp_path / "missing"):
        store = open_store(path)
        assert len(store) == 0
        assert not bool(store.query("ASK { ?s ?p ?o }"))
    assert not (tmp_path / "missing").exists()


def test_a_store_that_is_not_there_cannot_be_exported_or_queried(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run 'ofsted-kg build' first"):
        open_existing(tmp_path / "nothing")


def test_quads_loaded_are_the_quads_parsed(built: Path) -> None:
    sources = discover(TREES / "valid", BASE)
    parsed = {str(q) for s in sources for q in parse_file(s)}
    made = {ox.NamedNode(BASE + "graph/inferred"), ox.NamedNode(BASE + "graph/checks")}
    stored = {str(q) for q in open_existing(built).quads() if q.graph_name not in made}
    assert stored == parsed


# -- the default graph: the union of the named graphs, each triple once ------------------------

EX = "http://example.org/"


def _union_store() -> Store:
    store = Store(ox.Store(), None, writable=True)
    s, p, o = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o")
    store.add_quads(ox.Quad(s, p, o, ox.NamedNode(EX + g)) for g in ("g1", "g2", "g3"))
    store.refresh_union()
    return store


def test_a_triple_in_three_named_graphs_is_answered_once_from_the_default_graph() -> None:
    store = _union_store()
    rows = list(store.query(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}"))  # type: ignore[arg-type]
    assert len(rows) == 1
    graphs = list(store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))  # type: ignore[arg-type]
    assert len(graphs) == 3


def test_an_update_into_the_default_graph_is_kept_in_the_updates_graph() -> None:
    store = _union_store()
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}", default_target=EX + "updates")
    assert store.named_graphs() == [EX + g for g in ("g1", "g2", "g3", "updates")]
    ask = f"ASK {{ <{EX}a> <{EX}p> 1 }}"
    assert store.query(ask)  # the union shows it too


def test_a_delete_from_the_default_graph_deletes_from_every_named_graph() -> None:
    store = _union_store()
    store.update(f"DELETE DATA {{ <{EX}s> <{EX}p> 'o' }}", default_target=EX + "updates")
    assert list(store.quads()) == []
    assert not store.query(f"ASK {{ <{EX}s> ?p ?o }}")


# -- reasoning from the parsed quads -------------------------------------------------------------


def test_reasoning_from_quads_gives_what_reasoning_from_an_rdflib_graph_gives() -> None:
    """The build reasons from the parsed quads without building an rdflib graph (and maps the
    entailed terms back to the parsed ones by identity): the same entailments as from a graph."""
    from ofsted_kg.build.sources import DATA_KINDS, parse_all, quads_of
    from ofsted_kg.rdf.terms import rdflib_graph

    settings = settings_for("valid", Path("unused"))
    quads = list(quads_of(parse_all(discover(settings.root, BASE)), DATA_KINDS))
    from_quads, skipped_quads = build_module.infer(quads, settings.inferred_graph)
    from_graph, skipped_graph = build_module.infer(rdflib_graph(quads), settings.inferred_graph)
    assert from_quads  # the fixture entails something
    assert skipped_quads == skipped_graph
    assert sorted(map(str, from_quads)) == sorted(map(str, from_graph))
    # A triple listed twice (two graphs) is reasoned over once.
    twice, _ = build_module.infer(quads + quads, settings.inferred_graph)
    assert sorted(map(str, twice)) == sorted(map(str, from_quads))


@pytest.mark.parametrize("workers", [1, 2])
def test_violations_are_the_same_with_one_validation_worker_or_two(
    workers: int, tmp_path: Path
) -> None:
    """Validation runs while the store is written, in forked workers (or, with one, after)."""
    settings = load_settings(
        env={},
        overrides={
            "root": TREES / "violation",
            "store": tmp_path / "store",
            "validation_workers": workers,
        },
    )
    with pytest.raises(ValidationError) as caught:
        build(settings, progress=quiet)
    focus = f"<{ID}judgement/kent-2019-overall>"
    assert {v.focus_node for v in caught.value.report.violations} == {focus}
    assert len(caught.value.report.violations) == 2
    assert not (tmp_path / "store").exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind


def test_a_brief_report_counts_warnings_per_shape_and_keeps_every_violation() -> None:
    from ofsted_kg.build.validation import ValidationReport, ValidationResult

    def result(severity: str, shape: str, n: int) -> ValidationResult:
        return ValidationResult(severity, f"{shape} says so", f"<ex:{shape}{n}>", None, shape, None)

    report = ValidationReport(
        [result("Warning", "a", n) for n in range(50)]
        + [result("Warning", "b", 0)]
        + [result("Violation", "c", n) for n in range(3)],
        shapes_triples=1,
    )
    brief = report.brief()
    assert brief.count("Violation: c says so") == 3  # every violation, in full
    assert brief.count("Warning: a says so") == 1 and "(50 like it; the first:)" in brief
    assert "<ex:a0>" in brief and "<ex:a1>" not in brief
    assert "Warning: b says so\n" in brief
    assert "49 more warnings" in brief and "ofsted-kg validate --warnings" in brief
    assert report.describe().count("Warning: a says so") == 50
