"""Browsable HTML documentation of the ontology and its vocabularies.

The ontology page (classes, properties, alignments) is pyLODE's OntPub profile. pyLODE does not
render SKOS concept schemes (its VocPub profile lists only OWL terms), so the vocabularies page
is built here from SPARQL over the store, with dominate (pyLODE's own HTML builder).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.sources import Project, parse_sources

#: The files pyLODE documents as the ontology (the vocabularies get their own page).
ONTOLOGY_FILES = ("ontology/olc.ttl", "ontology/alignments.ttl")

SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
SELECT ?scheme ?label ?definition ?note
       (GROUP_CONCAT(DISTINCT STR(?source); SEPARATOR=" ") AS ?sources)
WHERE {
  ?scheme a skos:ConceptScheme ; skos:prefLabel ?label .
  OPTIONAL { ?scheme skos:definition ?definition }
  OPTIONAL { ?scheme skos:editorialNote ?note }
  OPTIONAL { ?scheme dct:source ?source }
}
GROUP BY ?scheme ?label ?definition ?note
ORDER BY STR(?label)
"""

CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX olc:  <https://w3id.org/olckg/ontology#>
SELECT ?concept ?scheme ?label ?notation ?definition ?scope ?broader ?order
       (GROUP_CONCAT(DISTINCT STR(?alt); SEPARATOR=" | ") AS ?alts)
       (GROUP_CONCAT(DISTINCT STR(?source); SEPARATOR=" ") AS ?sources)
WHERE {
  ?concept skos:inScheme ?scheme ; skos:prefLabel ?label .
  OPTIONAL { ?concept skos:notation ?notation }
  OPTIONAL { ?concept skos:definition ?definition }
  OPTIONAL { ?concept skos:scopeNote ?scope }
  OPTIONAL { ?concept skos:broader ?broader . ?broader skos:inScheme ?scheme }
  OPTIONAL { ?concept olc:centralisationRank|olc:lifecycleOrder ?order }
  OPTIONAL { ?concept skos:altLabel ?alt }
  OPTIONAL { ?concept dct:source ?source }
}
GROUP BY ?concept ?scheme ?label ?notation ?definition ?scope ?broader ?order
"""

MATCHES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?relation ?target ?targetLabel WHERE {
  VALUES ?relation { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
                     skos:relatedMatch skos:related }
  ?concept ?relation ?target .
  OPTIONAL { ?target skos:prefLabel ?targetLabel }
}
ORDER BY ?concept ?relation ?target
"""


@dataclass
class Concept:
    iri: str
    label: str
    notation: str = ""
    definition: str = ""
    scope: str = ""
    order: int | None = None
    alts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    matches: list[tuple[str, str, str]] = field(default_factory=list)
    children: list[Concept] = field(default_factory=list)

    def rank(self) -> int:
        """Its own order, or else its first child's (families follow their models' ranks)."""
        if self.order is not None:
            return self.order
        return min((child.rank() for child in self.children), default=10**6)

    def sort_key(self) -> tuple:
        return (self.rank(), self.notation, self.label)


def write_docs(project: Project, store: ox.Store, output: Path) -> list[Path]:
    """Write index.html, ontology.html and vocabularies.html into ``output``."""
    try:
        import logging

        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        from pylode import OntPub

        # pyLODE configures the root logger at import (INFO and DEBUG chatter); undo that.
        root.setLevel(level)
        root.handlers[:] = handlers
    except ImportError:
        raise KgError("kg docs needs pyLODE: pip install 'open-llm-collab-kg[docs]' "
                      "(or '.[docs]' in a checkout)") from None
    from kg.validate import to_rdflib

    output.mkdir(parents=True, exist_ok=True)
    sources = [s for s in project.sources(("ontology",)) if s.relpath in ONTOLOGY_FILES]
    parsed = parse_sources(sources)
    graph = to_rdflib(parsed.quads)
    for prefix, namespace in parsed.prefixes.items():
        graph.bind(prefix, namespace)
    ontology_page = output / "ontology.html"
    ontology_page.write_text(OntPub(ontology=graph).make_html(), encoding="utf-8")
    vocabularies_page = output / "vocabularies.html"
    vocabularies_page.write_text(render_vocabularies(store), encoding="utf-8")
    index = output / "index.html"
    index.write_text(render_index(), encoding="utf-8")
    return [index, ontology_page, vocabularies_page]


