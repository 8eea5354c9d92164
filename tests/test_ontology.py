"""The ontology as users meet it: header, definitions, vocabularies, prebuilt questions, docs."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO, Run

from kg.sources.parsing import parse_sources
from kg.sources.project import find_project

OLC = "https://w3id.org/olckg/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def ontology() -> ox.Store:
    store = ox.Store()
    store.extend(parse_sources(find_project(REPO).sources(("ontology",))).quads)
    return store


def values(store: ox.Store, subject: str, predicate: str) -> list[str]:
    return [q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None)]


def test_header_describes_licenses_versions_and_cites_the_study(ontology: ox.Store) -> None:
    header = "https://w3id.org/olckg/ontology"
    assert values(ontology, header, RDF_TYPE) == [f"{OWL}Ontology"]
    assert values(ontology, header, f"{DCT}title") == ["Open LLM Collaboration ontology"]
    assert values(ontology, header, f"{DCT}description")
    assert values(ontology, header, f"{OWL}versionIRI") == [
        "https://w3id.org/olckg/ontology/1.0.0"]
    assert values(ontology, header, f"{OWL}versionInfo") == ["1.0.0"]
    assert values(ontology, header, f"{DCT}creator")
    assert values(ontology, header, f"{DCT}license") == [
        "https://creativecommons.org/licenses/by/4.0/"]
    citation = values(ontology, header, f"{DCT}bibliographicCitation")[0]
    assert "arXiv:2509.25397" in citation and "10.48550/arXiv.2509.25397" in citation


def test_every_minted_class_and_property_has_a_label_and_a_definition(ontology: ox.Store) -> None:
    terms = {q.subject.value for kind in ("Class", "ObjectProperty", "DatatypeProperty",
                                          "AnnotationProperty")
             for q in ontology.quads_for_pattern(None, ox.NamedNode(RDF_TYPE),
                                                 ox.NamedNode(f"{OWL}{kind}"))
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(OLC)}
    assert len(terms) > 60
    undocumented = sorted(t for t in terms if not values(ontology, t, f"{RDFS}label")
                          or not values(ontology, t, f"{SKOS}definition"))
    assert undocumented == []


def test_object_properties_say_what_they_point_to(ontology: ox.Store) -> None:
    properties = [q.subject.value for q in ontology.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode(f"{OWL}ObjectProperty"))
        if q.subject.value.startswith(OLC)]
    without_range = [p for p in properties if not values(ontology, p, f"{RDFS}range")]
    assert without_range == ["https://w3id.org/olckg/ontology#example"]  # any kind of thing


def test_the_study_concepts_are_all_there(ontology: ox.Store) -> None:
    def members(cls: str) -> int:
        return len(list(ontology.quads_for_pattern(None, ox.NamedNode(RDF_TYPE),
                                                   ox.NamedNode(OLC + cls))))

    assert members("OrganisationalModel") == 6  # the five, plus multi-company outside them
    assert members("OrganisationalModelFamily") == 3
    assert members("LifecycleStage") == 3
    assert members("LifecycleMilestone") == 1
    assert members("LifecycleActivity") == 12
    assert members("ArtefactDomain") == 12  # six in v1, six in v2
    assert members("Motivation") == 4
    assert members("MotivationCategory") == 3
    assert members("StakeholderGroup") == 4
    assert members("OrganisationType") == 4
    assert members("StudyCategory") == 4
    assert members("LicenceKind") == 3


def csv_rows(run: Run, *args: str) -> list[dict[str, str]]:
    result = run("query", *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_organisational_models_in_order_of_centralisation(run_repo: Run) -> None:
    rows = csv_rows(run_repo, "organisational-models")
    assert [(r["rank"], r["modelLabel"], r["familyLabel"], r["inTheFive"]) for r in rows] == [
        ("1", "Single company project", "Company projects", "true"),
        ("2", "Single research institute project", "Research institute projects", "true"),
        ("3", "Multi-organisational research institute project", "Research institute projects",
         "true"),
        ("4", "Company-sponsored grassroots project", "Grassroots projects", "true"),
        ("5", "Non-profit-sponsored grassroots project", "Grassroots projects", "true"),
        ("", "Multi-company project", "Company projects", "false"),
    ]
    assert [r["rankEvidence"] for r in rows[:5]] == [
        "Stated", "Inferred", "Inferred", "Inferred", "Stated"]
    assert all(r["definition"] for r in rows)


def test_lifecycle_stages_with_their_activities(run_repo: Run) -> None:
    rows = csv_rows(run_repo, "lifecycle")
    steps: dict[str, list[str]] = {}
    for row in rows:
        steps.setdefault(row["stepLabel"], [])
        if row["activityLabel"]:
            steps[row["stepLabel"]].append(row["activityLabel"])
    assert steps == {
        "Pre-training": ["Model design", "Data collection & curation", "Training code",
                         "Compute access"],
        "Post-training": ["Domain-specific fine-tuning", "Alignment fine-tuning",
                          "Red-teaming & safety testing", "Data for post-training"],
        "Public release of model weights": [],
        "Post-release": ["Derivative development", "Feedback and bugs",
                         "Upstream contributions", "Research"],
    }


def test_the_repository_data_conforms(run_repo: Run) -> None:
    result = run_repo("validate")
    assert result.exit_code == 0, result.stdout
    assert "conforms (0 violations" in result.stdout


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_docs_are_browsable_html(run_repo: Run, tmp_path: Path) -> None:
    result = run_repo("docs", "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    index = parse_html(tmp_path / "site" / "index.html")
    assert {"ontology.html", "vocabularies.html"} <= set(index.links)
    ontology = " ".join(parse_html(tmp_path / "site" / "ontology.html").text)
    for label in ("open LLM project", "collaboration on-ramp", "organisational model",
                  "centralisation rank", "evidence status"):
        assert label in ontology
    vocabularies = parse_html(tmp_path / "site" / "vocabularies.html")
    text = " ".join(vocabularies.text)
    five = ["Single company project", "Single research institute project",
            "Multi-organisational research institute project",
            "Company-sponsored grassroots project", "Non-profit-sponsored grassroots project"]
    positions = [text.index(label) for label in five]
    assert positions == sorted(positions), "the five models appear in order of centralisation"
    assert "#domain-data" in vocabularies.links  # mappings link across schemes
