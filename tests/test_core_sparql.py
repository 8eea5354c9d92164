"""SHACL Core in Oxigraph (kg.validate.core_sparql) reports exactly what pySHACL reports.

Both engines run on every shape fixture (valid and invalid, with the real ontology and
sources, as tests/test_shapes.py validates them), on the real data, and on a synthetic project
(bench/synth.py) broken in many ways; the reports must hold the same results (severity, file,
focus, path, value, message, shape, component), as many times each. The in-store engine must
not call pySHACL, and a shape it does not cover must send validation back to pySHACL.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from conftest import REPO, copy_of_repo
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from test_shapes import CASES, check
from test_shapes import base as shapes_base

import kg.validate.core
import kg.validate.pyshacl_run
from kg.sources.parsing import ParsedSources, parse_sources
from kg.sources.project import GRAPH_PARTS, SourceFile, find_project
from kg.store.pipeline import validate_project
from kg.validate.core import validate
from kg.validate.core_sparql import compile_shapes
from kg.validate.rdflib_bridge import to_rdflib
from kg.validate.sparql_constraints import take_over

base = shapes_base


def results(report) -> Counter:
    return Counter(tuple(str(x) for x in (r.severity, r.file, r.focus, r.path, r.value,
                                          r.message, r.shape, r.component))
                   for r in report.results)


def _shapes_only(to_rdflib_):
    def convert(quads, store="default"):
        assert store == "SimpleMemory", "the data was converted to rdflib"
        return to_rdflib_(quads, store)
    return convert


def both(run, monkeypatch):
    """The report with pySHACL, then in the store (where pySHACL and rdflib data must not run)."""
    reference = run("pyshacl")
    with monkeypatch.context() as patch:
        patch.setattr(kg.validate.pyshacl_run, "run_pyshacl",
                      lambda *_a, **_k: pytest.fail("pySHACL was called"))
        patch.setattr(kg.validate.core, "to_rdflib", _shapes_only(kg.validate.core.to_rdflib))
        in_store = run("sparql")
    return reference, in_store


def test_the_real_shapes_are_all_covered() -> None:
    shapes = to_rdflib(parse_sources(find_project(REPO).sources(("shapes",))).quads,
                       store="SimpleMemory")
    take_over(shapes)
    compiled = compile_shapes(shapes)
    assert compiled is not None
    assert len(compiled) == len({s for p in (SH.targetClass, SH.targetSubjectsOf,
                                             SH.targetObjectsOf, SH.targetNode)
                                 for s in shapes.subjects(p, None)})


@pytest.mark.parametrize("fixture", sorted(f"{p.parent.name}/{p.name}"
                                           for p in CASES.glob("*/*.ttl")))
def test_same_report_on_every_shape_fixture(base, fixture: str, monkeypatch) -> None:
    graph, shapes = base
    extra = parse_sources([SourceFile(CASES / fixture, fixture, "data")])
    merged = ParsedSources(
        quads=graph.quads + extra.quads,
        triples_per_file={**graph.triples_per_file, **extra.triples_per_file},
        prefixes={**graph.prefixes, **extra.prefixes},
        subject_file={**graph.subject_file, **extra.subject_file},
    )
    reference, in_store = both(lambda engine: validate(merged, shapes, engine=engine),
                               monkeypatch)
    assert results(in_store) == results(reference)
    if fixture.endswith("invalid.ttl"):
        assert reference.results, "an invalid fixture gives results"


def test_same_report_on_the_real_data(monkeypatch) -> None:
    project = find_project(REPO)
    shapes = parse_sources(project.sources(("shapes",)))
    data = parse_sources(project.sources(GRAPH_PARTS))
    reference, in_store = both(lambda engine: validate(data, shapes, engine=engine),
                               monkeypatch)
    assert results(in_store) == results(reference)


# Breakages of a synthetic project (3x): each line below is appended to a project file, with
# full IRIs; together they reach every component the shapes use, at node and property level,
# nested shapes (sh:node with details, sh:or), blank-node values and generic messages.
OLC = "https://w3id.org/olckg/ontology#"
ID = "https://w3id.org/olckg/id/"
BROKEN = f"""
<{ID}broken-project> a <{OLC}OpenLLMProject> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Broken" , "Broken twice"@en ;
    <{OLC}developedBy> <{ID}nobody> , "a literal" ;
    <{OLC}organisationalModel> <{ID}no-such-model> ,
        <https://w3id.org/olckg/vocab/orgmodel-multi-company> ;
    <{OLC}produces> <{ID}not-an-artefact> ,
        [ <http://www.w3.org/2000/01/rdf-schema#label> "blank"@en ] ;
    <http://www.w3.org/ns/prov#qualifiedAssociation> [ <http://www.w3.org/ns/prov#agent>
        <{ID}nobody> , <{ID}nobody-else> ] ;
    <http://xmlns.com/foaf/0.1/homepage> "not an IRI" .
