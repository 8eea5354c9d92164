"""The query catalog: grlc-style #+ decorators and BASIL-style parameters."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.query.catalog import bind, page_text, parse_query

HEADER = """#+ summary: Projects in a region
#+ description: >-
#+   Lists projects whose region matches.
#+ tags:
#+   - geography
#+   - governance
#+ defaults:
#+   - region: Europe
#+ enumerate:
#+   - region:
#+     - Europe
#+     - Asia
PREFIX ex: <http://example.org/>
SELECT ?_region ?__year_xsd_gYear ?_org_iri ?_name_en ?_n_number ?p WHERE {
  ?p ex:region ?_region .   # "?_region" in a comment is the same parameter
}
"""


def test_header_decorators_are_read() -> None:
    query = parse_query(HEADER, "regional")
    assert query.summary == "Projects in a region"
    assert query.description == "Lists projects whose region matches."
    assert query.tags == ("geography", "governance")


def test_parameters_follow_the_basil_convention() -> None:
    query = parse_query(HEADER, "regional")
    described = {p.name: (p.variable, p.required, p.kind, p.detail) for p in query.parameters}
    assert described == {
        "region": ("_region", True, "literal", None),
        "year": ("__year_xsd_gYear", False, "datatype", "xsd:gYear"),
        "org": ("_org_iri", True, "iri", None),
        "name": ("_name_en", True, "lang", "en"),
        "n": ("_n_number", True, "number", None),
    }
    assert query.parameter("region").default == "Europe"
    assert query.parameter("region").allowed == ("Europe", "Asia")


@pytest.mark.parametrize("where", ['# see ?_stray', 'FILTER(STR(?p) != "?_stray")',
                                   "FILTER(?p != <http://example.org/?_stray>)"])
def test_a_parameter_only_in_a_comment_string_or_iri_is_an_error(where: str) -> None:
    """grlc reads parameters from the whole text; kg reads the same ones, and refuses these."""
    with pytest.raises(QueryError, match=r"\?_stray appears only in a comment, string or IRI"):
        parse_query(f"SELECT ?p WHERE {{ ?p ?q ?_real . {where} }}", "q")


def test_grlc_types_integer_and_other_suffixes() -> None:
    query = parse_query("SELECT ?p WHERE { ?p ?q ?_n_integer , ?_d_date , ?_x_literal }", "q")
    described = {p.name: (p.kind, p.detail) for p in query.parameters}
    assert described == {"n": ("datatype", "xsd:integer"), "d": ("lang", "date"),
                         "x": ("literal", None)}


def test_values_become_typed_terms() -> None:
    query = parse_query(HEADER, "regional")
    bound = bind(query, {"org": "ex:a", "name": "Bielik", "n": "3", "year": "2024"},
                 {"xsd": "http://www.w3.org/2001/XMLSchema#"})
    assert bound[ox.Variable("_region")] == ox.Literal("Europe")
    assert bound[ox.Variable("_org_iri")] == ox.NamedNode("http://example.org/a")
    assert bound[ox.Variable("_name_en")] == ox.Literal("Bielik", language="en")
    assert bound[ox.Variable("_n_number")] == ox.Literal(
        "3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert bound[ox.Variable("__year_xsd_gYear")] == ox.Literal(
        "2024", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))


def test_enumerated_parameter_rejects_other_values() -> None:
    query = parse_query(HEADER, "regional")
    with pytest.raises(QueryError, match="'Mars' is not one of Europe, Asia"):
        bind(query, {"region": "Mars", "org": "ex:a", "name": "x", "n": "1"}, {})


def test_number_parameter_rejects_text() -> None:
    query = parse_query(HEADER, "regional")
    with pytest.raises(QueryError, match="--param n: 'many' is not a number"):
        bind(query, {"org": "ex:a", "name": "x", "n": "many"}, {})


def test_unknown_decorator_is_an_error_not_silence() -> None:
    with pytest.raises(QueryError, match="unknown #\\+ decorator\\(s\\) sumary"):
        parse_query("#+ sumary: typo\nSELECT * {}", "typo")


def test_invalid_yaml_header_is_an_error_with_its_line() -> None:
    with pytest.raises(QueryError, match="header is not valid YAML \\(header line 2\\)"):
        parse_query("#+ summary: ok\n#+ tags: [unclosed\nSELECT * {}", "bad")


def test_defaults_for_unknown_parameters_are_an_error() -> None:
    with pytest.raises(QueryError, match="defaults for unknown parameter\\(s\\) colour"):
        parse_query("#+ defaults:\n#+   - colour: red\nSELECT * {}", "bad")


def test_grlc_keys_kg_does_not_use_are_accepted() -> None:
    query = parse_query("#+ summary: s\n#+ endpoint: http://example.org/sparql\n"
                        "#+ method: GET\nSELECT * {}", "grlc")
    assert query.summary == "s"


def test_pagination_decorator_pages_the_text() -> None:
    """grlc's ``#+ pagination: N``: N rows a page, asked with one row more than a page."""
    query = parse_query("#+ pagination: 25\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s # end",
                        "paged")
    assert query.page_size == 25
    assert parse_query("SELECT * {}", "whole").page_size is None
    store = ox.Store()
    for i in range(60):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i:02}"),
                          ox.NamedNode("http://example.org/p"), ox.Literal(str(i))))
    pages = [[row[0].value for row in store.query(page_text(query.text, 25, n))]
             for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [26, 26, 10, 0]  # a page and the next page's first row
    assert pages[0][25] == pages[1][0] and pages[1][25] == pages[2][0]
    with pytest.raises(QueryError, match="numbered from 1"):
        page_text(query.text, 25, 0)


@pytest.mark.parametrize("value", ["0", "-3", "ten", "true", "2.5", "[100]"])
def test_pagination_must_be_a_whole_number_of_rows(value: str) -> None:
    with pytest.raises(QueryError, match="#\\+ pagination must be a whole number"):
        parse_query(f"#+ pagination: {value}\nSELECT * {{}}", "bad")


def test_a_paged_query_cannot_have_a_page_parameter() -> None:
    with pytest.raises(QueryError, match="cannot have a parameter named 'page'"):
        parse_query("#+ pagination: 10\nSELECT ?s WHERE { ?s ?p ?_page }", "bad")
