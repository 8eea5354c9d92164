"""The publication of one build: every page and description, for `kg serve` and `kg site`.

A :class:`Site` holds a read-only store, the project (for the catalog, the shapes, the
citation) and what is computed once per build (labels for search, the JSON-LD context,
the release). Its methods return page bodies; ``dispatch`` maps requests onto them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from html import escape
from pathlib import Path

import pyoxigraph as ox

from kg import BASE, __version__
from kg.publish.web import render
from kg.publish.web.context import CONTEXT_IRI, compact, project_context
from kg.publish.web.dataset import (
    EXAMPLE_PREFIXES,
    citation,
    cite_text,
    make_downloads,
    schema_org,
    sparql_examples,
    void,
    with_defaults,
)
from kg.publish.web.describe import (
    DCT,
    OLC,
    RDF,
    SKOS,
    Description,
    SearchIndex,
    counts,
    describe,
    labels,
    subjects_in,
)
from kg.publish.web.iris import IDS, ONTOLOGY, SHAPES, VOCAB, Links, local_path
from kg.terms import Compactor

_RELEASE_LOCK = threading.Lock()
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SINGULAR = {"Classes": "class", "Object properties": "object property",
            "Data properties": "data property", "Annotation properties": "annotation property"}
GRAPH_FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
DOWNLOAD_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "nq": "application/n-quads",
                  "trig": "application/trig", "jsonld": "application/ld+json",
                  "rdf": "application/rdf+xml", "gz": "application/gzip",
                  "md": "text/markdown; charset=utf-8", "json": "application/json"}


class Site:
    def __init__(self, store: ox.Store, project, prefixes: dict[str, str], cache: Path | None,
                 fingerprint: str = "", editor: bool = True, sparql: bool = True) -> None:
        self.store, self.project, self.cache = store, project, cache
        self.compactor = Compactor(prefixes)
        self.prefixes = self.compactor.prefixes
        self.fingerprint = fingerprint
        self.editor, self.sparql = editor, sparql  # what the front serves beside these pages

    @classmethod
    def open(cls, database: Path, project_root: Path, prefixes: dict[str, str],
             editor: bool = True) -> Site:
        """The site of one build (``builds/NAME/oxigraph``), on a read-only handle of its store.

        Descriptions are small, bounded queries, so they run in the caller's process;
        generated files (the release behind /downloads) are kept in the build's folder.
        """
        import json

        from kg.sources import Project
        from kg.store.builds import open_read_only

        build = database.parent
        try:
            manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        project = Project(project_root, bundled=project_root.name == "_project")
        return cls(open_read_only(database), project, prefixes, build / "site",
                   manifest.get("fingerprint", ""), editor=editor)

    def warm(self) -> Site:
        """Compute what every landing page and search needs, before the first visitor asks
        (a server does this at start, so no request waits on it): the catalog, the search
        index, the context, the counts, the figures and the release behind /downloads (made
        once per build and kept in it)."""
        self.catalog.all()
        for _ in (self.index, self.context, self.counts, self.figure_answers, self.figures,
                  self.release):
            pass
        return self

    # -- computed once ----------------------------------------------------------------------

    @functools.cached_property
    def catalog(self):
        from kg.query import Catalog

        return Catalog(self.project.queries_dir)

    @functools.cached_property
    def index(self) -> SearchIndex:
        return SearchIndex.build(self.store)

    @functools.cached_property
    def context(self) -> dict:
        return project_context(self.project, self.prefixes)

    @functools.cached_property
    def shapes(self) -> ox.Store:
        from kg.sources import parse_sources

        store = ox.Store()
        parsed = parse_sources(self.project.sources(("shapes",)))
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in parsed.quads)
        return store

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        return counts(self.store)

    @functools.cached_property
    def figure_answers(self) -> list[tuple]:
        """(query, answer) of every figure of the catalog, answered once per build."""
        from kg.publish.figures import figure_queries
        from kg.query import execute, materialise

        return [(query, materialise(execute(self.store, query, {}, self.prefixes)))
                for query in figure_queries(self.catalog)]

    @functools.cached_property
    def figures(self) -> list[tuple[str, str, str]]:
        """(name, summary, SVG) of every figure of the catalog, drawn from this build."""
        from kg.publish.figures import draw_figure

        return [(query.name, query.summary or query.name, draw_figure(query, answer,
                                                                      self.compactor))
                for query, answer in self.figure_answers if answer.rows]

    @functools.cached_property
    def release(self) -> Path:
        import tempfile

        with _RELEASE_LOCK:  # the front's threads: one makes it, the others wait for it
            cache = self.cache or Path(tempfile.mkdtemp(prefix="kg-site-"))
            return make_downloads(self.project, cache, self.fingerprint, self.prefixes)

    # -- RDF forms --------------------------------------------------------------------------

    def serialise(self, triples: Iterable[ox.Triple], ext: str, origin: str = "") -> bytes:
        _media, fmt = GRAPH_FORMATS[ext]
        triples = list(triples)  # in the order given: the resource first, then the rest
        if ext == "jsonld":
            statements = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            return compact(statements, self.context, (origin + "/context.jsonld") if origin
                           else CONTEXT_IRI)
        prefixes = None
        if ext in ("ttl", "rdf"):
            text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            prefixes = {p: ns for p, ns in self.prefixes.items() if f"<{ns}".encode() in text}
        return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""

    def describe(self, iri: str) -> Description:
        return describe(self.store, iri)

    def ontology_triples(self) -> list[ox.Triple]:
        query = (f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER (isIRI(?s) && (?s = <{ONTOLOGY}> '
                 f'|| STRSTARTS(STR(?s), "{ONTOLOGY}#"))) }}')
        return sorted((ox.Triple(r["s"], r["p"], r["o"]) for r in self.store.query(query)),
                      key=statement_order)

    def shapes_triples(self) -> list[ox.Triple]:
        return sorted((q.triple for q in self.shapes.quads_for_pattern(None, None, None)),
                      key=statement_order)

    # -- pages -------------------------------------------------------------------------------

    def entity_html(self, description: Description, links: Links) -> bytes:
        return render.entity_page(description, links, self.compactor, editor=self.editor,
                                  figures=self.neighbourhoods_html(description, links))

    def neighbourhoods_html(self, description: Description, links: Links) -> str:
        """The entity's part of each figure it appears in, each linking to the whole figure."""
        from kg.publish.figures.neighbourhood import neighbourhoods
        from kg.publish.figures.svg import FigureLinks

        def links_of(name: str) -> FigureLinks:
            page = links(f"/queries/{name}")
            return FigureLinks(query=f"{page}#sparql", table=page,
                               csv=links(f"/queries/{name}.csv"))

        parts = neighbourhoods(description.iri, description.label(), self.figure_answers,
                               self.compactor, links_of)
        return "".join(
            f"<figure class='neighbourhood' data-query='{escape(n.query.name)}'>"
            f"<div class='figure'>{n.svg}</div><figcaption>{n.rows} of the {n.total} rows of "
            f"<a href='{escape(links(f'/queries/{n.query.name}'))}'>"
            f"{escape(n.query.summary or n.query.name)}</a> (the whole figure and its table)"
            "</figcaption></figure>" for n in parts)

    def ontology_html(self, links: Links) -> bytes:
        head = self.describe(ONTOLOGY)
        r = render.Renderer(links, head.labels, self.compactor, head.nested)
        meta = "".join(f"<tr><td class='property'>{r.iri(p)}</td><td>{r.term(o, p)}</td></tr>"
                       for p, o in head.statements if p != RDF + "type")
        terms: dict[str, dict[str, list]] = {}
        for triple in self.ontology_triples():
            if triple.subject.value.startswith(ONTOLOGY + "#"):
                terms.setdefault(triple.subject.value, {}).setdefault(
                    triple.predicate.value, []).append(triple.object)
        names = labels(self.store, {o.value for t in terms.values() for v in t.values()
                                    for o in v if isinstance(o, ox.NamedNode)} | set(terms))
        r = render.Renderer(links, names, self.compactor)
        groups = {"Classes": [OWL + "Class"], "Object properties": [OWL + "ObjectProperty"],
                  "Data properties": [OWL + "DatatypeProperty"],
                  "Annotation properties": [OWL + "AnnotationProperty"]}
        shown = (RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
                 OWL + "inverseOf", RDFS + "isDefinedBy")
        sections, toc = [], []
        for title, kinds in groups.items():
            members = sorted((iri for iri, st in terms.items()
                              if any(k.value in kinds for k in st.get(RDF + "type", []))),
                             key=lambda i: i.lower())
            if not members:
                continue
            toc.append(f"<h3>{title} ({len(members)})</h3><ul class='cols'>" + "".join(
                f"<li><a href='#{escape(i.split('#', 1)[1])}'>{escape(r.name(i))}</a></li>"
                for i in members) + "</ul>")
            for iri in members:
                st = terms[iri]
                local = iri.split("#", 1)[1]
                definition = " ".join(o.value for o in st.get(SKOS + "definition", []))
                comment = " ".join(o.value for o in st.get(RDFS + "comment", []))
                rows = "".join(f"<tr><td class='muted'>{escape(r.name(p))}</td><td>"
                               + ", ".join(r.term(o, p) for o in st[p]) + "</td></tr>"
                               for p in shown if p in st)
                sections.append(
                    f"<section class='term' id='{escape(local)}'><h3>{escape(r.name(iri))} "
                    f"<span class='badge'>{escape(SINGULAR[title])}"
                    f"</span></h3><p class='muted'><code>{escape(iri)}</code></p>"
                    + (f"<p>{escape(definition)}</p>" if definition else "")
                    + (f"<p class='muted'>{escape(comment)}</p>" if comment else "")
                    + (f"<table class='nested'>{rows}</table>" if rows else "") + "</section>")
        body = (f"<h1>{escape(head.label())}</h1><p class='muted'><code>{escape(ONTOLOGY)}</code>"
                f" · as {render.formats_line(links, '/ontology')} · the concepts it uses are in "
                f"the <a href='{escape(links('/vocab'))}'>vocabularies</a>, the checks in the "
                f"<a href='{escape(links('/shapes'))}'>shapes</a></p>"
                f"<table class='facts'>{meta}</table><h2>Terms</h2>{''.join(toc)}"
                f"<h2>Definitions</h2>{''.join(sections)}")
        return render.layout("Ontology", body, links, editor=self.editor)

    def vocab_html(self, links: Links) -> bytes:
        query = (f"SELECT ?scheme ?concept WHERE {{ ?scheme a <{SKOS}ConceptScheme> . "
                 f"OPTIONAL {{ ?concept <{SKOS}inScheme> ?scheme }} }} ORDER BY ?scheme ?concept")
        schemes: dict[str, list[str]] = {}
        for row in self.store.query(query):
            members = schemes.setdefault(row["scheme"].value, [])
            if row["concept"] is not None:
                members.append(row["concept"].value)
        names = labels(self.store, set(schemes) | {c for m in schemes.values() for c in m})
        r = render.Renderer(links, names, self.compactor)
        parts = []
        for scheme in sorted(schemes, key=lambda s: r.name(s).lower()):
            members = sorted(schemes[scheme], key=lambda c: r.name(c).lower())
            parts.append(f"<h3>{r.iri(scheme)} <span class='muted'>({len(members)})</span></h3>"
                         "<ul class='cols'>" + "".join(f"<li>{r.iri(c)}</li>" for c in members)
                         + "</ul>")
        body = (f"<h1>Vocabularies</h1><p class='lead'>The study's taxonomies as SKOS concept "
                f"schemes ({len(schemes)}), under <code>{escape(VOCAB)}</code>.</p>"
                + "".join(parts))
        return render.layout("Vocabularies", body, links, editor=self.editor)

    def shapes_html(self, links: Links) -> bytes:
        shapes = sorted({q.subject.value for q in self.shapes.quads_for_pattern(None, None, None)
                         if isinstance(q.subject, ox.NamedNode)
                         and q.subject.value.startswith(SHAPES + "#")})
        names = labels(self.store, set())
        sections = []
        for iri in shapes:
            description = describe(self.shapes, iri)
            names.update(labels(self.store, set(description.labels) | {
                o.value for _, o in description.statements if isinstance(o, ox.NamedNode)}))
            r = render.Renderer(links, names, self.compactor, description.nested)
            rows = "".join(f"<tr><td class='property'>{escape(r.name(p))}</td>"
                           f"<td>{r.term(o, p)}</td></tr>" for p, o in description.statements)
            local = iri.split("#", 1)[1]
            sections.append(f"<section class='term' id='{escape(local)}'><h3>{escape(local)}</h3>"
                            f"<table class='facts'>{rows}</table></section>")
        body = (f"<h1>SHACL shapes</h1><p class='lead'>The checks every build passes "
                f"({len(shapes)} shapes); every constraint carries the message a curator sees."
                f"</p><p class='muted'><code>{escape(SHAPES)}#</code> · as "
                f"{render.formats_line(links, '/shapes')}</p>" + "".join(sections))
        return render.layout("Shapes", body, links, editor=self.editor)

    def downloads(self, base: str) -> list[tuple[str, str, int, str]]:
        """(file, media type, bytes, href) of every file of the current release."""
        out = []
        for path in sorted(self.release.iterdir()):
            if path.is_file():
                ext = path.name.rsplit(".", 1)[-1]
                media = DOWNLOAD_TYPES.get(ext, "text/plain; charset=utf-8")
                out.append((path.name, media, path.stat().st_size, base + path.name))
        return out

    def downloads_html(self, links: Links) -> bytes:
        rows = "".join(f"<tr><td><a href='{escape(links('/downloads/' + name))}'>{escape(name)}"
                       f"</a></td><td>{escape(media)}</td><td>{size:,}</td></tr>"
                       for name, media, size, _ in self.downloads(""))
        body = (f"<h1>Downloads</h1><p class='lead'>Release {escape(__version__)} of the graph, "
                "made from the live build: every dump (N-Quads, TriG and JSON-LD keep the "
                "ontology, data and shapes in named graphs of their own), the VoID "
                "description and checksums (<code>sha256sum -c SHA256SUMS</code>). Licence: "
                "<a href='https://creativecommons.org/licenses/by/4.0/'>CC BY 4.0</a>.</p>"
                "<table><thead><tr><th>file</th><th>media type</th><th>bytes</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")
        return render.layout("Downloads", body, links, editor=self.editor)

    def void_triples(self, origin: str, sparql_endpoint: str | None) -> list[ox.Triple]:
        return void(self.release, origin + "/downloads/", sparql_endpoint,
                    origin + "/.well-known/sparql-examples")

    def examples_triples(self, endpoint: str) -> list[ox.Triple]:
        return sparql_examples(self.catalog.all(), self.prefixes, endpoint)

    def examples_turtle(self, endpoint: str) -> bytes:
        return ox.serialize(self.examples_triples(endpoint), format=ox.RdfFormat.TURTLE,
                            prefixes=EXAMPLE_PREFIXES) or b""

    def landing_html(self, links: Links, origin: str, sparql_endpoint: str | None) -> bytes:
        dataset = self.describe(BASE)
        r = render.Renderer(links, dataset.labels, self.compactor, dataset.nested)
        title = dataset.label()
        text = next((o.value for o in dataset.values(DCT + "description")), "")
        cff = citation(self.project.root)
        counted = {k: v for k, v in self.counts.items() if k != "triples"}
        grid = "".join(f"<div class='count'><b>{v:,}</b><span>{escape(k)}</span></div>"
                       for k, v in {**counted, "triples": self.counts["triples"]}.items())
        downloads = self.downloads(origin + "/downloads/")
        main_files = [d for d in downloads if d[0].startswith("olckg") and not d[0].endswith(".gz")]
        files = "".join(f"<li><a href='{escape(links('/downloads/' + name))}'>{escape(name)}</a> "
                        f"<span class='muted'>{escape(media.split(';')[0])}, {size:,} bytes</span>"
                        "</li>" for name, media, size, _ in main_files)
        queries = self.catalog.all()
        query_items = "".join(
            f"<li><a href='{escape(links('/queries/' + q.name))}'>{escape(q.summary)}</a></li>"
            for q in queries[:12])
        schemes = [row["s"].value for row in self.store.query(
            f"SELECT ?s WHERE {{ ?s a <{SKOS}ConceptScheme> }} ORDER BY ?s")]
        names = labels(self.store, schemes)
        rs = render.Renderer(links, names, self.compactor)
        scheme_items = ", ".join(rs.iri(s) for s in sorted(schemes, key=lambda s: rs.name(s)))
        study = dataset.values(DCT + "source")
        study_link = r.term(study[0]) if study else ""
        graph_cite = cite_text({**cff, "authors": cff.get("authors"), "year": None}) if cff else ""
        study_cite = cite_text(cff.get("preferred-citation") or {}) if cff else next(
            (o.value for o in dataset.values(DCT + "bibliographicCitation")), "")
        endpoint = ""
        if sparql_endpoint:
            endpoint = (
                f"<h2>SPARQL endpoint</h2><p><code>{escape(sparql_endpoint)}</code> answers the "
                f"<a href='https://www.w3.org/TR/sparql11-protocol/'>SPARQL 1.1 Protocol</a> "
                f"(read-only; <a href='{escape(links('/editor'))}'>the editor</a> runs queries in "
                "the browser):</p><pre>curl -H 'Accept: text/csv' --data-urlencode \\\n  "
                f"'query=SELECT ?project WHERE {{ ?project a &lt;{OLC}OpenLLMProject&gt; }}' "
                f"\\\n  {escape(sparql_endpoint)}</pre>")
        else:
            endpoint = ("<h2>SPARQL endpoint</h2><p>This copy is static. To ask the graph in "
                        "SPARQL, load a dump into any RDF store, or run <code>kg serve</code> "
                        "on a build of it and ask its <code>/sparql</code>.</p>")
        markup = schema_org(title, text, origin + "/" if origin else BASE, cff, counted,
                            [(n, m.split(";")[0], h) for n, m, _, h in main_files],
                            sparql_endpoint)
        void_link = links("/.well-known/void")
        body = f"""
<h1>{escape(title)}</h1>
<p class="lead">{escape(text)}</p>
<p>Built from {study_link}. Every fact carries its source and says whether the source states
it or a curator inferred it; what the sources do not say is recorded as unknown. Licence:
<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p>
<div class="grid">{grid}</div>
<h2>Cite</h2>
<p>The graph: {escape(graph_cite)}</p>
<p>The study it is built from: {escape(study_cite)}</p>
<h2>Downloads</h2>
<p>Release {escape(__version__)}, made from the current build
(<a href="{escape(links('/downloads'))}">all files, with checksums</a>; described in
<a href="{escape(void_link)}">VoID and DCAT</a>;
JSON-LD uses the context <a href="{escape(links('/context.jsonld'))}">context.jsonld</a>).</p>
<ul class="plain">{files}</ul>
<h2>Questions to ask it</h2>
<p>{len(queries)} prebuilt queries with their current answers
(<a href="{escape(links('/queries'))}">all of them</a>; also as
<a href="{escape(links('/.well-known/sparql-examples'))}">SPARQL examples</a>):</p>
<ul class="cols">{query_items}</ul>
<h2>The cartography, drawn</h2>
<p>Each figure is a prebuilt query's current answer drawn from the graph; open one for its
table, its data as CSV and the figure as SVG or PNG.</p>
<div class="gallery">{self._gallery(links)}</div>
<h2>The model</h2>
<p>The <a href="{escape(links('/ontology'))}">ontology</a> (OWL 2: classes and properties, each
with a definition), the <a href="{escape(links('/shapes'))}">SHACL shapes</a> that check the data,
and the <a href="{escape(links('/vocab'))}">vocabularies</a>: {scheme_items}.</p>
<p class="muted">Every IRI under <code>{escape(BASE)}</code> has a page here, and gives Turtle,
N-Triples, JSON-LD or RDF/XML to clients that ask for them (<code>Accept</code>, or a
<code>.ttl</code>, <code>.nt</code>, <code>.jsonld</code>, <code>.rdf</code> suffix). Start with
<a href="{escape(links('/id/olmo'))}">OLMo</a>.</p>
{endpoint}"""
        head = f'<script type="application/ld+json">{render.json_script(markup)}</script>'
        return render.layout(title, body, links, head=head, editor=self.editor)

    def _gallery(self, links: Links) -> str:
        import base64

        cards = []
        for name, summary, svg in self.figures:
            data = base64.b64encode(svg.encode()).decode("ascii")
            href = escape(links("/queries/" + name))
            cards.append(f"<figure><a href='{href}'><img src='data:image/svg+xml;base64,{data}' "
                         f"alt='{escape(summary, quote=True)}' loading='lazy'></a>"
                         f"<figcaption><a href='{href}'>{escape(summary)}</a></figcaption>"
                         "</figure>")
        return "".join(cards)

    def search(self, text: str) -> list[dict[str, str]]:
        return self.index.search(text)

    def search_html(self, text: str, links: Links) -> bytes:
        results = self.search(text)
        names = labels(self.store, {x["type"] for x in results if x["type"]})
        return render.search_page(text, results, links, self.compactor, names, self.editor)

    def answer_html(self, query, values: dict[str, str], variables: list[str], rows,
                    boolean: bool | None, truncated: str | None, links: Links,
                    pages: render.Pages | None = None) -> bytes:
        iris = {t.value for row in rows or [] for t in row if isinstance(t, ox.NamedNode)}
        renderer = render.Renderer(links, labels(self.store, iris), self.compactor)
        shown = values if pages is None or links.static else {**values, "page": str(pages.number)}
        return render.answer_page(query, values, variables, rows, boolean, truncated,
                                  renderer, self.editor,
                                  render.data_links(query.name, shown, links, links.static),
                                  pages)

    def editor_examples(self) -> list[dict]:
        """Every prebuilt query for the editor, parameterised ones with their defaults bound."""
        return [{"name": q.name, "summary": q.summary, "query": with_defaults(q, self.prefixes),
                 "parameters": [p.describe() for p in q.parameters], "view": q.view}
                for q in self.catalog.all()]

    def namespace_iris(self) -> list[str]:
        """Every IRI of the graph with a page of its own (individuals and concepts)."""
        return [i for i in subjects_in(self.store, BASE)
                if i.startswith((IDS, VOCAB)) and local_path(i) is not None]


def statement_order(triple: ox.Triple) -> tuple:
    """Named subjects first, then blank ones; rdf:type first within a subject."""
    return (isinstance(triple.subject, ox.BlankNode), str(triple.subject),
            triple.predicate.value != RDF + "type", str(triple.predicate), str(triple.object))
