"""`kg site`: the same pages as static files, so any static host can publish the graph.

One folder per IRI path (``id/olmo/index.html``, ``index.ttl``, ``index.jsonld``,
``index.nt``, ``index.rdf``), the landing page, the catalog with every query's current
answer (HTML, JSON, CSV), the ontology, vocabularies and shapes, a search page that filters
in the browser, the release's dumps, the VoID and SPARQL examples under ``.well-known/``,
the JSON-LD context and, when pyLODE is installed, the ``kg docs`` pages. Links are
relative, so the folder works under any base path. ``check_links`` walks the result.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

from kg.publish.release import PREFIXES
from kg.publish.web.context import context_bytes
from kg.publish.web.dataset import copy_release
from kg.publish.web.describe import labels
from kg.publish.web.iris import RESOURCE_FORMATS, links_for, local_path
from kg.publish.web.render import catalog_page, layout, not_found, static_search_page
from kg.publish.web.site import Site


@dataclass
class Written:
    folder: Path
    files: int = 0
    pages: int = 0
    notes: list[str] = field(default_factory=list)


def write_site(site: Site, output: Path, base_url: str, sparql_endpoint: str | None = None
               ) -> Written:
    """Write the site into ``output`` (replaced atomically: written beside it, then renamed)."""
    output = output.resolve()
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    site.editor = False  # no SPARQL editor in a static copy
    origin = base_url.rstrip("/")
    written = Written(output)
    try:
        _write_all(site, staging, origin, sparql_endpoint, written)
        if output.exists():
            old = output.with_name(f".{output.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(output, old)
            os.replace(staging, output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _write_all(site: Site, root: Path, origin: str, sparql_endpoint: str | None,
               written: Written) -> None:
    def put(relative: str, body: bytes) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.files += 1
        written.pages += relative.endswith(".html")

    put("index.html", site.landing_html(links_for("/"), origin, sparql_endpoint))
    put("404.html", not_found("this address", links_for("/"), editor=False))
    for iri in site.namespace_iris():
        folder = local_path(iri).strip("/")
        description = site.describe(iri)
        links = links_for(folder)
        put(f"{folder}/index.html", site.entity_html(description, links))
        for ext in RESOURCE_FORMATS:
            put(f"{folder}/index.{ext}", site.serialise(description.triples, ext, ""))
    for name, html, triples in (("ontology", site.ontology_html, site.ontology_triples),
                                ("shapes", site.shapes_html, site.shapes_triples)):
        put(f"{name}/index.html", html(links_for(name)))
        statements = triples()
        for ext in RESOURCE_FORMATS:
            put(f"{name}/index.{ext}", site.serialise(statements, ext, ""))
    put("vocab/index.html", site.vocab_html(links_for("vocab")))
    _write_queries(site, put)
    entries = site.index.everything()
    names = labels(site.store, {kind for _, _, kind in entries if kind})
    put("search/index.html", static_search_page(entries, links_for("search"), site.compactor,
                                                names))
    downloads = root / "downloads"
    copy_release(site.release, downloads)
    written.files += sum(1 for _ in downloads.iterdir())
    put("downloads/index.html", site.downloads_html(links_for("downloads")))
    put("context.jsonld", context_bytes(site.context))
    void = site.void_triples(origin, sparql_endpoint)
    put(".well-known/void", ox.serialize(void, format=ox.RdfFormat.TURTLE,
                                         prefixes=PREFIXES) or b"")
    put(".well-known/sparql-examples",
        site.examples_turtle(sparql_endpoint or f"{origin}/sparql"))
    try:
        from kg.publish.docs import write_docs

        write_docs(site.project, site.store, root / "docs")
        written.files += sum(1 for _ in (root / "docs").iterdir())
    except Exception as error:  # pyLODE is an extra: the site is complete without it
        written.notes.append(f"no docs/ (kg docs needs the docs extra: {error})")


def _write_queries(site: Site, put) -> None:
    from kg.query import execute, materialise, render

    queries = site.catalog.all()
    put("queries/index.html", catalog_page(queries, links_for("queries"), editor=False))
    for query in queries:
        if any(p.required and p.default is None for p in query.parameters):
            continue
        if "SERVICE" in query.text.upper():  # federated: asks Wikidata live; not frozen here
            links = links_for(f"queries/{query.name}")
            body = (f"<h1>{escape(query.summary)}</h1><p>This query asks Wikidata's query service "
                    "live, so its answer is not part of a static copy. Run it with "
                    f"<code>kg query {query.name}</code> or on a <code>kg serve</code> "
                    "endpoint.</p>")
            put(f"queries/{query.name}/index.html", layout(query.summary, body, links,
                                                           editor=False))
            continue
        values = {p.name: p.default for p in query.parameters if p.default is not None}
        for fmt in ("json", "csv"):
            result = execute(site.store, query, values, site.prefixes)
            put(f"queries/{query.name}.{fmt}", render(result, fmt, site.compactor, query))
        if query.page_size:
            _write_pages(site, put, query, values)
            continue
        answer = materialise(execute(site.store, query, values, site.prefixes))
        links = links_for(f"queries/{query.name}")
        put(f"queries/{query.name}/index.html", site.answer_html(
            query, values, answer.variables, answer.rows if answer.kind == "select" else None,
            answer.boolean, None, links))


def _write_pages(site: Site, put, query, values: dict[str, str]) -> None:
    """A paged query's answer as pages: ``queries/NAME/`` the first, ``queries/NAME/page/N/``
    the others, each linking the pages before and after it (the .json and .csv are whole)."""
    from kg.publish.web.render import Pages
    from kg.query import execute, materialise, take_page

    def folder(number: int) -> str:
        return f"queries/{query.name}" + (f"/page/{number}" if number > 1 else "")

    number, more = 1, True
    while more:
        result, more = take_page(execute(site.store, query, values, site.prefixes,
                                         page=number), query.page_size)
        answer = materialise(result)
        links = links_for(folder(number))
        pages = Pages(number, query.page_size,
                      links("/" + folder(number - 1)) if number > 1 else None,
                      links("/" + folder(number + 1)) if more else None)
        put(f"{folder(number)}/index.html", site.answer_html(
            query, values, answer.variables, answer.rows, None, None, links, pages))
        number += 1


# -- the link check -----------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.targets.append(value)
            if name == "id" and value:
                self.ids.add(value)


@dataclass
class LinkReport:
    pages: int
    links: int
    broken: list[tuple[str, str]]  # (page, link)


def check_links(folder: Path) -> LinkReport:
    """Every relative link of every HTML page: its file exists, its #fragment is an id there."""
    parsed: dict[Path, _Links] = {}

    def page(path: Path) -> _Links:
        if path not in parsed:
            parser = _Links()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed[path] = parser
        return parsed[path]

    broken, count = [], 0
    pages = sorted(folder.rglob("*.html"))
    for path in pages:
        for target in page(path).targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:")):
                continue
            count += 1
            resolved = path if not parts.path else (path.parent / unquote(parts.path))
            if parts.path.endswith("/") or (resolved.is_dir() and parts.path):
                resolved = resolved / "index.html"
            resolved = Path(os.path.normpath(resolved))
            if not resolved.is_file() or folder.resolve() not in resolved.resolve().parents:
                broken.append((str(path.relative_to(folder)), target))
                continue
            if parts.fragment and resolved.suffix == ".html" \
                    and unquote(parts.fragment) not in page(resolved).ids:
                broken.append((str(path.relative_to(folder)), target))
    return LinkReport(len(pages), count, broken)
