"""The ofsted-kg command: exit codes, messages, export, query and serve arguments, settings."""

from __future__ import annotations

import argparse
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from ofsted_kg import __version__, cli
from ofsted_kg.cli import main
from ofsted_kg.config import SETTINGS, load_settings, settings_table
from ofsted_kg.errors import ConfigError
from ofsted_kg.store.oxigraph import Store

ROOT = Path(__file__).resolve().parent.parent

TREES = Path(__file__).parent / "fixtures" / "trees"
BASE = "https://w3id.org/ofsted-kg/"
COUNT_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
JUDGEMENT = "<https://w3id.org/ofsted-kg/id/judgement/kent-2017-overall>"


pytestmark = pytest.mark.usefixtures("clean_environment")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def use_tree(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(name: str) -> None:
        monkeypatch.setenv("OFSTED_KG_ROOT", str(TREES / name))

    return use


@pytest.fixture
def built(store: Path, use_tree: Any, capsys: pytest.CaptureFixture[str]) -> Path:
    use_tree("valid")
    assert main(["build", "--store", str(store)]) == 0
    capsys.readouterr()
    return store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def graph_count(capsys: pytest.CaptureFixture[str], store: Path) -> str:
    code, out, _err = run(capsys, "query", COUNT_GRAPHS, "--store", str(store), "--format", "csv")
    assert code == 0
    return out


# -- build -------------------------------------------------------------------------------------


def test_build_succeeds_with_exit_0_and_step_lines(
    store: Path, use_tree: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_tree("valid")
    code, out, err = run(capsys, "build", "--store", str(store))
    assert code == 0
    assert out == ""
    assert "[1/6] parsed 7 files" in err
    assert "[6/6] default graph: the union" in err
    assert "store ready" in err
    assert "Warning: A judgement should have a label." in err
    assert "Traceback" not in err
    assert graph_count(capsys, store) == "n\r\n8\r\n"


def test_build_with_a_syntax_error_exits_1_naming_file_line_column_and_keeps_the_store(
    built: Path, use_tree: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = graph_count(capsys, built)
    use_tree("syntax-error")
    code, _out, err = run(capsys, "build", "--store", str(built))
    assert code == 1
    assert "graph/seeds/broken.ttl:8:1: A dot is expected at the end of statements\n" in err
    assert "was not changed" in err
    assert "Traceback" not in err
    assert graph_count(capsys, built) == before


def test_build_with_a_shape_violation_exits_1_printing_message_focus_and_path(
    built: Path, use_tree: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = graph_count(capsys, built)
    use_tree("violation")
    code, _out, err = run(capsys, "build", "--store", str(built))
    assert code == 1
    assert "Violation: A judgement needs exactly one grade from a grade scale." in err
    assert "focus node: <https://w3id.org/ofsted-kg/id/judgement/kent-2019-overall>" in err
    assert "path:       <https://w3id.org/ofsted-kg/def/grade>" in err
    assert err.rstrip().endswith("2 SHACL violations; the store was not changed")
    assert graph_count(capsys, built) == before


def test_a_wrong_root_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "build", "--root", str(tmp_path), "--store", str(tmp_path / "s"))
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("ofsted-kg: ") and "no ontology/ folder" in err


# -- validate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tree", "expected"), [("valid", 0), ("violation", 1), ("syntax-error", 1)]
)
def test_validate_the_source_tree_exit_status(
    tree: str, expected: int, use_tree: Any, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_tree(tree)
    code, out, _err = run(capsys, "validate")
    assert code == expected
    if tree == "violation":
        assert "A judgement needs exactly one grade from a grade scale." in out
    assert not store.exists()


def test_validate_a_store_exit_status(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "validate", "--store", str(built))
    assert code == 0
    assert out.rstrip().endswith("SHACL: conforms: 0 violations, 1 warning, 0 infos")

    writable = ox.Store(str(built))  # slip an ungraded judgement into the store
    writable.add(
        ox.Quad(
            ox.NamedNode(BASE + "id/judgement/sneaked-in"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(BASE + "def/Judgement"),
            ox.NamedNode(BASE + "graph/seeds/article-one"),
        )
    )
    writable.flush()
    del writable
    code, out, _err = run(capsys, "validate", "--store", str(built))
    assert code == 1
    assert "focus node: <https://w3id.org/ofsted-kg/id/judgement/sneaked-in>" in out


# -- export ------------------------------------------------------------------------------------


def canonical(quads: list[ox.Quad]) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def stored_quads(store: Path, union: bool) -> list[ox.Quad]:
    """The store's named-graph quads: its default graph is their union, derived and not exported."""
    quads = [
        q for q in ox.Store.read_only(str(store)) if not isinstance(q.graph_name, ox.DefaultGraph)
    ]
    if union:
        return list({ox.Quad(q.subject, q.predicate, q.object) for q in quads})
    return quads


EXPORTS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_export_round_trips_and_is_the_same_bytes_twice(
    fmt: str, built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for path in (first, second):
        code, _out, _err = run(
            capsys, "export", "--format", fmt, "--store", str(built), "-o", str(path)
        )
        assert code == 0
    data = first.read_bytes()
    assert data == second.read_bytes()
    parsed = list(ox.parse(data, EXPORTS[fmt]))
    assert canonical(parsed) == canonical(stored_quads(built, union=fmt == "turtle"))
    assert len(parsed) > 100


def test_export_to_stdout_is_the_same_as_to_a_file(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "export", "--format", "trig", "--store", str(built))
    assert code == 0
    assert (
        main(["export", "--format", "trig", "--store", str(built), "-o", str(tmp_path / "f")]) == 0
    )
    assert out.encode() == (tmp_path / "f").read_bytes()


def test_jsonld_export_has_one_graph_per_named_graph(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["export", "--format", "jsonld", "--store", str(built), "-o", str(tmp_path / "j")])
        == 0
    )
    document = json.loads((tmp_path / "j").read_text())
    assert len(document) == 8
    assert all(set(node) == {"@id", "@graph"} for node in document)


def test_a_failed_export_leaves_the_previous_output_file(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dump.nq"
    target.write_bytes(b"previous\n")

    def broken(self: Store, fmt: str, out: io.BufferedWriter) -> None:
        out.write(b"half a dump")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "export", broken)
    code, _out, err = run(
        capsys, "export", "--format", "nquads", "--store", str(built), "-o", str(target)
    )
    assert code == 1
    assert err == f"ofsted-kg: cannot write {target}: No space left on device\n"
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".store.lock",
        "dump.nq",
        "store",
        "store-dumps",  # the build's downloads (see dumps)
    ]


def test_exporting_a_store_that_is_not_there_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "--format", "trig", "--store", str(tmp_path / "none"))
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and "run 'ofsted-kg build' first" in err


# -- query -------------------------------------------------------------------------------------

SELECT = (
    f"SELECT ?label WHERE {{ {JUDGEMENT} <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
)
CONSTRUCT = f"CONSTRUCT WHERE {{ {JUDGEMENT} a ?type }}"


def test_query_select_formats(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    label = "Kent, overall effectiveness, 2017"
    results: dict[str, str] = {}
    for fmt in ("json", "xml", "csv", "tsv"):
        code, out, _err = run(capsys, "query", SELECT, "--store", str(built), "--format", fmt)
        assert code == 0
        results[fmt] = out
    bindings = json.loads(results["json"])["results"]["bindings"]
    assert bindings == [{"label": {"type": "literal", "value": label, "xml:lang": "en"}}]
    literal = ET.fromstring(results["xml"]).find(".//{*}literal")
    assert literal is not None and literal.text == label
    assert list(csv.reader(io.StringIO(results["csv"]))) == [["label"], [label]]
    assert results["tsv"].splitlines() == ["?label", f'"{label}"@en']


def test_query_default_formats_are_json_and_turtle(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "query", "ASK { ?s ?p ?o }", "--store", str(built))
    assert (code, json.loads(out)["boolean"]) == (0, True)
    code, out, _err = run(capsys, "query", CONSTRUCT, "--store", str(built))
    assert code == 0
    assert len(list(ox.parse(out.encode(), ox.RdfFormat.TURTLE))) >= 2


@pytest.mark.parametrize(
    "fmt",
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("nquads", ox.RdfFormat.N_QUADS),
        ("trig", ox.RdfFormat.TRIG),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
    ids=lambda f: f[0],
)
def test_query_construct_formats(
    fmt: tuple[str, ox.RdfFormat], built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "query", CONSTRUCT, "--store", str(built), "--format", fmt[0])
    assert code == 0
    types = {q.object.value for q in ox.parse(out.encode(), fmt[1])}
    assert {BASE + "def/Judgement", "http://www.w3.org/ns/prov#Entity"} <= types


def test_query_from_stdin_and_from_a_file(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ASK { ?s ?p ?o }"))
    code, out, _err = run(capsys, "query", "-", "--store", str(built))
    assert (code, json.loads(out)["boolean"]) == (0, True)
    (tmp_path / "q.rq").write_text("ASK { <http://nothing/> ?p ?o }")
    code, out, _err = run(capsys, "query", f"@{tmp_path / 'q.rq'}", "--store", str(built))
    assert (code, json.loads(out)["boolean"]) == (0, False)


def test_a_malformed_query_prints_the_parser_message_and_exits_2(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "query", "SELECT * WHERE { ?s ?p }", "--store", str(built))
    assert code == 2
    assert out == ""
    assert err.startswith("ofsted-kg: malformed query: error at 1:")
    assert err.count("\n") == 1


def test_a_format_that_does_not_fit_the_query_exits_2(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "query", CONSTRUCT, "--store", str(built), "--format", "csv")
    assert code == 2
    assert "it gives a graph" in err


# -- serve -------------------------------------------------------------------------------------


def test_serve_passes_its_arguments_to_waitress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import waitress

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("OFSTED_KG_ROOT", str(TREES / "valid"))
    argv = ["serve", "--host", "0.0.0.0", "--port", "8123", "--store", str(tmp_path / "new"),
            "--query-timeout", "5", "--update-token", "sesame", "--threads", "2",
            "--workers", "1", "--max-workers", "3", "--query-memory", "512",
            "--connections", "50", "--client-queries", "4", "--write-timeout", "9"]  # fmt: skip
    code, _out, err = run(capsys, *argv)
    assert code == 0
    [(app, kwargs)] = calls
    assert kwargs == {
        "host": "0.0.0.0",
        "port": 8123,
        "threads": 2,
        "connection_limit": 50,
        "channel_timeout": 60,
        "asyncore_use_poll": True,
    }
    settings = app.extensions["ofsted_kg.settings"]
    assert (settings.query_timeout, settings.update_token) == (5.0, "sesame")
    assert (settings.workers, settings.max_workers, settings.worker_limit) == (1, 3, 3)
    assert settings.query_memory == 512
    assert (settings.client_queries, settings.write_timeout) == (4, 9.0)
    assert settings.store == tmp_path / "new"
    assert "serving" in err and "sesame" not in err


def test_serve_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import waitress

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(kw))
    assert main(["serve", "--store", str(tmp_path / "s")]) == 0
    assert calls == [
        {
            "host": "127.0.0.1",
            "port": 8000,
            "threads": 32,
            "connection_limit": 2000,
            "channel_timeout": 60,
            "asyncore_use_poll": True,
        }
    ]


@pytest.mark.parametrize(
    "argv",
    [["serve", "--port", "eighty"], ["serve", "--threads"], ["export"], ["frobnicate"], []],
    ids=["port-not-a-number", "threads-without-value", "export-without-format", "unknown", "none"],
)
def test_bad_arguments_exit_2_with_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert "usage: ofsted-kg" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--version")
    assert (code, out) == (0, f"ofsted-kg {__version__}\n")


# -- settings ----------------------------------------------------------------------------------


def test_settings_come_from_defaults_then_environment_then_the_mapping(tmp_path: Path) -> None:
    env = {"OFSTED_KG_PORT": "9000", "OFSTED_KG_HOST": "0.0.0.0", "OFSTED_KG_ROOT": str(tmp_path)}
    settings = load_settings(env=env, overrides={"port": 9100})
    assert (settings.host, settings.port, settings.query_timeout) == ("0.0.0.0", 9100, 30.0)
    assert settings.store == tmp_path / "var" / "store"
    assert settings.update_token is None


def test_every_setting_can_be_set_from_the_environment() -> None:
    values = {
        "root": "/r", "store": "/s", "base": "http://example.org/kg/", "host": "::1",
        "port": "1", "threads": "3", "query_timeout": "2.5", "update_token": "t",
        "update_token_name": "Newsdesk",
        "validation_workers": "1", "query_memory": "64", "connections": "7",
        "client_queries": "3", "reserved_workers": "1", "write_timeout": "4.5",
        "write_memory": "100",
        "workers": "2", "max_workers": "5", "default_graph": "default", "max_body_bytes": "10",
        "max_result_bytes": "20", "cors_origin": "https://x.example",
        "remote_query": "http://q.example/query", "remote_update": "http://q.example/update",
        "remote_store": "http://q.example/store", "remote_user": "u", "remote_password": "p",
        "remote_exclusive": "True",
    }  # fmt: skip
    allow = "http://a.example/sparql, http://b.example/sparql"
    assert {*values, "service_allow"} == {s.name for s in SETTINGS}
    env = {f"OFSTED_KG_{k.upper()}": v for k, v in values.items()}
    settings = load_settings(env={**env, "OFSTED_KG_SERVICE_ALLOW": allow})
    assert {k: str(getattr(settings, k)) for k in values} == values
    assert settings.service_allow == ("http://a.example/sparql", "http://b.example/sparql")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OFSTED_KG_PORT": "http"}, "OFSTED_KG_PORT: 'http' is not valid"),
        ({"OFSTED_KG_BASE": "https://example.org/kg"}, "ending with '/'"),
        ({"OFSTED_KG_QUERY_TIMEOUT": "-1"}, "positive number of seconds"),
    ],
    ids=["port-not-a-number", "base-without-final-slash", "negative-timeout"],
)
def test_a_bad_setting_is_one_line_naming_its_source(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, _out, err = run(capsys, "validate")
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_the_settings_table_and_the_settings_class_agree() -> None:
    from dataclasses import fields

    from ofsted_kg.config import Settings

    assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS]
    assert all(s.help.endswith(".") for s in SETTINGS)


def test_every_setting_with_a_scope_is_a_flag_with_its_help_from_the_table() -> None:
    """The flags are made from the settings table: each takes its setting's value, and --help
    says what the table says."""
    parser = cli.make_parser()
    serve = next(
        action.choices["serve"]
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    flags = {a.dest: a for a in serve._actions if a.option_strings}
    for setting in SETTINGS:
        if not setting.scope:
            assert setting.name not in flags, f"{setting.name} is a secret: no flag"
            continue
        action = flags[setting.name]
        assert setting.flag in action.option_strings
        assert action.help is not None and setting.help.replace("%", "%%") in action.help
    args = parser.parse_args(
        ["serve", "--reserved-workers", "3", "--cors-origin", "", "--remote-exclusive"]
    )
    settings = cli.settings_from(args)
    assert (settings.reserved_workers, settings.cors_origin) == (3, "")
    assert settings.remote_exclusive is True


def test_the_configuration_docs_hold_the_settings_table_as_made() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_table() in docs, "the settings changed: run `make docs`"


def test_validate_lists_every_warning_only_when_asked(
    use_tree: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_tree("valid")
    code, brief, _err = run(capsys, "validate")
    assert code == 0
    code, full, _err = run(capsys, "validate", "--warnings")
    assert code == 0
    assert "Warning: A judgement should have a label." in brief
    assert full.count("Warning:") >= brief.count("Warning:") >= 1
