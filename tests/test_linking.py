"""Linking with Wikidata: `kg link wikidata` against a real Oxigraph stand-in on loopback,
federated queries through `kg query` and `kg serve`, and the linking report."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, Run

from kg.cli import cli
from kg.link.candidates import KINDS
from kg.link.wikidata import WDQS, EndpointError, WikidataClient
from kg.query.federation import retarget, send_values

FIXTURES = Path(__file__).parent / "fixtures"
WD = "http://www.wikidata.org/entity/"


@pytest.fixture
def linking_project(tmp_path: Path) -> Path:
    """The real ontology, shapes and queries, with fixture organisations as the data."""
    root = tmp_path / "project"
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / part, root / part)
    (root / "data").mkdir()
    shutil.copy(REPO / "data" / "sources.ttl", root / "data" / "sources.ttl")
    shutil.copy(FIXTURES / "linking" / "data" / "organisations.ttl",
                root / "data" / "organisations.ttl")
    return root


@pytest.fixture
def kg(linking_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("KG_PROJECT", str(linking_project))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("KG_DEBUG", raising=False)
    monkeypatch.delenv("KG_WIKIDATA_ENDPOINT", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


# -- candidates ---------------------------------------------------------------------------------

def test_candidates_are_ranked_by_match_and_type(kg: Run, wikidata_standin: str) -> None:
    result = kg("link", "wikidata", "--endpoint", wikidata_standin, "--format", "json")
    assert result.exit_code == 0, result.output
    proposals = {entry["entity"].rsplit("/", 1)[1]: entry for entry in json.loads(result.stdout)}
    allen = [c["qid"] for c in proposals["allen-lab"]["candidates"]]
    # The institute (label match, fitting type) first; the film that has the name only as an
    # alias after it; the disambiguation page never.
    assert allen == ["Q999999901", "Q999999904"]
    first = proposals["allen-lab"]["candidates"][0]
    assert first["matched"] == "label" and first["types"] == ["research institute"]
    assert first["description"] == "fixture: research institute in Seattle"
    # Wikidata's language-neutral "mul" labels count.
    assert [c["qid"] for c in proposals["eleuther-lab"]["candidates"]] == ["Q999999906"]
    assert proposals["nowhere-lab"]["candidates"] == []
    # Linked entities (the fixture's, and the vocabulary's countries) are not proposed again.
    assert "hf-lab" not in proposals and "country-us" not in proposals


def test_candidates_table_names_entities_and_says_what_to_do(kg: Run,
                                                             wikidata_standin: str) -> None:
    result = kg("link", "wikidata", "--endpoint", wikidata_standin, "--kind", "organisation")
    assert result.exit_code == 0, result.output
    assert "olcd:allen-lab  Allen Institute for AI (organisation)" in result.stdout
    assert re.search(r"Q999999901\s+Allen Institute for AI — fixture: research institute in "
                     r"Seattle \[research institute\] \(label match", result.stdout)
    assert "no item with this label or alias" in result.stdout
    assert "--write SLUG=QID" in result.stdout


def test_unknown_kind_is_a_usage_error(kg: Run) -> None:
    result = kg("link", "wikidata", "--kind", "planet")
    assert result.exit_code == 2 and "kinds are:" in result.output


# -- checks -------------------------------------------------------------------------------------

def test_check_finds_redirected_deleted_and_renamed_items(kg: Run,
                                                          wikidata_standin: str) -> None:
    result = kg("link", "wikidata", "--endpoint", wikidata_standin, "--check",
                "--format", "json")
    assert result.exit_code == 1, result.output
    status = {c["entity"].rsplit("/", 1)[1]: c for c in json.loads(result.stdout)}
    assert status["hf-lab"]["status"] == "ok"
    assert status["merged-lab"]["status"] == "redirect"
    assert "redirects to Q999999901" in status["merged-lab"]["detail"]
    assert status["deleted-lab"]["status"] == "missing"
    assert status["renamed-lab"]["status"] == "label changed"
    assert "New Name Lab" in status["renamed-lab"]["detail"]
    # The real vocabulary links check out against the real items in the stand-in.
    assert status["country-us"]["status"] == "ok" and status["region-europe"]["status"] == "ok"


def test_check_summary_in_the_table(kg: Run, wikidata_standin: str) -> None:
    result = kg("link", "wikidata", "--endpoint", wikidata_standin, "--check")
    assert result.exit_code == 1
    assert re.search(r"^redirect\s+olcd:merged-lab\s+Q999999910", result.stdout, re.M)
    assert re.search(r"links checked against .*: \d+ ok, 3 to fix", result.stdout)


# -- writes -------------------------------------------------------------------------------------

def test_write_records_the_link_with_its_evidence(kg: Run, linking_project: Path,
                                                  wikidata_standin: str) -> None:
    result = kg("link", "wikidata", "--endpoint", wikidata_standin,
                "--write", "allen-lab=Q999999901", "--write", "nowhere-lab=none")
    assert result.exit_code == 0, result.output
    assert "recorded olcd:allen-lab → Q999999901 in data/organisations.ttl" in result.stdout
    text = (linking_project / "data" / "organisations.ttl").read_text(encoding="utf-8")
    assert "olcd:allen-lab owl:sameAs <http://www.wikidata.org/entity/Q999999901>" in text
    assert "dct:source <https://www.wikidata.org/wiki/Q999999901>" in text
    assert f'olc:accessed "{date.today().isoformat()}"^^xsd:date' in text
    assert "olcd:nowhere-lab olc:noMatchIn <https://www.wikidata.org/>" in text
    sources = (linking_project / "data" / "sources.ttl").read_text(encoding="utf-8")
    assert "<https://www.wikidata.org/wiki/Q999999901> a foaf:Document" in sources
    assert kg("validate").exit_code == 0
    # The graph now knows: the entity is linked, and is no longer proposed.
    report = kg("query", "wikidata-links", "--format", "csv").stdout
    organisations = next(r for r in csv.DictReader(io.StringIO(report))
                         if r["kind"] == "organisation")
    assert organisations["noItem"] == "1" and organisations["linked"] == "5"
    listed = kg("link", "wikidata", "--endpoint", wikidata_standin).stdout
    assert "allen-lab" not in listed and "nowhere-lab" not in listed


@pytest.mark.parametrize(("write", "message"), [
    ("allen-lab=Q999999910", "redirects to Q999999901"),
    ("allen-lab=Q999999911", "does not exist"),
    ("hf-lab=Q999999901", "already links to"),
    ("no-such-lab=Q999999901", "no linkable entity"),
])
def test_refused_writes_change_nothing(kg: Run, linking_project: Path, wikidata_standin: str,
                                       write: str, message: str) -> None:
    before = {p: p.read_bytes() for p in (linking_project / "data").iterdir()}
    result = kg("link", "wikidata", "--endpoint", wikidata_standin, "--write", write)
    assert result.exit_code == 1 and message in result.output
    assert {p: p.read_bytes() for p in (linking_project / "data").iterdir()} == before


def test_malformed_write_is_a_usage_error(kg: Run) -> None:
    result = kg("link", "wikidata", "--write", "allen-lab:Q1")
    assert result.exit_code == 2 and "SLUG=QID" in result.output


# -- the endpoint client ------------------------------------------------------------------------

def test_offline_gives_a_clear_message(kg: Run) -> None:
    result = kg("link", "wikidata", "--endpoint", "http://127.0.0.1:1/sparql", "--check")
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:1/sparql" in result.output
    assert "offline" in result.output and "Traceback" not in result.output


class Throttled(BaseHTTPRequestHandler):
    """Answers 429 with Retry-After twice, then a result; records what it was sent."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.agents.append(self.headers["User-Agent"])
        if len(self.server.agents) <= 2:
            body = b"Too Many Requests"
            self.send_response(429)
            self.send_header("Retry-After", "7")
        else:
            body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                {"x": {"type": "literal", "value": "ok"}}]}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def throttled() -> tuple[str, list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Throttled)
    server.agents = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", server.agents
    server.shutdown()


