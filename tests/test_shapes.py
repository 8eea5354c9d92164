"""Every SHACL shape has a conforming and a failing fixture, and fails for the right reason.

A fixture is validated together with the real ontology, vocabularies and sources (but not the
rest of data/), so it can use their concepts. The valid fixture must give no result at all; the
invalid one must give exactly the expected results of its shape (focus node, path, constraint
component, severity), listed in expected.txt.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from kg.sources.parsing import ParsedSources, parse_sources
from kg.sources.project import SourceFile, find_project
from kg.validate.core import validate

CASES = Path(__file__).parent / "shapes"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SHAPES_NS = "https://w3id.org/olckg/shapes#"


def node_shapes() -> list[str]:
    quads = parse_sources(find_project(REPO).sources(("shapes",))).quads
    return sorted(q.subject.value[len(SHAPES_NS):] for q in quads
                  if q.predicate.value == f"{RDF}type" and q.object.value == f"{SH}NodeShape"
                  and isinstance(q.subject, ox.NamedNode))


@pytest.fixture(scope="module")
def base() -> tuple[ParsedSources, ParsedSources]:
    project = find_project(REPO)
    sources = [*project.sources(("ontology",)),
               SourceFile(REPO / "data" / "sources.ttl", "data/sources.ttl", "data")]
    return parse_sources(sources), parse_sources(project.sources(("shapes",)))


def check(base: tuple[ParsedSources, ParsedSources], fixture: Path):
    graph, shapes = base
    extra = parse_sources([SourceFile(fixture, fixture.name, "data")])
    merged = ParsedSources(
        quads=graph.quads + extra.quads,
        triples_per_file={**graph.triples_per_file, **extra.triples_per_file},
        prefixes={**graph.prefixes, **extra.prefixes},
        subject_file={**graph.subject_file, **extra.subject_file},
    )
    return validate(merged, shapes).results


def test_every_shape_has_fixtures() -> None:
    assert node_shapes(), "no node shapes found"
    missing = [name for name in node_shapes() if not (CASES / name / "invalid.ttl").is_file()]
    assert missing == []
    stale = sorted({p.name for p in CASES.iterdir() if p.is_dir()} - set(node_shapes()))
    assert stale == [], "fixtures for shapes that no longer exist"


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_valid_fixture_conforms(base, name: str) -> None:
    results = check(base, CASES / name / "valid.ttl")
    assert [(r.severity, r.focus, r.path, r.message) for r in results] == []


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_invalid_fixture_fails_for_the_expected_reasons(base, name: str) -> None:
    expected = {
        tuple(line.split())
        for line in (CASES / name / "expected.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    results = check(base, CASES / name / "invalid.ttl")
    shape = f"olcs:{name}"
    found = {
        (r.severity, r.focus, r.path or "-", r.component)
        for r in results
        if r.shape == shape or (r.shape or "").startswith(f"{shape} ")
    }
    assert found == expected
    for result in results:
        if result.shape and result.shape.startswith(shape):
            assert result.message and "no sh:message" not in result.message


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_oxigraph_reports_sparql_constraints_as_pyshacl_does(base, name: str, monkeypatch
                                                             ) -> None:
    """Constraints Oxigraph takes over give pySHACL's own results, word for word."""
    import kg.validate.sparql_constraints

    fixture = CASES / name / "invalid.ttl"
    fast = check(base, fixture)
    monkeypatch.setattr(kg.validate.sparql_constraints, "take_over", lambda _shapes: [])
    slow = check(base, fixture)
    assert fast == slow
    assert any(r.component == "sh:SPARQLConstraintComponent" for r in slow) == (
        name in SPARQL_SHAPES)


SPARQL_SHAPES = {"EvidenceShape", "FactsHaveEvidenceShape", "ConceptFindingsHaveEvidenceShape",
                 "LicenceVersionKindShape", "ShareAlikeLicenceShape", "SurveyIsNoForumShape",
                 "ValueOrUnknownShape", "EvidenceSourceRevisionShape",
                 "WikidataLinkShape", "WikidataLinkEvidenceShape", "OneWikidataItemShape",
                 "CriterionAssessmentShape", "ScratchOrBaseModelShape",
                 "EvidenceNamesStatedFactsShape"}


def test_every_sparql_constraint_is_taken_over_by_oxigraph() -> None:
    """If a shape edit made a constraint fall back to pySHACL, validation would slow down."""
    from kg.validate.rdflib_bridge import to_rdflib
    from kg.validate.sparql_constraints import take_over

    shapes = to_rdflib(parse_sources(find_project(REPO).sources(("shapes",))).quads)
    taken = take_over(shapes)
    assert {c.shape.split("#")[1] for c in taken} == SPARQL_SHAPES
    assert len(taken) == 16
    assert list(shapes.subject_objects(rdflib_sh("sparql"))) == []


def rdflib_sh(name: str):
    import rdflib

    return rdflib.URIRef(SH + name)
