"""`kg publish --endpoint` (Graph Store Protocol) and `kg query --endpoint` against real stores.

Two real servers on loopback: Oxigraph's own server in read-write mode and Virtuoso. After a
publish, the catalog answers through `kg query --endpoint` exactly as from the local store.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import Run
from virtuoso import PASSWORD, USER, Virtuoso, free_port

from kg.publish import PARTS
from kg.query import GRAPHS, query_endpoint
from kg.serve.assets import oxigraph_binary

INJECTION = 'x" } UNION { ?s ?p ?o } #'


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """`oxigraph serve` (read-write) on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "db"),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def graph_sizes(endpoint: str) -> dict[str, int]:
    counts = query_endpoint(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                      'FILTER STRSTARTS(STR(?g), "https://w3id.org/olckg/") } '
                                      "GROUP BY ?g", ())
    return {row["g"].value.rsplit("/", 1)[-1]: int(row["n"].value) for row in counts}


def test_dry_run_sends_nothing(run_repo: Run, oxigraph_server: str) -> None:
    result = run_repo("publish", "--endpoint", oxigraph_server + "/store", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("would PUT <https://w3id.org/olckg/graph/") == len(PARTS)
    assert graph_sizes(oxigraph_server + "/query") == {}


def test_publish_to_oxigraph_then_query_it(run_repo: Run, oxigraph_server: str) -> None:
    result = run_repo("publish", "--endpoint", oxigraph_server + "/store")
    assert result.exit_code == 0, result.output
    sizes = graph_sizes(oxigraph_server + "/query")
    assert set(sizes) == set(PARTS)
    for part, n in sizes.items():  # the count check is reported, and is right
        assert f"graph/{part}>: {n} triples written, {n} counted back" in result.stdout
    # A second publish replaces the graphs (PUT), it does not add to them.
    assert run_repo("publish", "--endpoint", oxigraph_server + "/store").exit_code == 0
    assert graph_sizes(oxigraph_server + "/query") == sizes
    for name in ("projects", "facts-about", "grassroots-compute-partnerships"):
        local = run_repo("query", name, "-f", "csv").stdout
        remote = run_repo("query", name, "-f", "csv", "--endpoint", oxigraph_server + "/query")
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == local


def test_publish_to_virtuoso_with_credentials_from_the_environment(
        run_repo: Run, virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = run_repo("publish", "--endpoint", virtuoso.graph_store)
    assert refused.exit_code == 1
    assert "HTTP 401" in refused.stderr and "KG_ENDPOINT_USER" in refused.stderr
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", PASSWORD)
    result = run_repo("publish", "--endpoint", virtuoso.graph_store)
    assert result.exit_code == 0, result.output
    sizes = graph_sizes(virtuoso.sparql)
    assert set(PARTS) <= set(sizes)
    for part in PARTS:
        assert f"graph/{part}>: {sizes[part]} triples written, {sizes[part]} counted back" \
            in result.stdout


def test_a_parameter_value_cannot_change_the_query_on_virtuoso(
        run_repo: Run, virtuoso_loaded: Virtuoso) -> None:
    endpoint = ("--endpoint", virtuoso_loaded.sparql)
    for name, parameter in (("recommendations-for", "group"), ("projects-in-region", "place"),
                            ("project-organisations", "project")):
        for value in (INJECTION, "Asia } ", "a > b", '"'):
            result = run_repo("query", name, "-p", f"{parameter}={value}", "-f", "csv", *endpoint)
            assert result.exit_code == 0, result.output
            assert result.stdout.strip().count("\n") == 0, (name, value)
    # An IRI with > or } is refused before anything is sent.
    result = run_repo("query", "facts-about", "-p", "entity=<http://x> } UNION { ?s ?p ?o",
                      *endpoint)
    assert result.exit_code == 2 and "not a valid IRI" in result.stderr  # asked wrongly


def test_a_value_reaches_the_engine_as_exactly_that_literal(virtuoso_loaded: Virtuoso) -> None:
    from kg.query import bind, parse_query, substitute

    query = parse_query('SELECT ?x WHERE { BIND (?_v AS ?x) }', "echo")
    for value in (INJECTION, 'a "b" } > <c>', "line\nbreak \\ back"):
        text = substitute(query.text, bind(query, {"v": value}, {}))
        [row] = list(query_endpoint(virtuoso_loaded.sparql, text, GRAPHS))
        assert row["x"].value == value


def test_endpoint_errors_are_one_sentence(run_repo: Run, virtuoso: Virtuoso) -> None:
    unreachable = run_repo("query", "projects", "--endpoint", f"http://127.0.0.1:{free_port()}/")
    assert unreachable.exit_code == 1
    assert unreachable.stderr.startswith("Error: query projects: cannot reach the endpoint")
    bad = run_repo("query", "-e", "SELECT * WHERE { ?s ?p }", "--endpoint", virtuoso.sparql)
    assert bad.exit_code == 2 and "answered HTTP 400" in bad.stderr  # a syntax error: usage
    assert len(bad.stderr.strip().splitlines()) == 1
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        slow = run_repo("query", "projects", "--timeout-s", "0.5", "--endpoint", url)
    assert slow.exit_code == 1
    assert slow.stderr == (f"Error: query projects: the endpoint {url} did not answer within "
                           "0.5 s (--timeout-s sets the limit)\n")


def test_the_release_states_its_graph_layout(run_repo: Run, tmp_path: Path) -> None:
    """void.ttl names each part's graph (sd:name) with its triples, as the N-Quads dump has it."""
    result = run_repo("release", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = next(tmp_path.glob("olckg-*"))
    void = ox.Store()
    void.load(path=folder / "void.ttl", format=ox.RdfFormat.TURTLE,
              base_iri=(folder / "void.ttl").as_uri())
    described = {row["g"].value: int(row["n"].value) for row in void.query(
        "PREFIX void: <http://rdfs.org/ns/void#> "
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT ?g ?n WHERE { ?release void:subset ?part . ?part sd:name ?g ; void:triples ?n }")}
    in_dump: dict[str, int] = {}
    for quad in ox.parse(path=folder / "olckg.nq", format=ox.RdfFormat.N_QUADS):
        in_dump[quad.graph_name.value] = in_dump.get(quad.graph_name.value, 0) + 1
    assert described == in_dump
    assert set(described) == {"https://w3id.org/olckg/graph/" + p for p in PARTS}
    # what a query reads: every part but the shapes
    assert tuple("https://w3id.org/olckg/graph/" + p for p in PARTS if p != "shapes") == GRAPHS