def test_client_waits_as_told_on_429_and_says_who_it_is(throttled) -> None:
    url, agents = throttled
    waits: list[float] = []
    rows = WikidataClient(url, sleep=waits.append).select("SELECT ?x WHERE {}")
    assert [row["x"].value for row in rows] == ["ok"]
    assert waits == [7.0, 7.0] and len(agents) == 3
    assert agents[0].startswith("open-llm-collab-kg/") and "https://w3id.org/olckg" in agents[0]


def test_client_gives_up_after_its_attempts(throttled) -> None:
    url, _ = throttled
    with pytest.raises(EndpointError, match="still answered 429 after 2 tries"):
        WikidataClient(url, attempts=2, sleep=lambda _: None).select("SELECT ?x WHERE {}")


# -- federated queries --------------------------------------------------------------------------

def test_federated_query_through_kg_query(kg: Run, wikidata_standin: str) -> None:
    result = kg("query", "wikidata-organisations", "--wikidata-endpoint", wikidata_standin,
                "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["organisationLabel"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["Hugging Face"]["founded"] == "2016"
    assert rows["Hugging Face"]["countryLabel"] == "United States of America"
    assert rows["Hugging Face"]["website"] == "https://huggingface.co/"
    models = kg("query", "wikidata-developer-models", "--wikidata-endpoint", wikidata_standin,
                "--format", "csv").stdout
    names = [r["modelName"] for r in csv.DictReader(io.StringIO(models))]
    assert names == ["Fixture Smol Model"]  # the film the fixture also lists is not a model


def test_federated_query_through_kg_serve(linking_project: Path, tmp_path: Path,
                                          wikidata_standin: str) -> None:
    from test_server import start

    servers = start(tmp_path / "store", tmp_path, "--wikidata-endpoint", wikidata_standin,
                    project=linking_project)
    server = next(servers)
    try:
        status, _, body = server.request("GET", "/queries/wikidata-organisations.csv")
        assert status == 200, body
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert {r["organisationLabel"] for r in rows} == {
            "Hugging Face", "Merged Lab", "Deleted Lab", "Old Name Lab"}
        # A query that names Wikidata's endpoint is sent to the stand-in too.
        status, _, body = server.sparql(
            f"SELECT ?label WHERE {{ SERVICE <{WDQS}> {{ <{WD}Q999999905> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }", accept="text/csv")
        assert status == 200 and body.decode().split() == ["label", "Hugging", "Face"]
    finally:
        servers.close()


def test_send_values_restricts_only_the_wikidata_service() -> None:
    query = ('SELECT * WHERE { ?s <p> "SERVICE <https://query.wikidata.org/sparql> {" .\n'
             "  SERVICE <https://query.wikidata.org/sparql> { ?item <q> ?o }\n"
             "  SERVICE <http://example.org/sparql> { ?item <r> ?x } }")
    sent = send_values(query, (WDQS,), "item", [WD + "Q1", WD + "Q2"])
    assert sent.count("VALUES") == 1
    assert (f"SERVICE <{WDQS}> {{ VALUES ?item {{ <{WD}Q1> <{WD}Q2> }} ?item <q> ?o }}"
            in sent)
    moved = retarget(sent, {WDQS: "http://127.0.0.1:9999/query"})
    assert "SERVICE <http://127.0.0.1:9999/query> { VALUES" in moved
    assert '"SERVICE <https://query.wikidata.org/sparql> {"' in moved  # strings untouched


# -- the linking report -------------------------------------------------------------------------

def test_report_query_and_stats_agree(run_repo: Run) -> None:
    report = list(csv.DictReader(io.StringIO(
        run_repo("query", "wikidata-links", "--format", "csv").stdout)))
    stats = json.loads(run_repo("stats", "--format", "json").stdout)["wikidata_links"]
    assert [(r["kind"], int(r["entities"]), int(r["linked"]), int(r["noItem"]),
             int(r["unchecked"])) for r in report] == [
        (s["kind"], s["entities"], s["linked"], s["no_item"], s["unchecked"]) for s in stats]
    share = {r["kind"]: float(r["linkedPercent"]) for r in report}
    assert share["country"] == 100.0 and share["region"] == 100.0
    assert 0 < share["organisation"] < 100


def test_report_query_counts_the_kinds_the_linker_knows() -> None:
    text = (REPO / "queries" / "wikidata-links.rq").read_text(encoding="utf-8")
    in_query = set(re.findall(r'\(\d+ "([^"]+)" ', text))
    assert in_query == {kind.name for kind in KINDS}


def test_every_wikidata_link_in_the_data_cites_where_it_was_verified(run_repo: Run) -> None:
    answer = run_repo("query", "-e", """
        SELECT ?entity ?item ?source WHERE {
          ?entity owl:sameAs|skos:exactMatch ?item .
          FILTER (STRSTARTS(STR(?item), "http://www.wikidata.org/entity/"))
          OPTIONAL { ?entity olc:evidence [ olc:value ?item ; dct:source ?source ;
                                            olc:accessed ?date ] }
        }""", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(answer)))
    assert len(rows) >= 25
    assert all(row["source"].startswith("https://") for row in rows), rows

