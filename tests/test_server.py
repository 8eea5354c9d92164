"""kg serve, tested as users use it: a subprocess on a free loopback port and real clients."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlencode

import pytest
from browser import chromium
from conftest import REPO, Run

KG = str(Path(sys.executable).parent / "kg")
PROJECTS = ("SELECT ?l WHERE { ?p a <https://w3id.org/olckg/ontology#OpenLLMProject> ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: list[str]) -> None:
        self.process, self.port, self.log = process, port, log

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            data = body.encode() if isinstance(body, str) else body
            connection.request(method, path, body=data, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, \
                response.read()
        finally:
            connection.close()

    def sparql(self, query: str, accept: str = "application/sparql-results+json",
               method: str = "GET") -> tuple[int, dict, bytes]:
        if method == "GET":
            return self.request("GET", "/sparql?" + urlencode({"query": query}),
                                headers={"Accept": accept})
        return self.request("POST", "/sparql", urlencode({"query": query}),
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "Accept": accept})


def start(repo_store: Path, tmp_path: Path, *args: str, project: Path = REPO
          ) -> Iterator[Server]:
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(repo_store)}
    process = subprocess.Popen([KG, "serve", "--port", "0", *args], env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    log: list[str] = []
    port = None
    deadline = time.monotonic() + 60
    while port is None and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        log.append(line)
        match = re.search(r"at http://[\d.]+:(\d+)/", line)
        if match:
            port = int(match.group(1))
    assert port, "".join(log)
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    try:
        yield Server(process, port, log)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start(repo_store, tmp_path_factory.mktemp("serve"), "--timeout-s", "2",
                     "--max-rows", "10", "--workers", "2")


# -- the SPARQL 1.1 Protocol -------------------------------------------------------------------

def test_get_post_form_and_post_query_give_the_same_answer(server: Server) -> None:
    got = server.sparql(COUNT)
    form = server.sparql(COUNT, method="POST")
    direct = server.request("POST", "/sparql", COUNT, {"Content-Type": "application/sparql-query",
                                                       "Accept": "application/json"})
    answers = [json.loads(body)["results"]["bindings"][0]["n"]["value"]
               for status, _, body in (got, form, direct) if status == 200]
    assert len(answers) == 3 and len(set(answers)) == 1 and int(answers[0]) > 1000


@pytest.mark.parametrize(("accept", "media", "check"), [
    ("application/sparql-results+json", "application/sparql-results+json",
     lambda b: json.loads(b)["head"]["vars"] == ["n"]),
    ("application/sparql-results+xml", "application/sparql-results+xml",
     lambda b: b"<sparql" in b),
    ("text/csv", "text/csv", lambda b: b.startswith(b"n\r\n")),
    ("text/tab-separated-values", "text/tab-separated-values", lambda b: b.startswith(b"?n\n")),
    ("*/*", "application/sparql-results+json", lambda b: b"bindings" in b),
])
def test_select_content_negotiation(server: Server, accept, media, check) -> None:
    status, headers, body = server.sparql(COUNT, accept)
    assert status == 200
    assert headers["content-type"].startswith(media)
    assert check(body)


@pytest.mark.parametrize(("accept", "media"), [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"),
])
def test_construct_content_negotiation(server: Server, accept: str, media: str) -> None:
    query = ("CONSTRUCT { ?p a <https://w3id.org/olckg/ontology#OpenLLMProject> } WHERE "
             "{ ?p a <https://w3id.org/olckg/ontology#OpenLLMProject> }")
    status, headers, body = server.sparql(query, accept)
    assert status == 200 and headers["content-type"].startswith(media)
    assert b"olmo" in body


def test_format_parameter_and_406(server: Server) -> None:
    status, headers, _ = server.request("GET", "/sparql?" + urlencode(
        {"query": COUNT, "format": "csv"}))
    assert status == 200 and headers["content-type"].startswith("text/csv")
    status, _, body = server.sparql(COUNT, "image/png")
    assert status == 406 and b"offers" in body
    status, _, _ = server.request("GET", "/sparql?" + urlencode(
        {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"}))
    assert status == 406


def test_service_description(server: Server) -> None:
    status, headers, body = server.request("GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert b"sd:Service" in body and b"sd:SPARQL11Query" in body


def test_default_and_named_graph_uris(server: Server) -> None:
    path = "/sparql?" + urlencode({"query": COUNT, "default-graph-uri": "http://example.org/g"})
    status, _, body = server.request("GET", path, headers={"Accept": "application/json"})
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_results_over_the_row_limit_are_cut_with_a_signal(server: Server) -> None:
    status, headers, body = server.sparql(PROJECTS, "text/csv")
    assert status == 200
    assert headers["x-result-truncated"] == "true; limit=10"
    assert len(body.decode().strip().splitlines()) == 11  # header + 10 rows


# -- read-only --------------------------------------------------------------------------------

def test_updates_and_graph_store_writes_are_refused_and_nothing_changes(server: Server) -> None:
    before = server.sparql(COUNT)[2]
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    attempts = [
        server.request("POST", "/sparql", insert, {"Content-Type": "application/sparql-update"}),
        server.request("POST", "/sparql", urlencode({"update": insert}),
                       {"Content-Type": "application/x-www-form-urlencoded"}),
        server.request("POST", "/update", urlencode({"update": insert}),
                       {"Content-Type": "application/x-www-form-urlencoded"}),
        server.request("GET", "/sparql?" + urlencode({"update": insert})),
        server.request("PUT", "/store?default", "<a:a> <a:b> <a:c> .",
                       {"Content-Type": "application/n-triples"}),
        server.request("POST", "/store?default", "<a:a> <a:b> <a:c> .",
                       {"Content-Type": "application/n-triples"}),
        server.request("DELETE", "/store?default"),
    ]
    assert [status for status, _, _ in attempts] == [403, 403, 403, 403, 405, 403, 405]
    assert all(b"read-only" in body for _, _, body in attempts)
    status, _, _ = server.sparql(insert)
    assert status == 400  # an update sent as a query is not a query
    assert server.sparql(COUNT)[2] == before


# -- no outbound requests except to the allow-list --------------------------------------------

class Canary(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Canary.hits.append(self.path)
        body = b"SECRET-CANARY-BODY"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[int]:
    Canary.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_service_outside_the_allow_list_is_refused_before_evaluation(server: Server,
                                                                     canary: int) -> None:
    target = f"http://127.0.0.1:{canary}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <http://127.0.0.1:{canary}/> "
        "SELECT * WHERE { SERVICE c:sparql { ?s ?p ?o } }",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"BASE <http://127.0.0.1:{canary}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ SERVICE <http://localhost:{canary}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <ftp://example.org/sparql> { ?s ?p ?o } }",
    ]
    for query in queries:
        for method in ("GET", "POST"):
            status, _, body = server.sparql(query, method=method)
            assert status == 400, (query, body)
            assert b"not allowed" in body or b"unknown prefix" in body
            assert b"SECRET-CANARY-BODY" not in body
    time.sleep(0.5)
    assert Canary.hits == []


def test_wikidata_is_allowed_by_default_and_the_service_description_says_federation(
        server: Server) -> None:
    from kg.query.federation import check_federation

    check_federation("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> "
                     "{ ?s ?p ?o } }", ("https://query.wikidata.org/sparql",))
    assert b"BasicFederatedQuery" in server.request("GET", "/sparql")[2]


# -- bounded work ------------------------------------------------------------------------------

def test_a_query_over_the_time_limit_is_stopped_and_others_are_answered(server: Server) -> None:
    results: dict[str, tuple] = {}

    def slow() -> None:
        started = time.monotonic()
        results["slow"] = (*server.sparql(SLOW), time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, _, body = server.sparql(COUNT)
    quick = time.monotonic() - started
    thread.join(timeout=60)
    assert status == 200 and quick < 1.5, "another query was answered meanwhile"
    status, _, body, took = results["slow"]
    assert status == 503
    assert b"ran longer than the limit of 2 s" in body
    assert took < 10
    assert server.sparql(COUNT)[0] == 200  # the stopped worker was replaced


def test_bodies_over_the_limit_get_413(server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)
    status, _, body = server.request("POST", "/sparql", big,
                                     {"Content-Type": "application/sparql-query"})
    assert status == 413 and b"limit" in body


def test_urls_over_the_limit_get_414(server: Server) -> None:
    status, _, body = server.request("GET", "/sparql?query=" + "x" * 40_000)
    assert status == 414 and b"POST long queries" in body


def test_expect_100_continue_is_refused_before_the_body_is_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     b"Content-Type: application/sparql-query\r\n"
                     b"Content-Length: 104857600\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413") and b"100 Continue" not in reply


# -- malformed input ---------------------------------------------------------------------------

def test_malformed_queries_get_400_with_position(server: Server) -> None:
    status, _, body = server.sparql("SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert re.search(rb"error at 1:\d+", body)
    status, _, body = server.sparql("SELECT * WHERE { ?s ?p ?o }",
                                    accept="application/json")
    assert status == 200


@pytest.mark.parametrize(("method", "path", "body", "headers"), [
    ("GET", "/sparql?query=%ZZ", None, {}),
    ("GET", "/sparql?query=%C3%28", None, {}),
    ("GET", "/sparql?query=SELECT&query=ASK", None, {}),
    ("POST", "/sparql", b"\xff\xfe", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", b"query=%FF", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", b"nothing", {"Content-Type": "text/plain"}),
    ("POST", "/sparql", b"", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", b"x", {"Content-Type": "application/sparql-query",
                               "Content-Length": "abc"}),
    ("GET", "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }",
                                   "default-graph-uri": "not an iri"}), None, {}),
    ("GET", "/sparql?" + urlencode({"query": "ASK {}", "format": "nonsense"}), None, {}),
    ("GET", "/nowhere", None, {}),
    ("GET", "/queries/nowhere", None, {}),
    ("GET", "/queries/recommendations-for?colour=blue", None, {}),
    ("BREW", "/sparql", None, {}),
])
def test_no_request_produces_a_500_or_a_traceback(server: Server, method, path, body, headers
                                                  ) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    if body is not None and "Content-Length" not in headers:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    text = response.read()
    connection.close()
    assert 400 <= response.status < 500, (response.status, text)
    assert b"Traceback" not in text and b'File "' not in text


# -- the catalog and the web UI -----------------------------------------------------------------

def test_catalog_pages_html_json_and_csv(server: Server) -> None:
    status, headers, body = server.request("GET", "/queries", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"grassroots-compute-partnerships" in body
    listing = json.loads(server.request("GET", "/queries.json")[2])
    assert len(listing) >= 25 and {"name", "summary", "parameters"} <= set(listing[0])
    status, headers, body = server.request("GET", "/queries/sampled-projects")
    assert status == 200 and headers["content-type"].startswith("text/html")
    table = body.split(b"<h2>SPARQL</h2>")[0]
    # IRIs show as their labels, linked to their pages (the IRI only in the link's title)
    assert re.search(rb'<td><a href="/id/[a-z-]+" title="https://w3id.org/[^"]+">Masakhane</a>'
                     rb"</td>", table) and b">https://w3id.org" not in table
    assert b"cut at 10 rows" in table  # the server runs with --max-rows 10
    status, headers, body = server.request("GET", "/queries/recommendations-for.csv?group="
                                           + quote("AI companies"))
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert status == 200 and [r["position"] for r in rows] == ["1", "2", "3", "4"]
    status, headers, body = server.request("GET", "/queries/sampled-projects",
                                           headers={"Accept": "application/sparql-results+json"})
    assert headers["content-type"].startswith("application/sparql-results+json")
    status, _, body = server.request("GET", "/queries/recommendations-for?colour=blue",
                                     headers={"Accept": "application/json"})
    assert status == 400 and json.loads(body)["error"].startswith(
        "query recommendations-for has no parameter colour. Its parameters: group")


def test_a_paged_query_comes_a_page_at_a_time_with_next_page_links(server: Server,
                                                                  run_repo: Run) -> None:
    """model-releases is paged (#+ pagination: 100); the server's --max-rows 10 makes the
    pages 10 rows. Following the next-page links gives the whole answer, once."""
    whole = list(csv.reader(io.StringIO(run_repo("query", "model-releases", "-f", "csv",
                                                 "--all").stdout)))
    assert len(whole) - 1 > 20
    rows, path, seen = [], "/queries/model-releases.csv", 0
    while path:
        status, headers, body = server.request("GET", path)
        assert status == 200 and "x-result-truncated" not in headers, (status, headers)
        page = list(csv.reader(io.StringIO(body.decode())))
        assert page[0] == whole[0] and len(page) - 1 <= 10
        rows += page[1:]
        seen += 1
        links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                            headers["link"]))
        assert links["first"].endswith("/queries/model-releases.csv?page=1")
        assert ("prev" in links) == (seen > 1)
        path = links["next"].split(str(server.port), 1)[1] if "next" in links else None
    assert rows == whole[1:] and seen == (len(whole) - 1 + 9) // 10  # nothing lost or repeated
    status, _, body = server.request("GET", "/queries/model-releases")
    assert status == 200 and b"cut at" not in body
    assert b"<a rel='next' href='/queries/model-releases?page=2'>next page" in body
    assert b"rel='prev'" not in body and b"/queries/model-releases.csv?page=1" in body
    status, _, body = server.request("GET", f"/queries/model-releases?page={seen}")
    assert b"rel='next'" not in body
    assert f"href='/queries/model-releases?page={seen - 1}'".encode() in body
    status, _, body = server.request("GET", "/queries/model-releases?page=x",
                                     headers={"Accept": "application/json"})
    assert status == 400 and "page must be a whole number" in json.loads(body)["error"]
    status, headers, _ = server.request("GET", "/queries/lifecycle.csv")
    assert status == 200 and "link" not in headers  # not paged: whole, as before
    listing = {q["name"]: q for q in json.loads(server.request("GET", "/queries.json")[2])}
    assert listing["model-releases"]["page_size"] == 100
    assert listing["lifecycle"]["page_size"] is None


def test_kg_query_pages_a_remote_endpoint_alike(repo_store: Path, tmp_path: Path,
                                                run_repo: Run) -> None:
    """kg query --endpoint sends the page's LIMIT/OFFSET along: the pages of sources-by-kind
    from kg serve's /sparql (its default row limit) add up to the whole answer."""
    for server in start(repo_store, tmp_path):
        endpoint = f"http://127.0.0.1:{server.port}/sparql"
        whole = run_repo("query", "sources-by-kind", "-f", "csv", "--all")
        header, *everything = whole.stdout.splitlines()
        rows, number = [], 1
        while True:
            result = run_repo("query", "sources-by-kind", "-f", "csv", "--page", str(number),
                              "--endpoint", endpoint, "--graph", "none")
            assert result.exit_code == 0, result.output
            lines = result.stdout.splitlines()
            assert lines[0] == header and len(lines) - 1 <= 100
            rows += lines[1:]
            if "more follow" not in result.stderr:
                break
            number += 1
        assert rows == everything and number == (len(everything) + 99) // 100


def test_editor_page_offers_every_prebuilt_query(server: Server) -> None:
    status, _, body = server.request("GET", "/editor")
    assert status == 200
    assert b"/static/yasgui.min.js" in body
    assert body.count(b'data-name="') == len(json.loads(server.request(
        "GET", "/queries.json")[2]))
    status, _, script = server.request("GET", "/static/yasgui.min.js")
    assert status == 200 and len(script) > 100_000


def test_one_access_log_line_per_request(server: Server) -> None:
    server.request("GET", "/health")
    time.sleep(0.2)
    assert any(re.search(r"127\.0\.0\.1 GET /health 200 [\d.]+ms", line) for line in server.log)


def test_cors_is_off_by_default(server: Server) -> None:
    _, headers, _ = server.sparql(COUNT)
    assert "access-control-allow-origin" not in headers


def test_cors_and_public_binding_notice(repo_store: Path, tmp_path: Path) -> None:
    for public in start(repo_store, tmp_path, "--cors", "--host", "0.0.0.0", "--workers", "1"):
        _, headers, _ = public.sparql(COUNT)
        assert headers["access-control-allow-origin"] == "*"
        status, headers, _ = public.request("OPTIONS", "/sparql", headers={
            "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
        assert status == 204 and "POST" in headers["access-control-allow-methods"]
        assert any("reachable from other machines" in line for line in public.log)


# -- real clients -------------------------------------------------------------------------------

def test_sparqlwrapper_client(server: Server) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(f"http://127.0.0.1:{server.port}/sparql")
    client.setQuery("SELECT ?label WHERE { <https://w3id.org/olckg/id/olmo> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert [b["label"]["value"] for b in answer["results"]["bindings"]] == ["OLMo"]


def test_browser_runs_a_prebuilt_query_and_shows_its_rows(server: Server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium(tmp_path / "profile", "800,600")
    try:
        browser.get(f"http://127.0.0.1:{server.port}/editor")
        button = WebDriverWait(browser, 30).until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, '#examples button[data-name="organisational-models"]')))
        button.click()
        WebDriverWait(browser, 30).until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr"),
                                             "Single company project"))
        results = browser.find_element(By.CSS_SELECTOR, ".yasr").text
        assert "Non-profit-sponsored grassroots project" in results
    finally:
        browser.quit()
