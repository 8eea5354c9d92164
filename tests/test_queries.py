"""The query catalog: every prebuilt query answers as recorded in tests/queries/NAME.csv.

A data change that changes an answer shows up as a diff of these files in review. After a
deliberate change, regenerate them with `pytest tests/test_queries.py --update-expected` and
read the diff before committing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO, Run

from kg.query.catalog import Catalog, bind, substitute
from kg.query.federation import is_federated

EXPECTED = Path(__file__).parent / "queries"
CATALOG = Catalog(REPO / "queries")
NAMES = CATALOG.names()


def normalise(csv_text: str) -> str:
    """Blank node labels change with every build; everything else must not."""
    return re.sub(r"_:[0-9A-Za-z]+", "_:b", csv_text.replace("\r\n", "\n"))


def test_the_catalog_has_at_least_25_documented_queries() -> None:
    queries = CATALOG.all()
    assert len(queries) >= 25
    for query in queries:
        assert query.summary, query.name
        assert query.tags, query.name
    tags = {tag for query in queries for tag in query.tags}
    assert {"governance", "lifecycle", "artefacts", "geography", "evidence", "quality",
            "linking"} <= tags


@pytest.mark.parametrize("name", NAMES)
def test_query_answers_as_recorded(run_repo: Run, name: str, request: pytest.FixtureRequest
                                   ) -> None:
    extra = []
    if is_federated(CATALOG.get(name).text):  # no network in tests: Wikidata's stand-in
        extra = ["--wikidata-endpoint", request.getfixturevalue("wikidata_standin")]
    result = run_repo("query", name, "--format", "csv", "--all", *extra)
    assert result.exit_code == 0, result.output
    answer = normalise(result.stdout)
    expected = EXPECTED / f"{name}.csv"
    if request.config.getoption("--update-expected"):
        expected.write_text(answer, encoding="utf-8")
    assert expected.is_file(), f"no expected answer: run pytest --update-expected ({name})"
    assert answer == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_query_is_standalone_sparql(name: str) -> None:
    """Each file declares its prefixes, so grlc, YASGUI or any engine can run it as is."""
    query = CATALOG.get(name)
    ox.Store().query(query.text)  # raises SyntaxError if not, parameters left unbound
    values = {p.name: "http://example.org/x" if p.kind == "iri" else "1" for p in query.parameters}
    ox.Store().query(substitute(query.text, bind(query, values, {})))  # and with their values


def test_no_expected_answers_for_queries_that_are_gone() -> None:
    stale = sorted(p.stem for p in EXPECTED.glob("*.csv") if p.stem not in NAMES)
    assert stale == []


def test_answers_do_not_depend_on_the_build(run_repo: Run, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            wikidata_standin: str) -> None:
    """Blank node labels differ between builds; ordering and concatenations must not."""
    monkeypatch.setenv("KG_WIKIDATA_ENDPOINT", wikidata_standin)  # no network in tests
    first = {name: normalise(run_repo("query", name, "-f", "csv", "--all").stdout)
             for name in NAMES}
    monkeypatch.setenv("KG_STORE", str(tmp_path / "fresh"))
    assert run_repo("build", "--no-validate").exit_code == 0
    second = {name: normalise(run_repo("query", name, "-f", "csv", "--all").stdout)
              for name in NAMES}
    assert [n for n in NAMES if first[n] != second[n]] == []


INJECTION = 'x" } UNION { ?s ?p ?o } #'


def test_a_parameter_value_cannot_change_a_catalog_query(run_repo: Run) -> None:
    for name, parameter in (("recommendations-for", "group"), ("projects-in-region", "place"),
                            ("project-organisations", "project")):
        result = run_repo("query", name, "--param", f"{parameter}={INJECTION}", "-f", "csv")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().count("\n") == 0, f"{name} returned rows"


def test_parameters_change_the_answer(run_repo: Run) -> None:
    def rows(*args: str) -> list[str]:
        return run_repo("query", *args, "-f", "csv").stdout.strip().splitlines()[1:]

    assert len(rows("recommendations-for", "-p", "group=AI researchers and developers")) == 9
    assert len(rows("recommendations-for", "-p", "group=industry")) == 4  # an alternative name
    europe = rows("projects-in-region", "-p", "place=Europe")
    assert any("Bielik" in r for r in europe) and not any("Typhoon" in r for r in europe)
    assert any("OpenGPT-X" in r for r in rows("projects-in-region", "-p", "place=Germany"))
    mistral = rows("derivatives-of", "-p", "base=olcd:mistral-models")
    assert [r.split(",")[1] for r in mistral] == ["Bielik-11B-v2", "Bielik-7B-v0.1", "Typhoon-7B"]
    stage = rows("challenges-by-stage", "-p", "stage=post-training")
    assert len(stage) == 2


def test_the_main_questions_have_the_answers_the_study_supports(run_repo: Run) -> None:
    compute = run_repo("query", "grassroots-compute-partnerships").stdout
    assert "BLOOM" in compute and "Jean Zay" in compute and "Bielik" in compute
    assert "Open-Source-AI-Collab-OFA.pdf p. 21" in run_repo(
        "query", "grassroots-compute-partnerships", "-f", "csv").stdout


def test_queries_documentation_is_up_to_date(run_repo: Run) -> None:
    """docs/queries.md is generated by `kg queries --markdown`; it must not drift."""
    generated = run_repo("queries", "--markdown").stdout
    committed = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    assert generated == committed, "run: kg queries --markdown -o docs/queries.md"


PAGED = [name for name in NAMES if CATALOG.get(name).page_size
         and not is_federated(CATALOG.get(name).text)]


def test_growing_answers_are_paged() -> None:
    """A list of the graph's entities or facts comes a page at a time by default."""
    assert {"projects", "sources-by-kind", "model-releases", "inferred-facts",
            "weakly-sourced-facts", "facts-without-evidence"} <= set(PAGED)
    assert all(CATALOG.get(name).page_size == 100 for name in PAGED)


@pytest.mark.parametrize("name", PAGED)
def test_pages_of_seven_add_up_to_the_whole_answer(repo_store: Path, name: str) -> None:
    """Each paged query orders its rows fully, so that its pages (here of 7 rows, to make many
    on the real data) hold every row of the whole answer once, in its order."""
    from kg.query.catalog import page_text
    from kg.store import StoreDir

    store = StoreDir(repo_store).current().open()
    query = CATALOG.get(name)
    text = substitute(query.text, bind(query, {}, {}))

    def rows(sparql: str) -> list[tuple[str, ...]]:
        return [tuple(normalise(str(term)) for term in row) for row in store.query(sparql)]

    whole, paged, number = rows(text), [], 1
    while True:
        page = rows(page_text(text, 7, number))
        paged += page[:7]
        if len(page) <= 7:
            break
        number += 1
    assert paged == whole and number == max(1, (len(whole) + 6) // 7)
