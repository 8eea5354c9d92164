"""kg serve reaches no host but the allow-listed ones, whatever a query says (issue 13, 1-2).

A canary server on another loopback port counts every connection made to it. The bypass
corpus (the five found in review and generated token-boundary variants) goes through the
HTTP front; the same queries also go straight to a sealed worker, past every check of the
front, to show that the guarantee is the sandbox's and not the lexical scan's.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_server import Server, start

from kg.serve.sandbox import can_seal

pytestmark = pytest.mark.skipif(can_seal() is not None,
                                reason=f"workers cannot be sealed here: {can_seal()}")


class Canary:
    """A TCP listener that counts connections (and answers any request with a marker)."""

    def __init__(self) -> None:
        self.connections = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(2)
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json"
                             b"\r\nContent-Length: 18\r\n\r\nSECRET-CANARY-BODY")
            except OSError:
                pass
            conn.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    canary = Canary()
    yield canary
    canary.listener.close()


def the_five(target: str) -> list[str]:
    """The five bypasses found in review (issue 13, item 1)."""
    service = f"SERVICE <{target}> {{ ?s ?p ?o }}"
    return [
        f'SELECT * WHERE {{ BIND("\\u0022" AS ?x) {service} BIND("\\u0022" AS ?y) }}',
        f"SELECT * WHERE {{ # x\r {service} }}",
        f"PREFIX e: <http://example.org/> SELECT * WHERE {{ ?s ?p e:a\\'b . {service} }}",
        f"SELECT * WHERE {{ ?s ?p <http://example.org/\u00a0'> . {service} }}",
        f"SELECT * WHERE {{ ?s ?p <http://example.org/\u2028'> . {service} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 5e0SERVICE <{target}> {{ ?s ?p ?o }} }}",
    ]


KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE",
            "SERV\\u0049CE", "\\U00000053ERVICE", "5e0SERVICE", "1SERVICE", ".5SERVICE",
            "trueSERVICE", "falseSERVICE", "SERVICESILENT"]
BEFORE = ["", "# c\n", "# c\r", "#\r\n", "# SERVICE <http://example.org/> {\n",
          '?s ?p "\\u0022" . ', "?s ?p '\\'' . ", "?s ?p e:a\\'b . ",
          "?s ?p <http://example.org/\u00a0'> . ", "?s ?p <http://example.org/\u2028'> . ",
          "?s ?p <http://example.org/\u2029\"> . ", "\u00a0", "\u2028", "\u3000", "\ufeff",
          '?s ?p """x\r""" . ', "?s ?p 1.0e+0 . "]
NESTING = ["{{ {s} }}", "{{ SELECT * WHERE {{ {s} }} }}", "FILTER EXISTS {{ {s} }}",
           "FILTER NOT EXISTS {{ {s} }}", "MINUS {{ {s} }}", "OPTIONAL {{ {s} }}",
           "{{ ?a ?b ?c }} UNION {{ {s} }}", "{s}"]
FORMS = ["SELECT * WHERE {{ {body} }}", "ASK {{ {body} }}",
         "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {body} }}", "DESCRIBE ?s WHERE {{ {body} }}"]


def variants(target: str, port: int) -> list[str]:
    """Token-boundary variants: comments, escapes, Unicode whitespace, numerals, nesting, forms.

    Bounded: every keyword and every prefix once, each nesting and form in turn (not the full
    product), plus prefixed-name, BASE-relative and variable targets.
    """
    queries = []
    prologue = f"PREFIX e: <http://example.org/> PREFIX c: <http://127.0.0.1:{port}/> "
    cycle = itertools.cycle(itertools.product(NESTING, FORMS))
    for keyword, before in itertools.product(KEYWORDS, BEFORE):
        nesting, form = next(cycle)
        inner = before + nesting.format(s=f"{keyword} <{target}> {{ ?s ?p ?o }}")
        queries.append(prologue + form.format(body=inner))
    for nesting, form in itertools.product(NESTING, FORMS):
        for call in ("SERVICE c:sparql { ?s ?p ?o }",
                     f"BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }}",
                     f"VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }}"):
            queries.append(prologue + form.format(body=nesting.format(s=call)))
    queries.append(f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE "
                   "{ SERVICE <sparql> { ?s ?p ?o } }")
    return queries


@pytest.fixture(scope="module")
def sealed(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start(repo_store, tmp_path_factory.mktemp("sealed"), "--workers", "2",
                     "--timeout-s", "5")


def test_the_bypass_corpus_reaches_nothing(sealed: Server, canary: Canary) -> None:
    target = f"http://127.0.0.1:{canary.port}/sparql"
    corpus = the_five(target) + variants(target, canary.port)
    assert len(corpus) > 250
    statuses = {}
    for query in corpus:
        for method in ("GET", "POST"):
            status, _, body = sealed.sparql(query, method=method)
            statuses[status] = statuses.get(status, 0) + 1
            assert status in (400, 502), (query, status, body)
            assert b"SECRET-CANARY-BODY" not in body
            # No message tells how a connection attempt went.
            assert not any(word in body.lower() for word in
                           (b"refused", b"unreachable", b"os error", b"timed out")), body
    direct = sealed.request("POST", "/sparql", the_five(target)[1],
                            {"Content-Type": "application/sparql-query"})
    assert direct[0] in (400, 502)
    time.sleep(0.5)
    assert canary.connections == 0, statuses


def test_a_sealed_worker_reaches_nothing_even_past_every_check(repo_store: Path,
                                                               canary: Canary,
                                                               tmp_path: Path) -> None:
    """The queries go to the worker pool directly: no lexical check, no retargeting."""
    from kg.serve.pool import WorkerPool
    from kg.serve.sandbox import Relay, relay_url

    allowed = Canary()  # the one endpoint the relay may reach
    relay = Relay(tmp_path, (f"http://127.0.0.1:{allowed.port}/sparql",), timeout_s=5)
    database = next((repo_store / "builds").glob("*/oxigraph"))
    pool = WorkerPool(str(database), 1, relay_socket=relay.path)
    target = f"http://127.0.0.1:{canary.port}/sparql"
    try:
        local = f"http://localhost:{canary.port}/"
        for query in [*the_five(target), f"SELECT * WHERE {{ SERVICE <{local}> {{ ?s ?p ?o }} }}"]:
            reply = pool.run({"query": query, "max_rows": 10, "max_triples": 10}, 10)
            # 200 only where the engine never needed the SERVICE (an empty join before it).
            assert b"SECRET-CANARY-BODY" not in reply.get("body", b""), (query, reply)
        assert canary.connections == 0
        plain = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        reply = pool.run({"query": plain, "max_rows": 10, "max_triples": 10}, 10)
        assert reply["status"] == 502 and "could not be answered" in reply["message"]
        # The relay forwards to the configured upstream only, whatever the path says.
        for route in ("/0", "/0/../1", "/1"):
            query = (f"SELECT * WHERE {{ SERVICE <{relay_url(0).rsplit('/', 1)[0]}{route}> "
                     "{ ?s ?p ?o } }")
            pool.run({"query": query, "max_rows": 10, "max_triples": 10}, 10)
        assert canary.connections == 0
        assert allowed.connections == 1  # only route 0 exists
        # The control: an unsealed worker does connect, so the zero above is the sandbox's.
        unsealed = WorkerPool(str(database), 1)
        try:
            unsealed.run({"query": plain, "max_rows": 10, "max_triples": 10}, 10)
        finally:
            unsealed.close()
        assert canary.connections == 1
    finally:
        pool.close()
        relay.close()
        allowed.listener.close()


@pytest.mark.parametrize("path", [
    "/queries/..%2f..%2fdir%2fevil", "/queries/../../dir/evil", "/queries//tmp/evilabs",
    "/queries/%2e%2e%2f%2e%2e%2fdir%2fevil.csv", "/queries/" + "a" * 5000,
    "/queries/..%5c..%5cevil", "/queries/%00evil",
])
def test_query_names_are_looked_up_never_joined_into_a_path(sealed: Server, path: str,
                                                             tmp_path: Path) -> None:
    status, _, body = sealed.request("GET", path)
    assert status == 404, body
    assert b"No prebuilt query named" in body


def test_a_query_file_outside_the_catalog_is_reachable_by_no_name(tmp_path: Path) -> None:
    """The review's case: .rq files beside queries/ and elsewhere ran; now no name finds them."""
    from kg.errors import QueryError
    from kg.query import Catalog

    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "fine.rq").write_text("#+ summary: fine\nASK { }\n")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "evil.rq").write_text("#+ summary: evil\nASK { }\n")
    catalog = Catalog(tmp_path / "queries")
    for name in ("../dir/evil", "..//dir/evil", str(tmp_path / "dir" / "evil"), "a" * 5000):
        with pytest.raises(QueryError, match="No prebuilt query named"):
            catalog.get(name)
    assert catalog.get("fine").summary == "fine"


