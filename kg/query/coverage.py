"""Per-project coverage: which expected facts are filled, known to be unknown, or missing.

Gaps stay visible instead of hidden: a curator sees at a glance what a project record lacks,
and a reader sees what the sources do not say (``olc:unknown``) apart from what nobody has
looked for yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

PREFIXES = """
PREFIX olc:     <https://w3id.org/olckg/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:     <http://purl.org/dc/terms/>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX schema:  <http://schema.org/>
PREFIX fair4ml: <https://w3id.org/fair4ml#>
"""


@dataclass(frozen=True)
class Expectation:
    """One expected fact: filled when ``filled`` matches, unknown when ``unknown`` does."""

    name: str
    filled: str
    unknown: str | None = None


#: What a project record should say. ?p is the project; ?org any developing organisation.
EXPECTED = (
    Expectation("developer", "?p olc:developedBy ?org ."),
    Expectation("organisational model", "?p olc:organisationalModel ?x .",
                "?p olc:unknown olc:organisationalModel ."),
    Expectation("model family", "?p olc:modelFamily ?x .", "?p olc:unknown olc:modelFamily ."),
    Expectation("organisation type", "?p olc:developedBy/olc:organisationType ?x ."),
    Expectation("region", "?p olc:developedBy/olc:region ?x ."),
    Expectation("country", "?p olc:developedBy/olc:country ?x .",
                "?p olc:developedBy/olc:unknown olc:country ."),
    Expectation("releases", "?p olc:modelFamily|olc:produces ?f . ?r dct:isPartOf ?f .",
                "?p olc:unknown olc:modelFamily ."),
    Expectation("release licence", "?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; dct:license ?x .",
                "{ ?p olc:unknown olc:modelFamily } UNION "
                "{ ?p olc:modelFamily|olc:produces ?f . ?r dct:isPartOf ?f ; "
                "olc:unknown dct:license }"),
    Expectation("release date", "?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; schema:datePublished ?x .",
                "{ ?p olc:unknown olc:modelFamily } UNION "
                "{ ?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; olc:unknown schema:datePublished }"),
    Expectation("hub or repository", "{ ?p olc:developedBy|olc:modelFamily ?y } "
                "?y olc:huggingFacePage|olc:githubPage ?x ."),
    Expectation("quotes", "?p olc:developedBy ?org . ?q a olc:Quote ; prov:wasAttributedTo ?org ."),
    Expectation("collaboration links", "{ ?p olc:developedBy ?org . ?l olc:participant ?org } "
                "UNION { ?l olc:project ?p }"),
    Expectation("motivations", "?p olc:motivation ?x ."),
)

FILLED, UNKNOWN, MISSING = "filled", "unknown", "missing"


@dataclass
class ProjectCoverage:
    project: str
    label: str
    states: dict[str, str]

    @property
    def filled(self) -> int:
        return sum(1 for s in self.states.values() if s == FILLED)


def project_coverage(store: ox.Store) -> list[ProjectCoverage]:
    """Coverage of every open LLM project, sampled ones first, then by name."""
    projects = store.query(PREFIXES + """
        SELECT ?p ?label ?sampled WHERE {
          ?p a olc:OpenLLMProject ; rdfs:label ?label .
          BIND (EXISTS { ?s olc:sampledProject ?p } AS ?sampled)
        } ORDER BY DESC(?sampled) ?label""")
    rows = [(s["p"], s["label"].value) for s in projects]
    result = []
    for project, label in rows:
        states = {}
        for expectation in EXPECTED:
            if _holds(store, expectation.filled, project):
                states[expectation.name] = FILLED
            elif expectation.unknown and _holds(store, expectation.unknown, project):
                states[expectation.name] = UNKNOWN
            else:
                states[expectation.name] = MISSING
        result.append(ProjectCoverage(project.value, label, states))
    return result


def _holds(store: ox.Store, pattern: str, project: ox.NamedNode) -> bool:
    answer = store.query(f"{PREFIXES} SELECT ?p WHERE {{ {pattern} }} LIMIT 1",
                         substitutions={ox.Variable("p"): project})
    return any(True for _ in answer)
