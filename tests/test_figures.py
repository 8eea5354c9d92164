"""Figures: each is exactly its query's answer drawn (no invented node, edge or mark), each
renders in a real browser without console errors, and /queries/NAME switches between the
table and the query's view."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from browser import chromium
from conftest import REPO

from kg.errors import QueryError
from kg.publish import draw_figure
from kg.publish.figures import figure_queries
from kg.query import Catalog, execute, materialise, parse_query
from kg.store import StoreDir
from kg.terms import Compactor

SVG = "{http://www.w3.org/2000/svg}"
FIGURES = {"organisation-map": "map", "organisational-model-axis": "bar",
           "collaboration-network": "graph", "model-lineage": "graph",
           "release-timeline": "timeline", "openness-matrix": "matrix"}


@pytest.fixture(scope="module")
def store(repo_store: Path) -> ox.Store:
    return StoreDir(repo_store).current().open()


@pytest.fixture(scope="module")
def compactor(repo_store: Path) -> Compactor:
    return Compactor(StoreDir(repo_store).current().manifest.get("prefixes", {}))


def answer_rows(store: ox.Store, compactor: Compactor, name: str) -> list[dict[str, str]]:
    query = Catalog(REPO / "queries").get(name)
    answer = materialise(execute(store, query, {}, compactor.prefixes))
    return [{v: (t.value if t is not None else "") for v, t in zip(answer.variables, row,
                                                                    strict=True)}
            for row in answer.rows]


def drawn(store: ox.Store, compactor: Compactor, name: str) -> ET.Element:
    query = Catalog(REPO / "queries").get(name)
    answer = materialise(execute(store, query, {}, compactor.prefixes))
    return ET.fromstring(draw_figure(query, answer, compactor))


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in svg.iter() if cls in (g.get("class") or "").split()]


# -- the #+ view: decorator ----------------------------------------------------------------------

def test_view_decorator_reads_a_kind_or_a_mapping_and_refuses_others() -> None:
    body = "SELECT ?item WHERE { ?item ?p ?o } ORDER BY ?item"
    assert parse_query(body, "q").view == "table"
    assert parse_query("#+ view: timeline\n" + body, "q").view == "timeline"
    mapped = parse_query("#+ view: {type: graph, layout: layered}\n" + body, "q")
    assert (mapped.view, dict(mapped.view_options)) == ("graph", {"layout": "layered"})
    for bad in ("#+ view: pie", "#+ view: {layout: layered}", "#+ view: [bar]"):
        with pytest.raises(QueryError, match="view must be one of table, bar, timeline"):
            parse_query(f"{bad}\n{body}", "q")


def test_the_catalog_has_the_five_figures_with_their_views() -> None:
    found = {q.name: q.view for q in figure_queries(Catalog(REPO / "queries"))}
    assert found == FIGURES


# -- nodes and edges are exactly the query's rows ------------------------------------------------

def test_map_nodes_and_projects_are_the_rows(store, compactor) -> None:
    rows = answer_rows(store, compactor, "organisation-map")
    svg = drawn(store, compactor, "organisation-map")
    nodes = groups(svg, "node")
    assert sorted(n.get("data-iri") for n in nodes) == sorted({r["item"] for r in rows})
    members = {(n.get("data-iri"), m.get("data-iri")) for n in nodes for m in groups(n, "member")}
    assert members == {(r["item"], r["detail"]) for r in rows if r["detail"]}
    placed = {(t.get("data-label"), n.get("data-iri")) for t in groups(svg, "group")
              for n in groups(t, "node")}
    assert placed == {(r["groupLabel"], r["item"]) for r in rows}
    assert len(rows) >= 19  # slide 11's 19 organisations


def test_axis_units_are_the_rows_in_rank_order(store, compactor) -> None:
    rows = answer_rows(store, compactor, "organisational-model-axis")
    svg = drawn(store, compactor, "organisational-model-axis")
    columns = groups(svg, "category")
    units = {(c.get("data-label"), u.get("data-iri")) for c in columns for u in groups(c, "unit")}
    assert units == {(r["groupLabel"], r["item"]) for r in rows}
    assert len(units) == len(rows)
    order = [c.get("data-label") for c in columns]
    assert order == list(dict.fromkeys(r["groupLabel"] for r in rows))
    assert order[-1] == "unknown" and order[0] == "Single company project"


@pytest.mark.parametrize("name", ["collaboration-network", "model-lineage"])
def test_graph_nodes_and_edges_are_the_rows(store, compactor, name: str) -> None:
    rows = answer_rows(store, compactor, name)
    svg = drawn(store, compactor, name)
    nodes = [g.get("data-iri") for g in groups(svg, "node")]
    assert sorted(nodes) == sorted({r[k] for r in rows for k in ("source", "target")})
    edges = [(g.get("data-source"), g.get("data-target"), g.get("data-kind"))
             for g in groups(svg, "edge")]
    assert sorted(edges) == sorted({(r["source"], r["target"], r["edgeLabel"]) for r in rows})
    assert len(edges) == len({(r.get("edge", ""), r["source"], r["target"]) for r in rows})


def test_network_edges_carry_their_evidence(store, compactor) -> None:
    rows = {r["edge"]: r for r in answer_rows(store, compactor, "collaboration-network")}
    svg = drawn(store, compactor, "collaboration-network")
    links = [a for a in svg.iter(f"{SVG}a") if "edge-link" in (a.get("class") or "")]
    assert len(links) == len(rows)
    for link in links:
        edge = groups(link, "edge")[0]
        row = rows[edge.get("data-iri")]
        assert link.get("href") == row["evidenceUrl"]
        assert row["evidence"] in edge.find(f"{SVG}title").text


def test_timeline_marks_are_the_rows_with_their_dates(store, compactor) -> None:
    rows = answer_rows(store, compactor, "release-timeline")
    svg = drawn(store, compactor, "release-timeline")
    marks = {(g.get("data-iri"), g.get("data-date")) for g in groups(svg, "mark")}
    assert marks == {(r["item"], r["date"]) for r in rows}
    assert len(groups(svg, "mark")) == len(rows)
    assert any(r["date"] for r in rows) and any(not r["date"] for r in rows)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_are_accessible_and_show_labels_not_iris(store, compactor, name: str) -> None:
    svg = drawn(store, compactor, name)
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("role") == "img" and title.text and f"/queries/{name}" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in svg.iter(f"{SVG}text") if t.text]
    assert not [t for t in texts if "://" in t or t.startswith(("olcd:", "olcv:"))]
    assert groups(svg, "legend")
    hrefs = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert {f"/queries/{name}", f"/queries/{name}.csv"} <= hrefs


# -- kg figures -------------------------------------------------------------------------------

def test_kg_figures_writes_svg_csv_query_and_gallery(run_repo, tmp_path: Path) -> None:
    result = run_repo("figures", "-o", str(tmp_path / "out"), "--no-png")
    assert result.exit_code == 0, result.output
    for name in FIGURES:
        svg = ET.parse(tmp_path / "out" / f"{name}.svg").getroot()
        assert svg.get("data-query") == name
        csv_lines = (tmp_path / "out" / f"{name}.csv").read_text().strip().splitlines()
        assert f"{name}: {len(csv_lines) - 1} rows" in result.output
        assert (tmp_path / "out" / f"{name}.rq").read_text().startswith("#+ summary:")
    gallery = (tmp_path / "out" / "index.html").read_text()
    assert all(f"src='{name}.svg'" in gallery for name in FIGURES)


# -- in a real browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    driver = chromium(tmp_path_factory.mktemp("profile"), console=True)
    try:
        yield driver
    finally:
        driver.quit()


def errors(browser, expected: str = "") -> list[dict]:
    """Console errors, but for the missing favicon, YASGUI's look-up of prefix.cc (no network
    here) and the ``expected`` refusal."""
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
            and "favicon.ico" not in e["message"] and "prefix.cc" not in e["message"]
            and not (expected and expected in e["message"])]


@pytest.fixture(scope="module")
def served(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from test_server import start

    yield from start(repo_store, tmp_path_factory.mktemp("served"), "--workers", "2")


def test_every_figure_and_its_png_render_in_chromium(run_repo, browser, tmp_path: Path) -> None:
    result = run_repo("figures", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    for name in FIGURES:
        svg_path = tmp_path / "out" / f"{name}.svg"
        root = ET.parse(svg_path).getroot()
        png = (tmp_path / "out" / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (
            int(root.get("width")), int(root.get("height")))
        browser.get(svg_path.as_uri())
        size = browser.execute_script(
            "const b = document.documentElement.getBBox(); return [b.width, b.height];")
        shown = browser.execute_script(
            "return document.querySelectorAll('.node, .unit, .mark, .edge, .value').length;")
        assert size[0] > 600 and size[1] > 300
        assert shown == len(groups(root, "node") + groups(root, "unit") + groups(root, "mark")
                            + groups(root, "edge") + groups(root, "value")) > 0
        assert errors(browser) == [], name


def test_a_query_page_switches_between_table_and_its_view(served, browser) -> None:
    from selenium.webdriver.common.by import By

    for server in [served]:
        browser.get(f"http://127.0.0.1:{server.port}/queries/projects-by-organisational-model")
        table = browser.find_element(By.CSS_SELECTOR, ".pane-table table")
        figure = browser.find_element(By.CSS_SELECTOR, ".pane-figure")
        assert table.is_displayed() and not figure.is_displayed()
        switch = browser.find_element(By.CSS_SELECTOR, "label[for=view-figure]")
        assert switch.text == "Bar"
        switch.click()
        assert figure.is_displayed() and not table.is_displayed()
        bars = browser.find_elements(By.CSS_SELECTOR, ".pane-figure svg .bar")
        rows = table.find_elements(By.CSS_SELECTOR, "tr")[1:]
        assert [b.get_attribute("data-label") for b in bars] == [
            r.find_elements(By.CSS_SELECTOR, "td")[1].get_attribute("textContent")
            for r in rows]
        assert len(bars) == 6
        assert browser.find_element(By.CSS_SELECTOR, ".downloads a[download]").get_attribute(
            "href").startswith("data:image/svg+xml")
        browser.find_element(By.ID, "download-png").click()
        browser.find_element(By.CSS_SELECTOR, "label[for=view-table]").click()
        assert table.is_displayed() and not figure.is_displayed()
        assert errors(browser) == []


def test_answers_that_cannot_be_drawn_say_why(compactor) -> None:
    from kg.query import Answer

    query = parse_query("#+ view: map\nSELECT ?item ?groupLabel WHERE {} ORDER BY ?item", "q")
    with pytest.raises(QueryError, match="no rows to draw"):
        draw_figure(query, Answer("select", ["item", "groupLabel"], []), compactor)
    graph = parse_query("#+ view: graph\nSELECT ?a WHERE {} ORDER BY ?a", "g")
    with pytest.raises(QueryError, match="needs \\?source and \\?target"):
        draw_figure(graph, Answer("select", ["a"], [[ox.Literal("x")]]), compactor)


def test_kg_figures_without_a_browser_writes_the_svg_and_says_so(run_repo, tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("KG_CHROMIUM", str(tmp_path / "no-such-browser"))
    result = run_repo("figures", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "no PNG: headless Chromium was not found" in result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.svg")) == sorted(
        f"{name}.svg" for name in FIGURES)
    assert not list((tmp_path / "out").glob("*.png"))


def test_matrix_cells_are_the_rows_and_unassessed_cells_stay_blank(compactor) -> None:
    from kg.query import Answer

    def lit(text: str) -> ox.Literal:
        return ox.Literal(text)

    def iri(slug: str) -> ox.NamedNode:
        return ox.NamedNode(f"https://w3id.org/olckg/id/{slug}")

    variables = ["groupLabel", "row", "rowLabel", "column", "columnLabel", "value",
                 "colourLabel", "records"]
    rows = [["Index", "p1", "P one", "weights", "Weights", "Open", "Open", "2"],
            ["Index", "p1", "P one", "data", "Data", "Closed", "Closed", "1"],
            ["Index", "p1", "P one", "data", "Data", "Partial", "Partial", "1"],
            ["Tool", "p2", "P two", "weights", "Weights", "MIT", "Licence named", "1"]]
    answer = Answer("select", variables, [
        [lit(g), iri(r), lit(rl), iri(c), lit(cl), lit(v), lit(k), lit(n)]
        for g, r, rl, c, cl, v, k, n in rows])
    query = parse_query("#+ view: matrix\nSELECT * WHERE {} ORDER BY ?row", "m")
    svg = ET.fromstring(draw_figure(query, answer, compactor))
    drawn_values = {(p.get("data-label"), c.get("data-row").rsplit("/", 1)[1],
                     c.get("data-column").rsplit("/", 1)[1], v.get("data-value"))
                    for p in groups(svg, "group") for c in groups(p, "cell")
                    for v in groups(c, "value")}
    assert drawn_values == {(g, r, c, v) for g, r, _, c, _, v, _, _ in rows}
    cells = groups(svg, "cell")
    assert len(cells) == 2 * 2 * 2  # two panels, two projects, two dimensions
    blank = [c for c in cells if not groups(c, "value")]
    assert len(blank) == 5 and all("not assessed" in c.find(f"{SVG}title").text for c in blank)


# -- an entity's part of the figures ------------------------------------------------------------

ID = "https://w3id.org/olckg/id/"


def figure_answers(store: ox.Store, compactor: Compactor) -> list[tuple]:
    return [(q, materialise(execute(store, q, {}, compactor.prefixes)))
            for q in figure_queries(Catalog(REPO / "queries"))]


def parts_of(store, compactor, slug: str) -> dict[str, ET.Element]:
    from kg.publish.figures.neighbourhood import neighbourhoods
    from kg.publish.figures.render import links_for

    found = neighbourhoods(ID + slug, slug, figure_answers(store, compactor), compactor,
                           links_for)
    return {n.query.name: ET.fromstring(n.svg) for n in found}


def test_an_organisations_network_part_is_exactly_its_links(store, compactor) -> None:
    parts = parts_of(store, compactor, "ai-singapore")
    assert set(parts) == {"collaboration-network"}  # not on a timeline, not in the lineage
    svg = parts["collaboration-network"]
    rows = [r for r in answer_rows(store, compactor, "collaboration-network")
            if ID + "ai-singapore" in (r["source"], r["target"])]
    edges = {(g.get("data-iri"), g.get("data-source"), g.get("data-target"))
             for g in groups(svg, "edge")}
    assert edges == {(r["edge"], r["source"], r["target"]) for r in rows} and len(rows) >= 5
    nodes = {g.get("data-iri") for g in groups(svg, "node")}
    assert nodes == {r[k] for r in rows for k in ("source", "target")}
    assert [g.get("data-iri") for g in groups(svg, "focus")] == [ID + "ai-singapore"]


def test_a_releases_parts_are_its_lane_and_its_lineage(store, compactor) -> None:
    parts = parts_of(store, compactor, "aya-expanse-32b")
    assert set(parts) == {"release-timeline", "model-lineage"}
    timeline = answer_rows(store, compactor, "release-timeline")
    lane = {r["groupLabel"] for r in timeline if r["item"] == ID + "aya-expanse-32b"}
    marks = {g.get("data-iri") for g in groups(parts["release-timeline"], "mark")}
    assert marks == {r["item"] for r in timeline if r["groupLabel"] in lane}
    assert len(marks) < len(timeline)
    lineage = [r for r in answer_rows(store, compactor, "model-lineage")
               if ID + "aya-expanse-32b" in (r["source"], r["target"])]
    drawn_edges = {(g.get("data-source"), g.get("data-target"))
                   for g in groups(parts["model-lineage"], "edge")}
    assert drawn_edges == {(r["source"], r["target"]) for r in lineage} != set()
    for svg in parts.values():
        assert [g.get("data-iri") for g in groups(svg, "focus")] == [ID + "aya-expanse-32b"]


def test_an_entity_in_no_figure_has_no_part(store, compactor) -> None:
    assert parts_of(store, compactor, "no-such-entity") == {}


def test_an_entity_page_shows_its_part_of_the_figures(served, browser) -> None:
    from selenium.webdriver.common.by import By

    for server in [served]:
        browser.get(f"http://127.0.0.1:{server.port}/id/ai-singapore")
        figure = browser.find_element(By.CSS_SELECTOR,
                                      "figure.neighbourhood[data-query=collaboration-network]")
        assert figure.is_displayed()
        focus = figure.find_element(By.CSS_SELECTOR, "svg .node.focus")
        assert focus.get_attribute("data-iri") == ID + "ai-singapore"
        whole = figure.find_element(By.CSS_SELECTOR, "figcaption a")
        assert whole.get_attribute("href").endswith("/queries/collaboration-network")
        assert errors(browser) == []


# -- the editor's view switch: POST /figure -------------------------------------------------------

def sparql_json(server, query: str) -> bytes:
    status, _, body = server.sparql(query)
    assert status == 200, body
    return body


def post_figure(server, body: bytes, content_type: str =
                "application/sparql-results+json", **params: str) -> tuple[int, dict, bytes]:
    from urllib.parse import urlencode

    return server.request("POST", "/figure?" + urlencode(params), body,
                          {"Content-Type": content_type, "Accept": "text/plain"})


def test_post_figure_draws_exactly_the_posted_answer(served, store, compactor) -> None:
    query = Catalog(REPO / "queries").get("release-timeline")
    body = sparql_json(served, query.text)
    status, headers, svg = post_figure(served, body, view="timeline", query="release-timeline")
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg)
    rows = answer_rows(store, compactor, "release-timeline")
    assert {(g.get("data-iri"), g.get("data-date")) for g in groups(root, "mark")} == {
        (r["item"], r["date"]) for r in rows}
    assert root.find(f"{SVG}title").text == query.summary  # the catalog query's own title
    # The same answer as a free query from the editor: its own title, no catalog links.
    status, _, svg = post_figure(served, body, view="timeline")
    root = ET.fromstring(svg)
    assert status == 200 and root.find(f"{SVG}title").text == "The SPARQL editor's answer"
    assert not [a for a in root.iter(f"{SVG}a") if "/queries/" in (a.get("href") or "")]


def test_post_figure_keeps_only_web_links_on_edges(served) -> None:
    answer = {"head": {"vars": ["source", "sourceLabel", "target", "targetLabel", "edgeLabel",
                                "evidenceUrl"]},
              "results": {"bindings": [
                  {"source": {"type": "uri", "value": "https://example.org/a"},
                   "sourceLabel": {"type": "literal", "value": "A"},
                   "target": {"type": "uri", "value": "https://example.org/b"},
                   "targetLabel": {"type": "literal", "value": "B"},
                   "edgeLabel": {"type": "literal", "value": "linked"},
                   "evidenceUrl": {"type": "literal", "value": "javascript:alert(1)"}}]}}
    web = json.loads(json.dumps(answer["results"]["bindings"][0]))
    web["target"]["value"], web["evidenceUrl"]["value"] = "https://example.org/c", \
        "https://example.org/evidence"
    answer["results"]["bindings"].append(web)
    status, _, svg = post_figure(served, json.dumps(answer).encode(), view="graph")
    assert status == 200
    root = ET.fromstring(svg)
    assert len(groups(root, "edge")) == 2
    hrefs = [a.get("href") for a in root.iter(f"{SVG}a") if "edge-link" in a.get("class", "")]
    assert hrefs == ["https://example.org/evidence"]  # the javascript: one is no link


@pytest.mark.parametrize(("body", "params", "content_type", "status", "message"), [
    (b'{"head":{"vars":["a"]},"results":{"bindings":[]}}', {"view": "pie"}, None, 400,
     "there is no 'pie' view"),
    (b'{"head":{},"boolean":true}', {"view": "bar"}, None, 400, "an ASK answer"),
    (b"not json", {"view": "bar"}, None, 400, "not SPARQL JSON results"),
    (b'{"head":{"vars":["a"]},"results":{"bindings":[]}}', {"view": "bar"}, None, 400,
     "no rows to draw"),
    (b"{}", {"view": "bar", "query": "no-such-query"}, None, 404, "no catalog query"),
    (b"{}", {"view": "bar"}, "text/csv", 415, "application/sparql-results+json"),
])
def test_post_figure_refuses_what_it_cannot_draw(served, body, params, content_type, status,
                                                 message) -> None:
    got, _, reply = post_figure(served, body, content_type=content_type or
                                "application/sparql-results+json", **params)
    assert (got, message in reply.decode()) == (status, True), reply


def test_post_figure_refuses_answers_too_large_to_read(served) -> None:
    from kg.publish.figures.results import MAX_ROWS

    rows = [{"item": {"type": "uri", "value": f"https://example.org/{i}"},
             "value": {"type": "literal", "value": str(i),
                       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
            for i in range(MAX_ROWS + 1)]
    body = json.dumps({"head": {"vars": ["item", "value"]}, "results": {"bindings": rows}})
    status, _, reply = post_figure(served, body.encode(), view="bar")
    assert status == 400 and b"too many to draw" in reply


def test_the_editor_offers_every_view_the_drawers_have() -> None:
    from kg.publish.figures.render import DRAWERS
    from kg.serve.pages import editor

    page = editor([], has_assets=True).decode()
    offered = tuple(re.findall(r'data-view="(\w+)"', page))
    assert offered == ("table", *DRAWERS)


def test_the_editors_results_switch_between_table_and_a_figure(served, browser, store,
                                                               compactor) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"http://127.0.0.1:{served.port}/editor")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR,
                                         "#examples button[data-name=release-timeline]"))
    browser.find_element(By.CSS_SELECTOR, "#examples button[data-name=release-timeline]").click()
    # A catalog query opens in its own view, drawn from the answer YASR received.
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#figure-pane svg .mark"))
    pressed = browser.find_elements(By.CSS_SELECTOR, "#views button[aria-pressed=true]")
    assert [b.get_attribute("data-view") for b in pressed] == ["timeline"]
    marks = browser.find_elements(By.CSS_SELECTOR, "#figure-pane svg .mark")
    rows = answer_rows(store, compactor, "release-timeline")
    assert sorted(m.get_attribute("data-iri") for m in marks) == sorted(r["item"] for r in rows)
    yasr = browser.find_element(By.CSS_SELECTOR, ".yasr")
    assert not yasr.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#views button[data-view=table]").click()
    assert yasr.is_displayed()
    assert not browser.find_element(By.ID, "figure-pane").is_displayed()
    # A view the answer does not fit says why, and the table stays.
    browser.find_element(By.CSS_SELECTOR, "#views button[data-view=graph]").click()
    note = browser.find_element(By.ID, "view-note")
    wait.until(lambda b: note.is_displayed())
    assert "needs ?source and ?target" in note.text and yasr.is_displayed()
    assert errors(browser, expected="/figure?view=graph") == []
