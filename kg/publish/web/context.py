"""The published JSON-LD ``@context`` and compaction with it (pyld, a maintained processor).

The context is derived from the ontology, so it never lags behind it: the project's
prefixes, and a short term for every property the ontology mints (``developedBy`` for
``olc:developedBy``), typed ``@id`` for object properties, plus a few common terms
(``label``, ``prefLabel``, ``source``). Compaction with a context is lossless: expanding the
compacted document gives back exactly the same quads (a test checks it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

from kg import BASE

CONTEXT_IRI = BASE + "context.jsonld"
OLC = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
COMMON = {
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "comment": "http://www.w3.org/2000/01/rdf-schema#comment",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "altLabel": "http://www.w3.org/2004/02/skos/core#altLabel",
    "definition": "http://www.w3.org/2004/02/skos/core#definition",
    "title": "http://purl.org/dc/terms/title",
    "description": "http://purl.org/dc/terms/description",
}
COMMON_LINKS = {
    "source": "http://purl.org/dc/terms/source",
    "license": "http://purl.org/dc/terms/license",
    "homepage": "http://xmlns.com/foaf/0.1/homepage",
    "sameAs": OWL + "sameAs",
    "exactMatch": "http://www.w3.org/2004/02/skos/core#exactMatch",
    "inScheme": "http://www.w3.org/2004/02/skos/core#inScheme",
    "broader": "http://www.w3.org/2004/02/skos/core#broader",
    "isPartOf": "http://purl.org/dc/terms/isPartOf",
}


#: Annotation properties whose values are properties (IRIs), so typed @id like object properties.
IRI_VALUED = {OLC + "supports", OLC + "unknown"}


def make_context(ontology: Iterable[ox.Quad | ox.Triple], prefixes: dict[str, str]) -> dict:
    """The context document: ``{"@context": {...}}``, keys in a stable order."""
    kinds: dict[str, str] = {}
    for statement in ontology:
        subject = statement.subject
        if (isinstance(subject, ox.NamedNode) and subject.value.startswith(OLC)
                and statement.predicate.value == RDF_TYPE):
            kind = statement.object.value
            if kind in (OWL + "ObjectProperty", OWL + "DatatypeProperty",
                        OWL + "AnnotationProperty"):
                kinds[subject.value] = kind
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update({p: ns for p, ns in sorted(prefixes.items()) if p and ns})
    for term, iri in COMMON.items():
        context[term] = iri
    for term, iri in COMMON_LINKS.items():
        context[term] = {"@id": iri, "@type": "@id"}
    for iri in sorted(kinds):
        term = iri[len(OLC):]
        if term in context or not term.isidentifier():
            continue
        linked = kinds[iri] == OWL + "ObjectProperty" or iri in IRI_VALUED
        context[term] = {"@id": iri, "@type": "@id"} if linked else iri
    return {"@context": context}


def project_context(project, prefixes: dict[str, str]) -> dict:
    """The context of a project, from its ontology files: what releases ship and pages use.

    Its prefixes are those of the ontology and the shapes (so ``olcs:`` compacts too) and
    ``prefixes`` (the build's, which include the data's).
    """
    from kg.sources import parse_sources

    parsed = parse_sources(project.sources(("ontology",)))
    shapes = parse_sources(project.sources(("shapes",)), keep_quads=False)
    return make_context(parsed.quads, {**shapes.prefixes, **parsed.prefixes, **prefixes})


def compact(nquads: bytes, context: dict, context_iri: str = CONTEXT_IRI) -> bytes:
    """Statements (N-Triples or N-Quads) as JSON-LD compacted with ``context``, by IRI.

    pyld reads the statements itself (``from_rdf``), so ``rdf:type`` becomes ``type``;
    named graphs stay named graphs.
    """
    from pyld import jsonld

    if not nquads.strip():
        return json.dumps({"@context": context_iri}).encode() + b"\n"
    expanded = jsonld.from_rdf(_dataset(nquads), {})
    compacted = jsonld.compact(expanded, context, {"documentLoader": _no_network})
    compacted["@context"] = context_iri
    return json.dumps(compacted, ensure_ascii=False, indent=1).encode() + b"\n"


def _dataset(nquads: bytes) -> dict[str, list[dict]]:
    """Statements as the RDF dataset pyld converts, parsed by Oxigraph.

    pyld's own N-Quads reader checks every new statement against all earlier ones of its
    graph (quadratic: 5 minutes for a 50k-statement dump); Oxigraph's parse is linear, and
    the dumps hold no statement twice.
    """
    import pyoxigraph as ox

    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    lang_string = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

    def term(node) -> dict:
        if isinstance(node, ox.NamedNode):
            return {"type": "IRI", "value": node.value}
        if isinstance(node, ox.BlankNode):
            return {"type": "blank node", "value": f"_:{node.value}"}
        if node.language:
            return {"type": "literal", "value": node.value, "datatype": lang_string,
                    "language": node.language}
        return {"type": "literal", "value": node.value,
                "datatype": node.datatype.value if node.datatype else xsd_string}

    dataset: dict[str, list[dict]] = {}
    seen: set = set()
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        if quad in seen:
            continue
        seen.add(quad)
        graph = quad.graph_name
        name = ("@default" if isinstance(graph, ox.DefaultGraph) else
                f"_:{graph.value}" if isinstance(graph, ox.BlankNode) else graph.value)
        dataset.setdefault(name, []).append({"subject": term(quad.subject),
                                             "predicate": term(quad.predicate),
                                             "object": term(quad.object)})
    return dataset


def expand_to_nquads(document: bytes, context: dict, context_iri: str = CONTEXT_IRI) -> str:
    """The quads of a compacted document, its context taken locally (for checks, no network)."""
    from pyld import jsonld

    def loader(url: str, options: dict | None = None) -> dict:
        if url != context_iri:
            raise jsonld.JsonLdError(f"no network: {url}", "loading document failed")
        return {"contextUrl": None, "documentUrl": url, "document": context}

    return jsonld.to_rdf(json.loads(document), {"format": "application/n-quads",
                                                "documentLoader": loader})


def _no_network(url: str, options: dict | None = None) -> dict:
    from pyld import jsonld

    raise jsonld.JsonLdError(f"kg loads no remote JSON-LD documents ({url})",
                             "loading document failed")


def context_bytes(context: dict) -> bytes:
    return json.dumps(context, ensure_ascii=False, indent=1).encode() + b"\n"