<{ID}broken-model> a <https://w3id.org/fair4ml#MLModel> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Broken model"@en ;
    <{OLC}artefactDomain> <https://w3id.org/olckg/vocab/domain-models> ;
    <http://schema.org/datePublished> "2024-13-01"^^<http://www.w3.org/2001/XMLSchema#date> ,
        "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> ,
        "0000-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ,
        "12024-02-01"^^<http://www.w3.org/2001/XMLSchema#date> ,
        "2024-02-01Z"^^<http://www.w3.org/2001/XMLSchema#date> ;
    <{OLC}parameterCount> "1.7B"^^<http://www.w3.org/2001/XMLSchema#integer> , 0 ,
        " 7"^^<http://www.w3.org/2001/XMLSchema#integer> ;
    <https://w3id.org/fair4ml#fineTunedFrom> <{ID}broken-project> ;
    <{OLC}reach> [ a <http://schema.org/QuantitativeValue> ; <http://schema.org/value>
        "many" ] , <{ID}broken-count> ;
    <{OLC}huggingFacePage> <https://example.org/not-hf> , "https://huggingface.co/text" ;
    <{OLC}languageCount> -1 , "3" .
<{ID}broken-count> <http://schema.org/unitText> "things"@en .
<{ID}broken-concept> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "one"@en , "two"@EN , "drei"@de ,
        "vier"@de , "plain" .
_:anonymous-concept a <http://www.w3.org/2004/02/skos/core#Concept> .
<{ID}broken-criterion> a <{OLC}CriterionAssessment> ;
    <{OLC}noEvidenceLink> false , true ;
    <{OLC}evidenceLink> "not a link" , <mailto:someone@example.org> .
