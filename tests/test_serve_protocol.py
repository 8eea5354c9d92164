"""The W3C SPARQL 1.1 Protocol tests (w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl).

Each manifest entry is written out here as a request and the response it expects, sent to
`kg serve` over a store holding the tests' three graphs. The manifest's data files
(data1.nt ...) are not in the stored copy we read; the store holds what the test queries
need of them: each graph http://kasei.us/2009/09/sparql/data/dataN.rdf says that its
document is a foaf:Document.

What cannot pass on a read-only endpoint: the seven update_* tests (update_dataset_default_
graph, update_dataset_default_graphs, update_dataset_named_graphs, update_dataset_full,
update_post_form, update_post_direct, update_base_uri) each start with a SPARQL Update
that must succeed; `kg serve` refuses every update with 403, and the tests below check that
it does, and that the store is unchanged. All 14 bad-request tests pass (the seven
bad_update_* ones as refused updates), and 12 of the 13 query tests.

The one that does not, query_multiple_dataset, cannot pass as the manifest writes it: its
URL encodes the '&' between its two named-graph-uri parameters (``%26named-graph-uri%3D``),
so the protocol names one graph whose IRI contains "&named-graph-uri=", and the query's two
GRAPH patterns cannot both match (false, where the test expects true). It is kept, marked
as an expected failure (strict), with the FROM clause still overridden by the protocol.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from conftest import REPO

KASEI = "http://kasei.us/2009/09/sparql/data/"
D0, D1, D2, D3 = (f"http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata{n}.rdf"
                  for n in range(4))
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update"}
ASK_2 = (f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}")
ASK_NAMED = (f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
             f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}")
ASK_FULL = (f"ASK {{\n  <{KASEI}data3.rdf> a ?type\n  GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }}"
            f"\n  GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }}\n}}")
ASK_2_GET = ("ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf%3E"
             "%20a%20%3Ftype%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
             "data2.rdf%3E%20a%20%3Ftype%20.%20%7D")
ASK_NAMED_GET = ("ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2F"
                 "sparql%2Fdata%2Fdata1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20"
                 "%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20"
                 "%3Ftype%20%7D%20%7D")

#: name -> (method, path, headers, body, expected): "true", "boolean", "tabular", "RDF", 4
QUERY_TESTS = {
    "query_post_form": ("POST", f"/sparql/?default-graph-uri={D0}", FORM,
                        "query=ASK%20%7B%7D", "true"),
    "query_dataset_default_graphs_get": (
        "GET", f"/sparql/?query={ASK_2_GET}&default-graph-uri={D1}&default-graph-uri={D2}",
        {}, None, "true"),
    "query_dataset_default_graphs_post": (
        "POST", f"/sparql/?default-graph-uri={D1}&default-graph-uri={D2}", DIRECT, ASK_2,
        "true"),
    "query_dataset_named_graphs_post": (
        "POST", f"/sparql/?named-graph-uri={D1}&named-graph-uri={D2}", DIRECT, ASK_NAMED,
        "true"),
    "query_dataset_named_graphs_get": (
        "GET", f"/sparql/?query={ASK_NAMED_GET}&named-graph-uri={D1}&named-graph-uri={D2}",
        {}, None, "true"),
    "query_dataset_full": (
        "POST", f"/sparql/?default-graph-uri={D3}&named-graph-uri={D1}&named-graph-uri={D2}",
        DIRECT, ASK_FULL, "true"),
    # As in the manifest: the '&' between the two named-graph-uri values is encoded (%26),
    # so the protocol names one graph; the FROM in the query must still be ignored.
    "query_multiple_dataset": (
        "POST", f"/sparql/?named-graph-uri={D1}%26named-graph-uri%3D{D2}", DIRECT,
        f"ASK FROM <{KASEI}data3.rdf> {ASK_NAMED[4:]}", "true"),
    "query_get": ("GET", f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={D0}", {}, None,
                  "true"),
    "query_content_type_select": ("POST", f"/sparql/?default-graph-uri={D0}", DIRECT,
                                  "SELECT (1 AS ?value) {}", "tabular"),
    "query_content_type_ask": ("POST", f"/sparql/?default-graph-uri={D0}", DIRECT, "ASK {}",
                               "boolean"),
    "query_content_type_describe": ("POST", f"/sparql/?default-graph-uri={D0}", DIRECT,
                                    "DESCRIBE <http://example.org/>", "RDF"),
    "query_content_type_construct": ("POST", f"/sparql/?default-graph-uri={D0}", DIRECT,
                                     "CONSTRUCT { <s> <p> 1 } WHERE {}", "RDF"),
    "query_post_direct": ("POST", "/sparql/", DIRECT, "ASK {}", "true"),
}
BAD_TESTS = {
    "bad_query_method": ("PUT", f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={D0}", FORM,
                         "", 4),
    "bad_multiple_queries": ("GET", "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
                             {}, None, 4),
    "bad_query_wrong_media_type": ("POST", "/sparql/", {"content-type": "text/plain"},
                                   "ASK {}", 4),
    "bad_query_missing_form_type": ("POST", "/sparql/", {}, "query=ASK%20%7B%7D", 4),
    "bad_query_missing_direct_type": ("POST", "/sparql/", {}, "ASK {}", 4),
    "bad_query_non_utf8": ("POST", "/sparql/",
                           {"content-type": "application/sparql-query; charset=UTF-16"},
                           "ASK {}".encode("utf-16"), 4),
    "bad_query_syntax": ("GET", "/sparql/?query=ASK%20%7B", {}, None, 4),
    "bad_update_get": ("GET", "/sparql/?update=CLEAR%20ALL", {}, None, 4),
    "bad_multiple_updates": ("POST", "/sparql/", FORM,
                             "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", 4),
    "bad_update_wrong_media_type": ("POST", "/sparql/", {"content-type": "text/plain"},
                                    "CLEAR NAMED", 4),
    "bad_update_missing_form_type": ("POST", "/sparql/", {}, "update=CLEAR%20NAMED", 4),
    "bad_update_non_utf8": ("POST", "/sparql/",
                            {"content-type": "application/sparql-update; charset=UTF-16"},
                            "CLEAR NAMED".encode("utf-16"), 4),
    "bad_update_syntax": ("POST", "/sparql/", FORM, "update=CLEAR%20XYZ", 4),
    "bad_update_dataset_conflict": (
        "POST", "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople", UPDATE,
        "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }"
        "\nWHERE {\n    ?person foaf:givenName 'Bill'\n}", 4),
}
#: The first request of each update_* test: what a read-only endpoint must refuse.
UPDATE_TESTS = {
    "update_dataset_default_graph": (f"/sparql/?using-graph-uri={D1}", UPDATE, "CLEAR ALL"),
    "update_dataset_default_graphs": (
        f"/sparql/?using-graph-uri={D1}&using-graph-uri={D2}", UPDATE, "CLEAR ALL"),
    "update_dataset_named_graphs": (
        f"/sparql/?using-named-graph-uri={D1}&using-named-graph-uri={D2}", UPDATE, "CLEAR ALL"),
    "update_dataset_full": (f"/sparql/?using-graph-uri={D3}&using-named-graph-uri={D1}",
                            UPDATE, "CLEAR ALL"),
    "update_post_form": ("/sparql/", FORM, "update=CLEAR+ALL"),
    "update_post_direct": ("/sparql/", UPDATE, "CLEAR ALL"),
    "update_base_uri": ("/sparql/", UPDATE, "CLEAR GRAPH <http://example.org/protocol-base-test/>"
                        " ;\nINSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
                        "{ <http://example.org/s> <http://example.org/p> <test> } }"),
}
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR = (*BOOLEAN, "text/csv", "text/tab-separated-values")
RDF = ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("protocol")
    store = ox.Store(str(folder / "db"))
    foaf_document = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for n in (1, 2, 3):
        document = ox.NamedNode(f"{KASEI}data{n}.rdf")
        store.add(ox.Quad(document, rdf_type, foaf_document, document))
    store.flush()
    del store
    script = (
        "import sys\nfrom pathlib import Path\nfrom kg.serve import Settings, serve\n"
        f"serve(Settings(database=Path({str(folder / 'db')!r}), port=0, workers=1, "
        "allow_service=()), "
        f"Path({str(REPO / 'queries')!r}), Path({str(folder / 'assets')!r}), 3, "
        "say=lambda m: print(m, file=sys.stderr, flush=True))\n")
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE,
                               text=True)
    port, lines = None, []
    deadline = time.monotonic() + 60
    while port is None and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"at http://[\d.]+:(\d+)/", line)
        port = int(match.group(1)) if match else None
    assert port, "".join(lines)
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    yield port
    process.terminate()
    process.wait(timeout=20)


def send(port: int, method: str, path: str, headers: dict, body: str | bytes | None
         ) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = body.encode() if isinstance(body, str) else body
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", "www.example")
        for name, value in headers.items():
            connection.putheader(name, value)
        if data is not None:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, response.getheader("content-type") or "", response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(
        strict=True, reason="the manifest encodes the '&' between its two named-graph-uri "
        "parameters, naming one graph")) if name == "query_multiple_dataset" else name
    for name in QUERY_TESTS])
def test_query(endpoint: int, name: str) -> None:
    method, path, headers, body, expected = QUERY_TESTS[name]
    status, media, answer = send(endpoint, method, path, headers, body)
    assert 200 <= status < 400, (status, answer)
    media = media.split(";")[0]
    if expected in ("true", "boolean"):
        assert media in BOOLEAN
        if expected == "true":
            assert json.loads(answer)["boolean"] is True
    elif expected == "tabular":
        assert media in TABULAR and b"value" in answer
    else:
        assert media in RDF
        ox.parse(answer, format=ox.RdfFormat.from_media_type(media))


@pytest.mark.parametrize("name", BAD_TESTS)
def test_bad_request(endpoint: int, name: str) -> None:
    method, path, headers, body, _ = BAD_TESTS[name]
    status, _, answer = send(endpoint, method, path, headers, body)
    assert 400 <= status < 500, (status, answer)


@pytest.mark.parametrize("name", UPDATE_TESTS)
def test_update_tests_cannot_pass_read_only_and_are_refused(endpoint: int, name: str) -> None:
    path, headers, body = UPDATE_TESTS[name]
    status, _, answer = send(endpoint, "POST", path, headers, body)
    assert status == 403 and b"read-only" in answer
    status, _, answer = send(endpoint, "POST", "/sparql/", DIRECT,
                             "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert json.loads(answer)["results"]["bindings"][0]["n"]["value"] == "3"
