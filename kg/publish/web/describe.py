"""What the pages say about a resource, asked of the store in SPARQL (Oxigraph).

An entity's description is its statements (blank-node values such as authorships followed
two levels down), the statements pointing at it, its evidence nodes, and the labels of every
IRI involved. Evidence is matched to facts as the data model defines it (see
``queries/facts-about.rq``): an evidence node covers the properties it lists with
``olc:supports`` (all, when it lists none) and, with ``olc:value``, only that value.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import BASE
from kg.query.coverage import from_catalogue

OLC = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
EVIDENCE, SUPPORTS, VALUE, UNKNOWN = OLC + "evidence", OLC + "supports", OLC + "value", \
    OLC + "unknown"
LABELS = (RDFS + "label", SKOS + "prefLabel", DCT + "title", "http://xmlns.com/foaf/0.1/name")
#: What names a resource without a label (a quote, a recommendation): its text, shortened.
TEXTS = ("http://schema.org/text",)
SHORT = 90
DESCRIPTIONS = (SKOS + "definition", DCT + "description", RDFS + "comment")
Term = ox.NamedNode | ox.BlankNode | ox.Literal

_CBD = """
SELECT ?x ?s ?p ?o WHERE {
  { ?x ?p ?o }
  UNION { ?x ?p1 ?s . FILTER isBlank(?s) ?s ?p ?o }
  UNION { ?x ?p1 ?b . FILTER isBlank(?b) ?b ?p2 ?s . FILTER isBlank(?s) ?s ?p ?o }
}"""
_INCOMING = f"""
SELECT ?x ?s ?p ?via WHERE {{
  {{ ?s ?p ?x . FILTER (isIRI(?s) && ?p != <{EVIDENCE}>) }}
  UNION {{ ?b ?p ?x . FILTER isBlank(?b) ?s ?via ?b .
          FILTER (isIRI(?s) && ?via != <{EVIDENCE}>) }}
}} ORDER BY ?p ?s"""
_LABELS = """
SELECT ?x ?l WHERE { VALUES ?x { %s } VALUES ?p { %s } ?x ?p ?l . FILTER isLiteral(?l) }"""


@dataclass
class Evidence:
    node: ox.BlankNode | ox.NamedNode
    statements: dict[str, list[Term]]

    def covers(self, predicate: str, value: Term) -> bool:
        supports = [t.value for t in self.statements.get(SUPPORTS, [])]
        values = self.statements.get(VALUE, [])
        return (not supports or predicate in supports) and (not values or value in values)

    def first(self, iri: str) -> Term | None:
        values = self.statements.get(iri)
        return values[0] if values else None


@dataclass
class Description:
    """Everything an entity page shows, and the triples its RDF forms carry."""

    iri: str
    statements: list[tuple[str, Term]]  # (predicate, object) of the entity, evidence left out
    nested: dict[ox.BlankNode, list[tuple[str, Term]]]  # blank-node values, two levels down
    evidence: list[Evidence]
    incoming: list[tuple[ox.NamedNode, str, str | None]]  # (subject, predicate, via)
    labels: dict[str, str]
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.statements or self.incoming)

    def values(self, predicate: str) -> list[Term]:
        return [o for p, o in self.statements if p == predicate]

    def evidence_for(self, predicate: str, value: Term) -> list[Evidence]:
        return [e for e in self.evidence if e.covers(predicate, value)]

    def label(self) -> str:
        for predicate in LABELS:
            for value in self.values(predicate):
                if isinstance(value, ox.Literal):
                    return value.value
        return self.labels.get(self.iri) or self.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def describe(store: ox.Store, iri: str) -> Description:
    node = ox.NamedNode(iri)
    triples: list[ox.Triple] = []
    own: list[tuple[str, Term]] = []
    by_blank: dict[ox.BlankNode, list[tuple[str, Term]]] = {}
    for row in store.query(_CBD, substitutions={ox.Variable("x"): node}):
        subject, predicate, obj = row["s"] or node, row["p"], row["o"]
        triples.append(ox.Triple(subject, predicate, obj))
        if subject == node:
            own.append((predicate.value, obj))
        else:
            by_blank.setdefault(subject, []).append((predicate.value, obj))
    evidence_nodes = [o for p, o in own if p == EVIDENCE]
    evidence = []
    for item in evidence_nodes:
        grouped: dict[str, list[Term]] = {}
        for predicate, obj in by_blank.get(item, []):
            grouped.setdefault(predicate, []).append(obj)
        evidence.append(Evidence(item, grouped))
    statements = [(p, o) for p, o in own if p != EVIDENCE]
    nested = {b: sorted(v, key=_order) for b, v in by_blank.items() if b not in evidence_nodes}
    incoming = []
    for row in store.query(_INCOMING, substitutions={ox.Variable("x"): node}):
        via = row["via"]
        incoming.append((row["s"], row["p"].value, via.value if via is not None else None))
        if via is None:
            triples.append(ox.Triple(row["s"], row["p"], node))
    iris = {iri} | {p for p, _ in statements} | {p for _, p, _ in incoming}
    iris |= {v for _, _, v in incoming if v}
    iris |= {o.value for _, o in statements if isinstance(o, ox.NamedNode)}
    iris |= {s.value for s, _, _ in incoming}
    for values in [*nested.values(), *(list(_flat(e.statements)) for e in evidence)]:
        for p, o in values:
            iris.add(p)
            if isinstance(o, ox.NamedNode):
                iris.add(o.value)
    statements.sort(key=_order)
    triples.sort(key=lambda t: (t.subject != node, t.object == node,
                                isinstance(t.subject, ox.BlankNode), str(t.subject),
                                t.predicate.value != RDF + "type", str(t.predicate), str(t.object)))
    return Description(iri, statements, nested, evidence, incoming, labels(store, iris),
                       triples)


def _flat(grouped: dict[str, list[Term]]):
    for predicate, values in grouped.items():
        for value in values:
            yield predicate, value


def _order(item: tuple[str, Term]) -> tuple:
    predicate, obj = item
    first = 0 if predicate == RDF + "type" else 1 if predicate in LABELS else 2
    return (first, predicate, str(obj))


def labels(store: ox.Store, iris: set[str] | list[str]) -> dict[str, str]:
    """A label for each IRI that has one: English first, then untagged, then any."""
    iris = sorted(set(iris))
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(iris), 500):
        chunk = iris[start:start + 500]
        values = " ".join(f"<{i}>" for i in chunk if ">" not in i and " " not in i)
        if not values:
            continue
        predicates = " ".join(f"<{p}>" for p in (*LABELS, *TEXTS))
        for row in store.query(_LABELS.replace("?x ?l WHERE", "?x ?p ?l WHERE")
                               % (values, predicates)):
            literal = row["l"]
            rank = {"en": 0, "": 1}.get(literal.language or "", 2)
            text = literal.value
            if row["p"].value in TEXTS:  # a label beats a text
                rank += 10
                text = text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"
            key = row["x"].value
            if key not in found or (rank, text) < found[key]:
                found[key] = (rank, text)
    return {k: v for k, (_, v) in found.items()}


# -- search -------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Linåker" and "linaker" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
_NAMES = """
SELECT ?x ?name ?label ?type WHERE {{
  ?x <{}>|<{}>|<{}>|<{}>|<{}> ?name .
  FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{}"))
  OPTIONAL {{ ?x <{}>|<{}>|<{}> ?label }}
  OPTIONAL {{ ?x a ?type }}
}}""".format(RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCT + "title", FOAF_NAME, BASE,
        RDFS + "label", SKOS + "prefLabel", FOAF_NAME)


@dataclass
class SearchIndex:
    """Every name of every resource the graph mints, folded; built once per store."""

    entries: list[tuple[str, str, str, str]]  # (folded name, iri, label, type iri)

    @classmethod
    def build(cls, store: ox.Store) -> SearchIndex:
        rows: dict[tuple[str, str], tuple[str, str]] = {}
        for row in store.query(_NAMES):
            iri, name = row["x"].value, row["name"].value
            label = row["label"].value if row["label"] is not None else name
            kind = row["type"].value if row["type"] is not None else ""
            key = (fold(name), iri)
            if key not in rows or (label, kind) < rows[key]:
                rows[key] = (label, kind)
        return cls(sorted((k[0], k[1], *v) for k, v in rows.items()))

    def search(self, text: str, limit: int = 50) -> list[dict[str, str]]:
        """Resources whose label or alternative label contains ``text``, best matches first."""
        wanted = fold(text.strip())
        if not wanted:
            return []
        best: dict[str, tuple[int, str, str, str]] = {}
        for name, iri, label, kind in self.entries:
            if wanted in name:
                rank = 0 if name == wanted else 1 if name.startswith(wanted) else 2
                if iri not in best or rank < best[iri][0]:
                    best[iri] = (rank, fold(label), label, kind)
        ordered = sorted(best.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
        return [{"iri": iri, "label": label, "type": kind}
                for iri, (_rank, _folded, label, kind) in ordered[:limit]]

    def everything(self) -> list[tuple[str, str, str]]:
        """(iri, label, type) of every named resource, once each, by label."""
        seen: dict[str, tuple[str, str]] = {}
        for _name, iri, label, kind in self.entries:
            seen.setdefault(iri, (label, kind))
        return sorted(((i, lab, k) for i, (lab, k) in seen.items()),
                      key=lambda item: (fold(item[1]), item[0]))


# -- counts for the landing page ----------------------------------------------------------------

FROM_CATALOGUE = from_catalogue("?x")  # counted apart from the curators' own entities

COUNTS = {
    "projects": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{OLC}OpenLLMProject> }}",
    "organisations": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c . VALUES ?c { "
                     "<http://www.w3.org/ns/org#Organization> "
                     "<http://www.w3.org/ns/org#OrganizationalUnit> } "
                     f"FILTER NOT EXISTS {{ {FROM_CATALOGUE} }} }}",
    "model families": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{OLC}ModelFamily> }}",
    "model releases": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a "
                      "<https://w3id.org/fair4ml#MLModel> "
                      f"FILTER NOT EXISTS {{ {FROM_CATALOGUE} }} }}",
    "catalogue assessments": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a "
                             f"<{OLC}OpennessAssessment> }}",
"facts": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x ?p ?o . FILTER (isIRI(?x) && "
             f"STRSTARTS(STR(?x), \"{BASE}id/\") && ?p != <{EVIDENCE}>) }}",
    "sources": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?e <{DCT}source> ?s . "
               f"?x <{EVIDENCE}> ?e }}",
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def counts(store: ox.Store) -> dict[str, int]:
    return {name: int(next(iter(store.query(text)))["n"].value) for name, text in COUNTS.items()}


def subjects_in(store: ox.Store, namespace: str) -> list[str]:
    """Every IRI under ``namespace`` the store says something about, or points at."""
    query = ("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } "
             f'FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{namespace}")) }} ORDER BY ?x')
    return [row["x"].value for row in store.query(query)]