<{ID}broken-rank> a <{OLC}OrganisationalModel> ; <{OLC}centralisationRank> 9 , 2.5 .
"""


def _break(project: Path) -> None:
    files = sorted((project / "data" / "projects").glob("*.ttl"))
    with files[0].open("a", encoding="utf-8") as handle:
        handle.write(BROKEN)
    # a wrong datatype, evidence without its status, in clones of other files
    text = files[1].read_text(encoding="utf-8")
    files[1].write_text(text.replace("olc:evidenceStatus olcv:stated ;", "", 3),
                        encoding="utf-8")


@pytest.fixture(scope="module")
def broken_synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("synth", REPO / "bench" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    root = tmp_path_factory.mktemp("synthetic") / "project"
    synth.generate(3, root)
    _break(root)
    for relpath, (old, new) in {
            "data/projects/smollm.ttl": ("olc:parameterCount 1700000000 ;",
                                         'olc:parameterCount "1.7B" ;')}.items():
        path = root / relpath
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return root


def test_same_report_on_a_broken_synthetic_project(broken_synthetic: Path, monkeypatch
                                                   ) -> None:
    project = find_project(broken_synthetic)
    reference, in_store = both(
        lambda engine: _validate_with(project, engine, monkeypatch), monkeypatch)
    assert len(reference.results) >= 60
    assert results(in_store) == results(reference)
    components = {r.component for r in reference.results}
    assert components >= {f"sh:{name}ConstraintComponent" for name in (
        "MinCount", "MaxCount", "Class", "Datatype", "NodeKind", "In", "Pattern", "MinInclusive",
        "MaxInclusive", "UniqueLang", "Node", "Or", "SPARQL")}
    # (sh:hasValue is used only inside sh:or, so it decides the sh:or results)
    # only some files reported: the same narrowing, the same Turtle report
    first = sorted(r.file for r in reference.results if r.file)[0]
    narrowed = both(lambda engine: _validate_with(project, engine, monkeypatch,
                                                  [broken_synthetic / first]), monkeypatch)
    assert results(narrowed[1]) == results(narrowed[0])
    assert {r.file for r in narrowed[1].results} == {first}
    graph = in_store.results_graph
    assert len(list(graph.subjects(rdflib.RDF.type, SH.ValidationReport))) == 1
    assert len(list(graph.objects(None, SH.result))) == len(
        list(graph.subjects(rdflib.RDF.type, SH.ValidationResult))) - len(
        list(graph.objects(None, SH.detail)))



def test_the_report_does_not_depend_on_the_threads(broken_synthetic: Path, monkeypatch) -> None:
    """The constraints run on several threads (kg.validate.in_store); the results, and the
    report graph, are those of one constraint after another, in the same order."""
    project = find_project(broken_synthetic)
    reports = {}
    for threads in ("1", "3"):
        monkeypatch.setenv("KG_VALIDATION_THREADS", threads)
        reports[threads] = _validate_with(project, "sparql", monkeypatch)
    one, three = reports["1"], reports["3"]
    assert len(one.results) >= 60
    assert [vars(r) for r in three.results] == [vars(r) for r in one.results]
    assert isomorphic(three.results_graph, one.results_graph)

def _validate_with(project, engine: str, monkeypatch, files=None):
    with monkeypatch.context() as patch:
        patch.setenv("KG_VALIDATOR", engine)
        return validate_project(project, files=files)


UNSUPPORTED = {
    "closed": "sh:closed true ; sh:ignoredProperties ( rdf:type ) ;",
    "qualified": "sh:property [ sh:path olc:developedBy ; sh:qualifiedValueShape "
                 "[ sh:class org:Organization ] ; sh:qualifiedMinCount 2 ] ;",
    "literal-value": 'sh:property [ sh:path rdfs:label ; sh:hasValue "No such label"@en ] ;',
}


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_a_shape_not_covered_goes_to_pyshacl(tmp_path: Path, feature: str) -> None:
    root = copy_of_repo(tmp_path / "project")
    path = root / "shapes" / "projects.ttl"
    text = path.read_text(encoding="utf-8").replace("@prefix foaf:", "@prefix org:     "
                                                    "<http://www.w3.org/ns/org#> .\n@prefix foaf:")
    old = "    sh:targetClass olc:OpenLLMProject ;\n    sh:nodeKind sh:IRI ;"
    assert old in text
    path.write_text(text.replace(old, f"{old}\n    {UNSUPPORTED[feature]}", 1), encoding="utf-8")
    project = find_project(root)
    shapes = to_rdflib(parse_sources(project.sources(("shapes",))).quads, store="SimpleMemory")
    take_over(shapes)
    assert compile_shapes(shapes) is None
    called = []
    original = kg.validate.pyshacl_run.run_pyshacl

    def spy(*args, **kwargs):
        called.append(True)
        return original(*args, **kwargs)

    pytest.MonkeyPatch().setattr(kg.validate.pyshacl_run, "run_pyshacl", spy)
    try:
        default = validate_project(project)
    finally:
        kg.validate.pyshacl_run.run_pyshacl = original
    assert called
    reference = validate_project_with(project, "pyshacl")
    assert results(default) == results(reference)
    component = {"closed": "sh:ClosedConstraintComponent",
                 "qualified": "sh:QualifiedMinCountConstraintComponent",
                 "literal-value": "sh:HasValueConstraintComponent"}[feature]
    assert any(r.component == component for r in reference.results)


def validate_project_with(project, engine: str):
    mp = pytest.MonkeyPatch()
    mp.setenv("KG_VALIDATOR", engine)
    try:
        return validate_project(project)
    finally:
        mp.undo()


def test_check_is_the_shape_fixtures_helper(base) -> None:
    """The fixture helper validates with the default engine, the in-store one."""
    assert check(base, CASES / "ProjectShape" / "valid.ttl") == []