def _concepts_by_scheme(store: ox.Store) -> dict[str, list[Concept]]:
    concepts: dict[tuple[str, str], Concept] = {}
    parents: dict[tuple[str, str], str] = {}
    for row in store.query(CONCEPTS):
        scheme, iri = row["scheme"].value, row["concept"].value
        concept = concepts.setdefault((scheme, iri), Concept(iri, row["label"].value))
        for name in ("notation", "definition", "scope"):
            if row[name] is not None:
                setattr(concept, name, row[name].value)
        if row["order"] is not None:
            concept.order = int(row["order"].value)
        concept.alts = [a for a in _text(row["alts"]).split(" | ") if a]
        concept.sources = _text(row["sources"]).split()
        if row["broader"] is not None:
            parents[(scheme, iri)] = row["broader"].value
    matches = defaultdict(list)
    for row in store.query(MATCHES):
        label = row["targetLabel"].value if row["targetLabel"] is not None else ""
        matches[row["concept"].value].append(
            (row["relation"].value.rsplit("#", 1)[-1], row["target"].value, label))
    tops: dict[str, list[Concept]] = defaultdict(list)
    for (scheme, iri), concept in concepts.items():
        concept.matches = matches.get(iri, [])
        parent = parents.get((scheme, iri))
        if parent is not None and (scheme, parent) in concepts:
            concepts[(scheme, parent)].children.append(concept)
        else:
            tops[scheme].append(concept)
    for concept in concepts.values():
        concept.children.sort(key=Concept.sort_key)
    return {scheme: sorted(items, key=Concept.sort_key) for scheme, items in tops.items()}


def _text(term: ox.Literal | None) -> str:
    """GROUP_CONCAT over nothing is unbound in Oxigraph; read it as empty."""
    return "" if term is None else term.value