def test_without_sealing_federation_is_off(repo_store: Path, tmp_path: Path) -> None:
    """Where workers cannot be sealed, one notice, and SERVICE is refused, even to Wikidata."""
    import re
    import subprocess
    import sys

    from conftest import REPO

    database = next((repo_store / "builds").glob("*/oxigraph"))
    script = ("import sys\nfrom pathlib import Path\nimport kg.serve.run as run\n"
              "run.can_seal = lambda: 'simulated for the test'\n"
              "from kg.serve import Settings\n"
              f"run.serve(Settings(database=Path({str(database)!r}), port=0, workers=1), "
              f"Path({str(REPO / 'queries')!r}), Path({str(tmp_path)!r}), 1, "
              "say=lambda m: print(m, file=sys.stderr, flush=True))\n")
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE,
                               text=True)
    try:
        lines = []
        while not any("at http://" in line for line in lines):
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        port = int(re.search(r"at http://[\d.]+:(\d+)/", lines[-1]).group(1))
        notices = [line for line in lines if "cannot be sealed" in line]
        assert len(notices) == 1 and "federation is off" in notices[0]
        server = Server(process, port, lines)
        status, _, body = server.sparql("SELECT * WHERE { SERVICE "
                                        "<https://query.wikidata.org/sparql> { ?s ?p ?o } }")
        assert status == 400 and b"federation is off" in body
        assert b"BasicFederatedQuery" not in server.request("GET", "/sparql")[2]
        assert server.sparql("ASK { ?s ?p ?o }")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
