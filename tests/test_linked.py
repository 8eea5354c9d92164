"""Every IRI dereferences: entity pages, content negotiation, a self-describing dataset, kg site.

The real server on loopback (as test_server.py starts it), real parsers for what it answers
(Oxigraph for RDF, pyld for JSON-LD) and a real static site walked link by link.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from browser import chromium
from conftest import REPO, Run
from test_server import Server, start

BASE = "https://w3id.org/olckg/"
OLMO = BASE + "id/olmo"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"
FORMATS = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE),
           "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
           "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML)}


@pytest.fixture(scope="module")
def server(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start(repo_store, tmp_path_factory.mktemp("linked"), "--workers", "2",
                     "--max-rows", "50")


def get(server: Server, path: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    return server.request("GET", path, headers={"Accept": accept} if accept else {})


def origin(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


def canonical(quads) -> set[str]:
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                         if isinstance(q, ox.Triple) else q for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def jsonld_quads(document: bytes, context: dict, context_iri: str) -> list[ox.Quad]:
    from kg.publish.web.context import expand_to_nquads

    return list(ox.parse(expand_to_nquads(document, context, context_iri).encode(),
                         format=ox.RdfFormat.N_QUADS))


# -- entity pages and content negotiation ------------------------------------------------------

def test_an_entity_answers_turtle_to_machines_and_a_page_with_evidence_to_browsers(
        server: Server) -> None:
    status, headers, body = get(server, "/id/olmo", "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert headers["vary"] == "Accept"
    graph = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert ox.Quad(ox.NamedNode(OLMO), RDFS_LABEL, ox.Literal("OLMo", language="en")) in graph
    assert any(t.object == ox.Literal("Single-institute projects (e.g., OLMO, SEA-LION, Aquila)")
               for t in graph)  # the evidence travels with the facts
    status, headers, page = get(server, "/id/olmo",
                                "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers["vary"] == "Accept"
    html = page.decode()
    assert "<h1>OLMo</h1>" in html
    # values are links to their pages, shown by label
    assert re.search(r'<a href="/id/ai2" title="https://w3id.org/olckg/id/ai2">Allen Institute '
                     r"for AI</a>", html)
    # every fact with its evidence: status, linked source, page, quotation
    row = html[html.index("organisational model"):]
    row = row[: row.index("</tr>")]
    assert "stated" in row and "p.&nbsp;14" in row and "Single-institute projects" in row
    assert 'href="https://www.linaker.se/assets/slides/Open-Source-AI-Collab-OFA.pdf"' in row
    assert "Pointed at by" in html and "/id/cartography-study" in html


def test_every_rdf_format_by_accept_and_suffix_says_the_same(server: Server) -> None:
    expected = canonical(ox.parse(get(server, "/id/ai2.ttl")[2], format=ox.RdfFormat.TURTLE))
    assert len(expected) > 20
    for ext, (media, fmt) in FORMATS.items():
        for path, accept in ((f"/id/ai2.{ext}", None), ("/id/ai2", media)):
            status, headers, body = get(server, path, accept)
            assert status == 200 and headers["content-type"].startswith(media), (path, accept)
            assert canonical(ox.parse(body, format=fmt)) == expected
    context = json.loads(get(server, "/context.jsonld")[2])
    status, headers, body = get(server, "/id/ai2", "application/ld+json")
    assert headers["content-type"].startswith("application/ld+json")
    document = json.loads(body)
    assert document["@context"] == origin(server) + "/context.jsonld"
    assert "label" in json.dumps(document)  # short keys, from the context
    assert canonical(jsonld_quads(body, context, document["@context"])) == expected


def test_external_identifiers_and_wikidata_are_links(server: Server) -> None:
    html = get(server, "/id/ai2")[2].decode()
    assert 'href="http://www.wikidata.org/entity/Q16002567"' in html
    assert 'href="https://ror.org/05w520734"' in html
    assert 'href="https://huggingface.co/allenai"' in html
    assert "accessed 2026-11-27" in html  # the date a link was verified


def test_unknown_values_show_their_reason(server: Server) -> None:
    html = get(server, "/id/nln-ai-lab-llm")[2].decode()
    assert "unknown (Slide 14 gives examples of each organisational model" in html


def test_ontology_vocabularies_and_shapes_dereference(server: Server) -> None:
    status, _, html = get(server, "/ontology")
    assert status == 200 and re.search(rb"id=['\"]OpenLLMProject['\"]", html)
    assert re.search(rb"id=['\"]developedBy['\"]", html)
    ontology = list(ox.parse(get(server, "/ontology", "text/turtle")[2],
                             format=ox.RdfFormat.TURTLE))
    assert ox.Quad(ox.NamedNode(BASE + "ontology"), RDF_TYPE,
                     ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")) in ontology
    status, headers, body = get(server, "/vocab/region-asia", "application/rdf+xml")
    assert status == 200 and headers["content-type"].startswith("application/rdf+xml")
    assert list(ox.parse(body, format=ox.RdfFormat.RDF_XML))
    html = get(server, "/vocab/region-asia")[2].decode()
    assert "<h1>Asia</h1>" in html and "/id/ai-singapore" in html  # and who is in Asia
    assert b"Facts have evidence" in get(server, "/shapes")[2]
    shapes = ox.parse(get(server, "/shapes.ttl")[2], format=ox.RdfFormat.TURTLE)
    assert any(t.object == ox.NamedNode(SH + "NodeShape") for t in shapes)
    assert b"<h1>Vocabularies</h1>" in get(server, "/vocab")[2]


def test_an_iri_the_graph_does_not_have_is_a_404_page_with_a_search_box(server: Server) -> None:
    status, headers, body = get(server, "/id/no-such-thing", "text/html")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b'action="/search"' in body and b"Not in the graph" in body
    status, _, body = get(server, "/id/no-such-thing", "text/turtle")
    assert status == 404 and b"no resource" in body
    assert get(server, "/id/olmo", "application/pdf")[0] == 406


def test_search_ignores_case_and_accents_and_answers_json(server: Server) -> None:
    status, _, html = get(server, "/search?q=linaker")
    assert status == 200 and b"/id/johan-linaker" in html
    status, headers, body = get(server, "/search?q=OLMO", "application/json")
    results = json.loads(body)["results"]
    assert headers["content-type"] == "application/json"
    assert results[0]["iri"] == OLMO and results[0]["page"] == origin(server) + "/id/olmo"
    results = json.loads(get(server, "/search.json?q=" + quote("cohere for ai"))[2])["results"]
    assert BASE + "id/cohere-labs" in [r["iri"] for r in results]  # an alternative label
    for path in ("/", "/id/olmo", "/queries", "/editor", "/ontology"):
        assert b'role="search"' in get(server, path)[2], path  # a search box on every page


# -- the dataset describes itself --------------------------------------------------------------

class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.found = False, []

    def handle_starttag(self, tag, attrs) -> None:
        self.inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data) -> None:
        if self.inside:
            self.found.append(data)

    def handle_endtag(self, tag) -> None:
        self.inside = False


def test_the_landing_page_explains_the_dataset(server: Server) -> None:
    status, _, body = get(server, "/")
    html = body.decode()
    assert status == 200
    assert "A Cartography of Open Collaboration in Open Source AI" in html
    assert "CC BY 4.0" in html
    assert "Linåker, J., Osborne, C., Ding, J., &amp; Burtenshaw, B." in html
    assert re.search(r"<b>1[45]</b><span>projects</span>", html)
    assert "curl -H 'Accept: text/csv' --data-urlencode" in html
    assert re.search(r"href=['\"]/.well-known/void['\"]", html)
    assert re.search(r"href=['\"]/queries['\"]", html)
    scripts = _Scripts()
    scripts.feed(html)
    markup = json.loads(scripts.found[0])
    assert markup["@type"] == "Dataset" and markup["license"].startswith(
        "https://creativecommons.org/licenses/by/4.0")
    assert markup["isBasedOn"]["sameAs"] == "https://doi.org/10.48550/arXiv.2509.25397"
    files = [d["contentUrl"] for d in markup["distribution"] if d["name"].endswith(".ttl")]
    assert origin(server) + "/downloads/olckg.ttl" in files
    status, headers, dump = get(server, "/downloads/olckg.ttl")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert len(list(ox.parse(dump, format=ox.RdfFormat.TURTLE))) > 5000
    assert get(server, "/downloads/../CURRENT")[0] == 404


def test_void_is_absolute_and_the_service_description_links_it(server: Server) -> None:
    status, _, body = get(server, "/.well-known/void")
    assert status == 200
    void = list(ox.parse(body, format=ox.RdfFormat.TURTLE))  # no base: relative IRIs would fail
    endpoints = {t.object.value for t in void if t.predicate.value == VOID + "sparqlEndpoint"}
    assert endpoints == {origin(server) + "/sparql"}
    dumps = {t.object.value for t in void if t.predicate.value == VOID + "dataDump"}
    assert origin(server) + "/downloads/olckg.nt" in dumps
    for dump in sorted(dumps)[:3]:
        assert get(server, dump[len(origin(server)):])[0] == 200
    description = get(server, "/sparql", "text/turtle")[2]
    assert f"<{origin(server)}/.well-known/void>".encode() in description


def test_sparql_examples_are_the_catalog_and_run(server: Server) -> None:
    status, _, body = get(server, "/.well-known/sparql-examples")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    examples = {t.subject for t in triples if t.object == ox.NamedNode(SH + "SPARQLExecutable")}
    assert len(examples) == len(list((REPO / "queries").glob("*.rq")))
    text = {t.subject.value.rsplit("/", 1)[-1]: t.object.value for t in triples
            if t.predicate.value == SH + "select"}
    assert "VALUES (?_entity_iri) { (<https://w3id.org/olckg/id/olmo>) }" in text["facts-about"]
    for name in ("facts-about", "project-organisations", "recommendations-for"):
        status, _, answer = server.sparql(text[name])
        assert status == 200 and json.loads(answer)["results"]["bindings"], name


# -- query pages: labels, links, parameters ----------------------------------------------------

def test_answer_cells_link_to_entity_pages_and_data_links_keep_parameters(server: Server) -> None:
    html = get(server, "/queries/project-organisations?project=BLOOM")[2].decode()
    assert re.search(r'<a href="/id/bigscience-workshop" title="[^"]+">BigScience Workshop</a>',
                     html)
    assert "/queries/project-organisations.json?project=BLOOM" in html
    assert "/queries/project-organisations.csv?project=BLOOM" in html
    status, _, csv = get(server, "/queries/project-organisations.csv?project=BLOOM")
    assert status == 200 and b"bigscience-workshop" in csv


def test_editor_examples_open_with_their_defaults_bound(server: Server) -> None:
    html = get(server, "/editor")[2].decode()
    catalog = json.loads(html.split('<script id="catalog" type="application/json">')[1]
                         .split("</script>")[0])
    example = next(e for e in catalog if e["name"] == "recommendations-for")
    assert 'VALUES (?_group) { ("Policymakers") }' in example["query"]
    assert example["parameters"] == ["group (literal, default 'Policymakers')"]
    _status, _, answer = server.sparql(example["query"])
    catalog_rows = json.loads(get(server, "/queries/recommendations-for.json")[2])
    assert len(json.loads(answer)["results"]["bindings"]) == len(
        catalog_rows["results"]["bindings"]) > 3


def test_construct_answers_in_json_ld_are_compacted(server: Server) -> None:
    query = f"CONSTRUCT {{ <{OLMO}> ?p ?o }} WHERE {{ <{OLMO}> ?p ?o }}"
    status, _headers, body = server.sparql(query, accept="application/ld+json")
    document = json.loads(body)
    assert status == 200 and document["@context"] == origin(server) + "/context.jsonld"
    assert document["label"] == {"@language": "en", "@value": "OLMo"}
    context = json.loads(get(server, "/context.jsonld")[2])
    expected = canonical(ox.parse(server.sparql(query, accept="text/turtle")[2],
                                  format=ox.RdfFormat.TURTLE))
    assert canonical(jsonld_quads(body, context, document["@context"])) == expected


# -- JSON-LD round trip ---------------------------------------------------------------------------

def test_the_compacted_json_ld_dump_expands_to_exactly_the_same_quads(run_repo: Run,
                                                                      tmp_path: Path) -> None:
    result = run_repo("release", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = next(tmp_path.glob("olckg-*"))
    document = (folder / "olckg.jsonld").read_bytes()
    assert json.loads(document)["@context"] == BASE + "context.jsonld"
    context = json.loads((folder / "context.jsonld").read_bytes())  # shipped in the release
    assert context["@context"]["developedBy"] == {"@id": BASE + "ontology#developedBy",
                                                  "@type": "@id"}
    assert "context.jsonld" in (folder / "SHA256SUMS").read_text()
    nquads = list(ox.parse(path=folder / "olckg.nq", format=ox.RdfFormat.N_QUADS))
    back = jsonld_quads(document, context, BASE + "context.jsonld")
    assert len(back) == len(nquads) > 5000
    assert canonical(back) == canonical(nquads)  # named graphs, blank nodes, literals, all


# -- ontology metadata -------------------------------------------------------------------------

def test_ontology_metadata_is_fit_for_vocabulary_registries() -> None:
    ontology = ox.Store()
    ontology.load(path=REPO / "ontology" / "olc.ttl", format=ox.RdfFormat.TURTLE)
    header = ox.NamedNode(BASE + "ontology")
    own = {q.subject for q in ontology.quads_for_pattern(None, RDF_TYPE, None)
           if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(
               BASE + "ontology#")}
    defined_by = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#isDefinedBy")
    assert len(own) > 90
    missing = sorted(t.value for t in own
                     if next(ontology.quads_for_pattern(t, defined_by, header), None) is None)
    assert missing == []

    def one(predicate: str):
        return next(ontology.quads_for_pattern(header, ox.NamedNode(predicate), None)).object

    for role in ("creator", "publisher"):  # agents, not strings
        agent = one(f"http://purl.org/dc/terms/{role}")
        assert isinstance(agent, ox.NamedNode)
        assert next(ontology.quads_for_pattern(agent, RDFS_LABEL, None), None) is not None
    for date in ("issued", "modified"):
        value = one(f"http://purl.org/dc/terms/{date}")
        assert value.datatype.value == "http://www.w3.org/2001/XMLSchema#date"
    assert one("http://www.w3.org/2002/07/owl#versionInfo").value
    assert one("http://purl.org/vocab/vann/preferredNamespacePrefix").value == "olc"
    assert one("http://purl.org/vocab/vann/preferredNamespaceUri").value == BASE + "ontology#"
    assert "Linåker" in one("http://purl.org/dc/terms/bibliographicCitation").value


# -- kg site -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from kg.cli import cli

    folder = tmp_path_factory.mktemp("site") / "site"
    env = {"KG_PROJECT": str(REPO), "KG_STORE": str(repo_store)}
    result = CliRunner(env=env).invoke(cli, ["site", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_the_static_site_has_no_broken_internal_links(site: Path) -> None:
    from kg.publish.web import check_links

    report = check_links(site)
    assert report.broken == []
    assert report.pages > 300 and report.links > 5000
    for name in ("index.html", "index.ttl", "index.jsonld", "index.nt", "index.rdf"):
        assert (site / "id" / "olmo" / name).is_file()
    assert b"Single-institute projects" in (site / "id" / "olmo" / "index.html").read_bytes()
    assert (site / "queries" / "projects" / "index.html").is_file()
    assert b"OLMo" in (site / "queries" / "sampled-projects.csv").read_bytes()
    assert (site / "downloads" / "olckg.ttl").is_file() and (site / "context.jsonld").is_file()
    void = list(ox.parse(path=site / ".well-known" / "void", format=ox.RdfFormat.TURTLE))
    assert BASE + "downloads/olckg.ttl" in {t.object.value for t in void}


def test_a_paged_query_is_written_a_page_at_a_time(site: Path) -> None:
    """sources-by-kind (#+ pagination: 100): queries/NAME/ then page/2/, ..., each page
    linking the next; the rows of the pages are the rows of the whole .csv, once each."""
    whole = (site / "queries" / "sources-by-kind.csv").read_text(encoding="utf-8")
    expected = len(whole.strip().splitlines()) - 1
    folder, number, rows = site / "queries" / "sources-by-kind", 1, 0
    while True:
        page = folder / ("index.html" if number == 1 else f"page/{number}/index.html")
        html = page.read_text(encoding="utf-8")
        table = html.split("<tbody>")[1].split("</tbody>")[0]
        rows += table.count("<tr>")
        assert (f"page {number} (100 rows a page)" in html) and \
            (("rel='prev'" in html) == (number > 1))
        if "rel='next'" not in html:
            break
        assert table.count("<tr>") == 100
        target = re.search(r"<a rel='next' href='([^']+)'", html)[1]
        assert (page.parent / target / "index.html").resolve() == \
            (folder / f"page/{number + 1}/index.html").resolve()
        number += 1
    assert number > 1 and rows == expected
    assert not (folder / f"page/{number + 1}").exists()


def test_w3id_rules_point_at_files_the_site_has(site: Path) -> None:
    """Apply w3id/.htaccess as Apache would (first matching rule, its conditions on Accept)."""
    rules, conditions = [], []
    for line in (REPO / "w3id" / ".htaccess").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts[:2] == ["RewriteCond", "%{HTTP_ACCEPT}"]:
            conditions.append(parts[2])
        elif parts[:1] == ["RewriteRule"]:
            rules.append((conditions, parts[1], parts[2]))
            conditions = []
    host = "https://olckg.example.org/"

    def resolve(path: str, accept: str) -> Path:
        for conds, pattern, target in rules:
            match = re.match(pattern, path)
            if match and all(re.search(c, accept) for c in conds):
                url = re.sub(r"\$(\d)", lambda m, found=match: found.group(int(m.group(1))),
                             target)
                assert url.startswith(host)
                local = site / url[len(host):]
                return local / "index.html" if url.endswith("/") or url == host[:-1] else local
        raise AssertionError(f"no rule for {path}")

    cases = [("id/olmo", "text/turtle", "id/olmo/index.ttl"),
             ("id/olmo", "application/ld+json", "id/olmo/index.jsonld"),
             ("id/olmo", "text/html", "id/olmo/index.html"),
             ("id/olmo.nt", "*/*", "id/olmo/index.nt"),
             ("vocab/region-asia", "application/rdf+xml", "vocab/region-asia/index.rdf"),
             ("ontology", "text/turtle", "ontology/index.ttl"),
             ("ontology", "text/html", "ontology/index.html"),
             ("shapes.jsonld", "*/*", "shapes/index.jsonld"),
             ("", "text/html", "index.html"),
             (".well-known/void", "*/*", ".well-known/void"),
             ("context.jsonld", "*/*", "context.jsonld"),
             ("queries/projects", "text/html", "queries/projects/index.html")]
    for path, accept, expected in cases:
        found = resolve(path, accept)
        assert found == site / expected and found.is_file(), (path, accept, found)


# -- in a real browser -------------------------------------------------------------------------

def test_browser_from_landing_page_to_evidence_and_a_parameterised_example(
        server: Server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium(tmp_path / "profile", "1280,1000", "--hide-scrollbars")
    wait = WebDriverWait(browser, 30)
    shots = {}
    try:
        browser.get(origin(server) + "/")
        assert "CC BY 4.0" in browser.find_element(By.TAG_NAME, "main").text
        shots["landing"] = _screenshot(browser, tmp_path / "landing.png")
        box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
        box.send_keys("pythia")
        box.submit()
        wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "Pythia"))).click()
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Pythia"))
        developer = browser.find_element(By.CSS_SELECTOR, "a[href='/id/eleutherai']")
        developer.click()
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "EleutherAI"))
        evidence = browser.find_elements(By.CSS_SELECTOR, "table.facts .ev")
        assert evidence and "stated" in evidence[0].text
        browser.get(origin(server) + "/id/ai2")  # stated and inferred facts, a Wikidata link
        shots["entity"] = _screenshot(browser, tmp_path / "entity.png")
        browser.get(origin(server) + "/editor")
        wait.until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, '#examples button[data-name="project-organisations"]'))).click()
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr"),
                                                    "Allen Institute for AI"))
        assert "takes parameters: project" in browser.find_element(By.ID, "params").text
    finally:
        browser.quit()
    if os.environ.get("KG_UPDATE_SCREENSHOTS"):  # regenerate docs/screenshots/*.png
        for name, path in shots.items():
            shutil.copyfile(path, REPO / "docs" / "screenshots" / f"{name}.png")


def _screenshot(browser, path: Path) -> Path:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height + 40, 800), 1700))
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 1000)
    return path