def _anchor(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _document(title: str):
    """An HTML page with the shared head: UTF-8 and the pages' stylesheet."""
    import dominate
    from dominate import tags as t

    doc = dominate.document(title=title)
    with doc.head:
        t.meta(charset="utf-8")
        t.style(_CSS)
    return doc


def render_vocabularies(store: ox.Store) -> str:
    from dominate import tags as t

    tree = _concepts_by_scheme(store)
    schemes = list(store.query(SCHEMES))
    doc = _document("Vocabularies of the Open LLM Collaboration ontology")
    with doc:
        t.h1("Vocabularies of the Open LLM Collaboration ontology")
        t.p("The SKOS concept schemes of the study's taxonomies, generated by kg "
            f"{__version__} from the ontology; see also ",
            t.a("the ontology", href="ontology.html"), ".")
        with t.nav().add(t.ul()):
            for row in schemes:
                t.li(t.a(row["label"].value, href=f"#{_anchor(row['scheme'].value)}"))
        for row in schemes:
            scheme = row["scheme"].value
            with t.section(id=_anchor(scheme)):
                t.h2(row["label"].value)
                t.p(t.code(scheme), cls="iri")
                if row["definition"] is not None:
                    t.p(row["definition"].value)
                if row["note"] is not None:
                    t.p("Note: ", row["note"].value, cls="note")
                _sources(_text(row["sources"]).split())
                with t.ul(cls="concepts"):
                    for concept in tree.get(scheme, []):
                        _concept(concept)
    return doc.render()


def _sources(urls: list[str]) -> None:
    from dominate import tags as t

    if urls:
        with t.p("Source: ", cls="sources"):
            for i, url in enumerate(sorted(urls)):
                if i:
                    t.span(", ")
                t.a(url, href=url)


def _concept(concept: Concept) -> None:
    from dominate import tags as t

    with t.li(id=_anchor(concept.iri)):
        with t.div(cls="concept"):
            if concept.notation:
                t.span(concept.notation, cls="notation")
            t.strong(concept.label)
            if concept.alts:
                t.span(" (also: " + ", ".join(concept.alts) + ")", cls="alt")
            t.div(t.code(concept.iri), cls="iri")
            if concept.definition:
                t.div(concept.definition, cls="definition")
            if concept.scope:
                t.div("Scope: " + concept.scope, cls="note")
            for relation, target, label in concept.matches:
                internal = target.startswith("https://w3id.org/olckg/")  # else Wikidata, ...
                t.div(f"{relation}: ", t.a(label or target, href=f"#{_anchor(target)}"
                                           if internal else target), cls="match")
            _sources(concept.sources)
        if concept.children:
            with t.ul():
                for child in concept.children:
                    _concept(child)


def render_index() -> str:
    from dominate import tags as t

    doc = _document("Open LLM Collaboration ontology")
    with doc:
        t.h1("Open LLM Collaboration ontology")
        t.p("The conceptual model of the study ", t.em(
            "A Cartography of Open Collaboration in Open Source AI"),
            " (Linåker, Osborne, Ding, Burtenshaw; ",
            t.a("arXiv 2509.25397", href="https://doi.org/10.48550/arXiv.2509.25397"),
            ", CC BY 4.0), in OWL 2 and SKOS.")
        with t.ul():
            t.li(t.a("The ontology", href="ontology.html"),
                 ": classes, properties and alignments to W3C ORG, PROV-O, DCTERMS, SKOS, "
                 "schema.org, FAIR4ML, FOAF and DOAP (rendered by pyLODE).")
            t.li(t.a("The vocabularies", href="vocabularies.html"),
                 ": organisational models, lifecycle stages and activities, artefact domains, "
                 "motivations, stakeholder groups, organisation types, link types, licence kinds, "
                 "evidence and sources.")
        t.p(f"Generated by kg {__version__}.", cls="note")
    return doc.render()


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
code, .iri { color: #555; font-size: 0.85em; }
.concepts, .concepts ul { list-style: none; padding-left: 1.2rem; }
.concept { margin: 0.6rem 0; }
.notation { display: inline-block; min-width: 2.5rem; color: #fff; background: #4a6fa5;
            border-radius: 3px; padding: 0 0.3rem; margin-right: 0.5rem; font-size: 0.8em; }
.alt, .note, .sources, .match { color: #666; font-size: 0.9em; }
"""


def queries_markdown(queries: list, store: ox.Store, compactor) -> str:
    """The query catalog as Markdown: each question, its parameters, its SPARQL and answer.

    The answers come from the store, so the page shows what the graph says now.
    """
    from kg.query import execute, is_federated, materialise, render_markdown, take_page

    out = [
        "<!-- Generated by `kg queries --markdown -o docs/queries.md`; do not edit by hand. -->",
        "",
        "# Prebuilt queries",
        "",
        f"{len(queries)} questions the graph answers, with their SPARQL and their current answer "
        "(run any of them with `kg query NAME`; add `--format csv` or `json` for full IRIs).",
        "",
    ]
    for query in queries:
        out.append(f"- [`{query.name}`](#{query.name}): {query.summary}")
    for query in queries:
        out += ["", f"## {query.name}", "", f"**{query.summary}**", ""]
        if query.description:
            out += [query.description, ""]
        if query.tags:
            out += ["Tags: " + ", ".join(f"`{tag}`" for tag in query.tags), ""]
        if query.parameters:
            out += ["Parameters: " + "; ".join(p.describe() for p in query.parameters), ""]
        out += ["```sparql", query.text.rstrip(), "```", ""]
        if is_federated(query.text):
            out += ["This query calls another endpoint (SERVICE), so its answer is live and not "
                    f"recorded here: run `kg query {query.name}`."]
            continue
        more = False
        if query.page_size:  # the first page, as `kg query` and /queries/NAME show it
            result, more = take_page(execute(store, query, {}, compactor.prefixes, page=1),
                                     query.page_size)
            answer = materialise(result)
        else:
            answer = materialise(execute(store, query, {}, compactor.prefixes))
        hidden = {p.variable for p in query.parameters}
        count = len(answer.rows)
        label = "" if answer.kind == "ask" else f" ({count} row{'' if count == 1 else 's'})"
        if more:
            label = (f" (the first page, {count} rows; `kg query {query.name} --all` gives "
                     "every row)")
        out += [f"Answer{label}:", "", render_markdown(answer, compactor, hidden).rstrip()]
    return "\n".join(out) + "\n"
