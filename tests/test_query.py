"""kg query: prebuilt, file, inline and stdin queries; formats; parameters bound as RDF terms."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import Run, write

INJECTION = 'x" } UNION { ?s ?p ?o } #'


def test_table_shows_labels_compact_names_and_row_count(run: Run) -> None:
    result = run("query", "projects")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["project", "org"]
    assert lines[1].startswith("-------")
    assert "Alpha" in lines[2] and "Lab One" in lines[2]
    assert "http://" not in result.stdout, "labels replace IRIs in the table"
    assert lines[-1] == "(3 rows)"


def test_table_columns_are_aligned(run: Run) -> None:
    lines = run("query", "projects").stdout.splitlines()[:-1]
    second_column = {line.index(line.split("  ")[-1].strip()) for line in lines if "  " in line}
    assert len(second_column) == 1


def test_csv_keeps_iris_and_labels(run: Run) -> None:
    result = run("query", "projects", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0] == {"project": "http://example.org/mini/id/alpha", "projectLabel": "Alpha",
                       "org": "http://example.org/mini/id/lab-one", "orgLabel": "Lab One"}


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_standard_result_formats_parse(run: Run, fmt: str) -> None:
    result = run("query", "projects", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["head"]["vars"] == ["project", "projectLabel", "org", "orgLabel"]
        assert len(data["results"]["bindings"]) == 3
    elif fmt == "xml":
        root = ET.fromstring(result.stdout_bytes)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(root.findall(f"{ns}results/{ns}result")) == 3
    else:
        parsed = ox.parse_query_results(result.stdout_bytes, format=ox.QueryResultsFormat.TSV)
        assert len(list(parsed)) == 3


def test_ask_and_construct(run: Run) -> None:
    assert run("query", "-e", "ASK { ?s a ex:Project }").stdout == "yes\n"
    assert run("query", "-e", "ASK { ?s a ex:Nothing }", "-f", "json").stdout == \
        '{"head":{},"boolean":false}'
    turtle = run("query", "graph").stdout
    assert "@prefix ex: <http://example.org/mini#> ." in turtle
    graph = ox.Store()
    graph.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    assert len(graph) == 5
    ntriples = run("query", "graph", "--format", "ntriples").stdout
    assert len(ntriples.splitlines()) == 5


def test_format_that_does_not_fit_the_query_form_is_refused(run: Run) -> None:
    result = run("query", "graph", "--format", "csv")
    assert result.exit_code == 2  # usage or input (README)
    assert "a CONSTRUCT or DESCRIBE answer can be turtle, ntriples, jsonld, rdfxml" in result.stderr
    result = run("query", "projects", "--format", "turtle")
    assert result.exit_code == 2  # usage or input (README)
    assert "a SELECT or ASK answer can be table, csv" in result.stderr


def test_query_from_file_stdin_and_output_file(run: Run, tmp_path: Path) -> None:
    query = write(tmp_path / "count.rq", "SELECT (COUNT(*) AS ?n) WHERE { ?p a ex:Project }")
    assert run("query", str(query), "-f", "csv").stdout.splitlines()[1] == "2"
    assert run("query", "-", "-f", "csv", input=query.read_text()).stdout.splitlines()[1] == "2"
    out = tmp_path / "answer.csv"
    assert run("query", str(query), "-f", "csv", "-o", str(out)).exit_code == 0
    assert out.read_text().splitlines()[1] == "2"


def test_malformed_query_is_one_message_with_position(run: Run) -> None:
    result = run("query", "-e", "SELECT * WHERE {\n  ?s ?p \n}")
    assert result.exit_code == 2  # usage or input (README)
    assert "Error: query (inline): syntax error at line 3, column 2" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_query_name_suggests_close_ones(run: Run) -> None:
    result = run("query", "project")
    assert result.exit_code == 2  # usage or input (README)
    assert "No prebuilt query named 'project'. Did you mean: projects" in result.stderr


def test_parameter_is_bound_as_an_rdf_term(run: Run) -> None:
    result = run("query", "project-by-label", "--param", "label=Alpha", "-f", "csv")
    assert result.stdout.splitlines()[1:] == ["http://example.org/mini/id/alpha"]
    # The default applies when the parameter is not given.
    assert run("query", "project-by-label", "-f", "csv").stdout.splitlines()[1:] == \
        ["http://example.org/mini/id/alpha"]


@pytest.mark.parametrize("value", [INJECTION, 'Beta "quoted" }', "} ?x ?y ?z {", "\\"])
def test_values_with_quotes_or_braces_cannot_change_the_query(run: Run, value: str) -> None:
    result = run("query", "project-by-label", "--param", f"label={value}", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    if value == 'Beta "quoted" }':  # a real label containing quote and brace matches exactly
        assert rows == ["http://example.org/mini/id/beta"]
    else:
        assert rows == []


def test_iri_parameter_accepts_prefixed_and_full_iris(run: Run) -> None:
    for value in ("exd:lab-one", "<http://example.org/mini/id/lab-one>",
                  "http://example.org/mini/id/lab-one"):
        result = run("query", "developed-by", "--param", f"org={value}", "-f", "csv")
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
        assert [row[-1] for row in rows] == ["Alpha", 'Beta "quoted" }']


def test_iri_parameter_rejects_injection(run: Run) -> None:
    result = run("query", "developed-by", "--param", "org=<http://x> } UNION { ?s ?p ?o")
    assert result.exit_code == 2  # usage or input (README)
    assert "--param org" in result.stderr and "not a valid IRI" in result.stderr


def test_unknown_and_missing_parameters_list_the_query_parameters(run: Run) -> None:
    result = run("query", "project-by-label", "--param", "colour=red")
    assert result.exit_code == 2  # usage or input (README)
    assert "query project-by-label has no parameter colour. Its parameters: " \
           "label (text@en, default 'Alpha')" in result.stderr
    result = run("query", "developed-by")
    assert result.exit_code == 2  # usage or input (README)
    assert "query developed-by needs --param org=VALUE. Its parameters: org (iri, required)" \
        in result.stderr


def test_a_parameter_need_not_be_selected(run: Run, tmp_path: Path) -> None:
    """The value replaces the variable in the text (as grlc binds), wherever it occurs."""
    query = write(tmp_path / "q.rq", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                  "SELECT ?p WHERE { ?p rdfs:label ?_label_en }")
    result = run("query", str(query), "--param", "label=Alpha", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["http://example.org/mini/id/alpha"]


def test_param_without_equals_is_a_usage_error(run: Run) -> None:
    result = run("query", "projects", "--param", "oops")
    assert result.exit_code == 2
    assert "'oops' is not NAME=VALUE" in result.stderr


def test_queries_lists_names_summaries_tags_and_params(run: Run) -> None:
    result = run("queries")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "developed-by", "graph", "project-by-label", "projects"]
    assert any("projects" in line and "Projects and who develops them [governance]" in line
               for line in lines)
    assert any("developed-by" in line and "(params: org)" in line for line in lines)
    shown = run("queries", "projects").stdout
    assert shown.startswith("#+ summary: Projects and who develops them")


@pytest.mark.parametrize("value", [INJECTION, 'a "b" } > <c>', "line\nbreak \\ back", "'"])
def test_a_value_reaches_the_engine_as_exactly_that_literal(value: str) -> None:
    """The text a value is put into parses, and the value comes back unchanged."""
    from kg.query import bind, parse_query, substitute

    query = parse_query('SELECT ?x WHERE { BIND (?_v AS ?x) } # ?_v in a comment stays', "echo")
    text = substitute(query.text, bind(query, {"v": value}, {}))
    assert text.endswith("# ?_v in a comment stays")
    [row] = list(ox.Store().query(text))
    assert row["x"] == ox.Literal(value)


# -- paged queries (#+ pagination) on the real graph -------------------------------------------

def test_a_paged_query_answers_one_page_and_the_pages_add_up_to_the_answer(run_repo: Run
                                                                          ) -> None:
    """sources-by-kind lists every source (683 on the real data): 100 rows a page."""
    whole = run_repo("query", "sources-by-kind", "-f", "csv", "--all")
    assert whole.exit_code == 0, whole.output
    header, *everything = whole.stdout.splitlines()
    assert len(everything) > 300 and "more follow" not in whole.stderr
    first = run_repo("query", "sources-by-kind", "-f", "csv")  # the default: page 1
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [header, *everything[:100]]
    assert "--page 2 for the next page" in first.stderr
    pages, number = [], 1
    while True:
        result = run_repo("query", "sources-by-kind", "-f", "csv", "--page", str(number))
        assert result.exit_code == 0, result.output
        rows = result.stdout.splitlines()
        assert rows[0] == header and len(rows) - 1 <= 100
        pages.append(rows[1:])
        if "more follow" not in result.stderr:
            break
        assert len(rows) - 1 == 100
        number += 1
    assert [row for page in pages for row in page] == everything  # nothing lost or repeated
    assert number == (len(everything) + 99) // 100
    past = run_repo("query", "sources-by-kind", "-f", "csv", "--page", str(number + 1))
    assert past.exit_code == 0 and past.stdout.splitlines() == [header]
    table = run_repo("query", "sources-by-kind", "--page", "2", "--wide")
    assert table.stdout.splitlines()[-1] == "(100 rows)"


def test_page_options_are_checked(run_repo: Run) -> None:
    both = run_repo("query", "sources-by-kind", "--page", "2", "--all")
    assert both.exit_code == 2 and "not both" in both.output
    unpaged = run_repo("query", "lifecycle", "--page", "2")
    assert unpaged.exit_code == 2 and "not paged" in unpaged.output
    assert run_repo("query", "lifecycle", "--all").exit_code == 0
    assert run_repo("query", "sources-by-kind", "--page", "0").exit_code == 2
