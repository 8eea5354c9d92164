"""HTML for people, written with the standard library (``html.escape``): no template engine.

Every page shares one layout (a header with a search box), and every value that is an IRI
of the graph is a link to its page, shown by its label. Pages are rendered for a
:class:`~kg.publish.web.iris.Links`, so the same function serves `kg serve` and `kg site`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import __version__
from kg.publish.web.describe import (
    DESCRIPTIONS,
    EVIDENCE,
    LABELS,
    OLC,
    RDF,
    UNKNOWN,
    Description,
    Evidence,
    Term,
)
from kg.publish.web.iris import Links, local_path
from kg.terms import Compactor

XSD = "http://www.w3.org/2001/XMLSchema#"
PLAIN = (XSD + "string", RDF + "langString")
DCT = "http://purl.org/dc/terms/"
#: Literal identifiers shown as links to the registry they belong to.
IDENTIFIER_LINKS = {OLC + "rorId": "https://ror.org/", OLC + "arxivId": "https://arxiv.org/abs/",
                    OLC + "doi": "https://doi.org/"}
RDF_FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))

STYLE = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #dde3ea; --band: #f4f7fa; --accent: #1f5f99;
        --stated: #1d7a4a; --inferred: #a25d00; }
* { box-sizing: border-box; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: var(--ink); background: #fff; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { background: #18324d; color: #fff; }
header.top .bar { max-width: 72rem; margin: 0 auto; padding: .55rem 1.5rem; display: flex;
                  gap: .95rem; align-items: center; flex-wrap: wrap; font-size: .95rem; }
header.top a { color: #e6eef7; }
header.top a.brand { color: #fff; font-weight: 650; margin-right: .6rem; }
header.top form { margin-left: auto; display: flex; gap: .3rem; }
header.top input { padding: .3rem .55rem; border-radius: 4px; border: 0; width: 12rem;
                   font: inherit; font-size: .9rem; }
header.top button { border: 0; border-radius: 4px; background: #3c78b4; color: #fff;
                    padding: .3rem .7rem; font: inherit; font-size: .9rem; cursor: pointer; }
main { max-width: 72rem; margin: 0 auto; padding: 1.4rem 1.5rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: .2rem 0 .4rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .25rem;
     border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .3rem; }
p.lead { font-size: 1.08rem; max-width: 48rem; }
.muted, .note { color: var(--muted); font-size: .92rem; }
.error { color: #a00; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
            font-size: .86rem; }
pre { background: var(--band); padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; }
.badge { display: inline-block; font-size: .78rem; padding: .05rem .5rem; border-radius: 99px;
         background: #e3edf7; color: #1f4b75; margin-right: .3rem; }
table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem;
         border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; color: #34414f; }
table.facts td.property { width: 15%; color: #34414f; font-weight: 550; }
table.facts td.value { width: 32%; }
td .lang, td .dt { color: var(--muted); font-size: .78rem; margin-left: .25rem; }
table.nested { font-size: .86rem; margin: .2rem 0; }
table.nested td { border: 0; padding: .1rem .4rem .1rem 0; }
.ev { border-left: 3px solid var(--stated); padding: .05rem 0 .1rem .55rem; margin: 0 0 .45rem;
      font-size: .86rem; }
.ev.inferred { border-color: var(--inferred); }
.ev:last-child { margin-bottom: 0; }
.ev .status { font-weight: 650; color: var(--stated); text-transform: lowercase; }
.ev.inferred .status { color: var(--inferred); }
.ev q { font-style: italic; color: #3a4654; }
.ev .reason { color: var(--muted); }
.unknown { color: var(--inferred); font-style: italic; }
.none { color: var(--muted); font-size: .86rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); gap: .7rem;
        margin: .8rem 0; }
.count { background: var(--band); border-radius: 8px; padding: .7rem .9rem; }
.count b { display: block; font-size: 1.55rem; line-height: 1.1; }
.count span { color: var(--muted); font-size: .88rem; }
ul.plain { padding-left: 1.1rem; }
ul.cols { columns: 3 16rem; padding-left: 1.1rem; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr));
           gap: .9rem; margin: .8rem 0; }
.gallery figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: .5rem;
                  background: #fff; }
.gallery img { width: 100%; height: 12rem; object-fit: contain; object-position: top; }
.gallery figcaption { font-size: .9rem; margin-top: .3rem; }
figure.neighbourhood { margin: 0 0 1.5rem; }
figure.neighbourhood .figure { overflow-x: auto; border: 1px solid var(--line);
                               border-radius: 8px; background: #fff; }
figure.neighbourhood svg { max-width: 100%; height: auto; display: block; }
figure.neighbourhood figcaption { font-size: .9rem; margin-top: .3rem; }
section.term { border-top: 1px solid var(--line); padding-top: .4rem; }
form.params label { margin-right: .8rem; }
form.params input { padding: .25rem .45rem; font: inherit; font-size: .9rem; }
"""


def layout(title: str, body: str, links: Links, head: str = "", editor: bool = True,
           query: str = "") -> bytes:
    """The page shell: header with navigation and a search box on every page."""
    nav = [("/", "Home"), ("/queries", "Queries"), ("/ontology", "Ontology"),
           ("/vocab", "Vocabularies"), ("/downloads", "Downloads")]
    if editor:
        nav.append(("/editor", "SPARQL editor"))
    items = "".join(f'<a href="{escape(links(path))}">{escape(name)}</a>' for path, name in nav)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Open LLM Collaboration KG</title><style>{STYLE}</style>{head}</head>
<body><header class="top"><div class="bar">
<a class="brand" href="{escape(links('/'))}">Open LLM Collaboration KG</a>{items}
<form action="{escape(links.search())}" method="get" role="search">
<input type="search" name="q" value="{escape(query, quote=True)}" aria-label="Search"
 placeholder="Search projects, organisations…">
<button>Search</button></form></div></header>
<main>{body}</main></body></html>""".encode()


# -- values -------------------------------------------------------------------------------------

class Renderer:
    """Renders terms as HTML for one page: labels from the description, links for the page."""

    def __init__(self, links: Links, labels: dict[str, str], compactor: Compactor,
                 nested: dict | None = None) -> None:
        self.links, self.labels, self.compactor = links, labels, compactor
        self.nested = nested or {}

    def name(self, iri: str) -> str:
        return self.labels.get(iri) or self.compactor.iri(iri).strip("<>")

    def property(self, iri: str) -> str:
        """A property by its label; an external one without a label by its local name, as words
        (``foaf:homepage`` reads "homepage"), its compact name kept as the link title."""
        return self.iri(iri, self.property_text(iri))

    def property_text(self, iri: str) -> str:
        if iri in self.labels:
            return self.labels[iri]
        from kg.query.run import humanise

        local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return local if local[:1].isupper() else humanise(local)  # a class keeps its name

    def iri(self, iri: str, text: str | None = None) -> str:
        shown = escape(text if text is not None else self.name(iri))
        local = self.links.iri(iri)
        if local is not None:
            return f'<a href="{escape(local)}" title="{escape(iri)}">{shown}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a class="ext" href="{escape(iri)}" title="{escape(iri)}">{shown}</a>'
        return f"<code>{shown}</code>"

    def term(self, term: Term | None, predicate: str | None = None, depth: int = 0) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            rows = self.nested.get(term)
            if not rows or depth > 1:
                return '<span class="none">[ ]</span>'
            return "<table class='nested'>" + "".join(
                f"<tr><td class='muted'>{escape(self.property_text(p))}</td>"
                f"<td>{self.term(o, p, depth + 1)}</td></tr>" for p, o in rows) + "</table>"
        if isinstance(term, ox.Literal):
            text = escape(term.value)
            if predicate in IDENTIFIER_LINKS:
                target = IDENTIFIER_LINKS[predicate] + term.value
                return f'<a class="ext" href="{escape(target)}">{text}</a>'
            extra = ""
            if term.language:
                extra = f"<span class='lang'>@{escape(term.language)}</span>"
            elif term.datatype.value not in PLAIN:
                extra = f"<span class='dt'>{escape(self.compactor.iri(term.datatype.value))}</span>"
            return text.replace("\n", "<br>") + extra
        return escape(str(term))

    def evidence(self, item: Evidence) -> str:
        status = item.first(OLC + "evidenceStatus")
        status_iri = status.value if isinstance(status, ox.NamedNode) else ""
        kind = "inferred" if status_iri.endswith("/inferred") else "stated"
        shown = escape(self.name(status_iri)) if status_iri else "unstated"
        parts = [f"<span class='status'>{shown}</span>"]
        for source in item.statements.get(DCT + "source", []):
            parts.append(self.term(source))
        page = item.first(OLC + "page")
        if page is not None:
            parts.append(f"p.&nbsp;{escape(page.value)}")
        locator = item.first(OLC + "locator")
        if locator is not None:
            parts.append(escape(locator.value))
        quotation = item.first(OLC + "quotation")
        if quotation is not None:
            parts.append(f"<q>{escape(quotation.value)}</q>")
        reason = item.first(OLC + "reason")
        if reason is not None:
            parts.append(f"<span class='reason'>{escape(reason.value)}</span>")
        accessed = item.first(OLC + "accessed")
        if accessed is not None:
            parts.append(f"accessed {escape(accessed.value)}")
        return f"<div class='ev {kind}'>" + " · ".join(parts) + "</div>"


# -- pages --------------------------------------------------------------------------------------

def formats_line(links: Links, path: str) -> str:
    return " · ".join(f'<a href="{escape(links(path + "." + ext))}">{name}</a>'
                      for ext, name in RDF_FORMATS)


def entity_page(description: Description, links: Links, compactor: Compactor,
                editor: bool = True, heading_note: str = "", figures: str = "") -> bytes:
    r = Renderer(links, description.labels, compactor, description.nested)
    path = local_path(description.iri) or "/"
    title = description.label()
    types = "".join(f"<span class='badge'>{r.iri(o.value, r.property_text(o.value))}</span>"
                    for o in description.values(RDF + "type") if isinstance(o, ox.NamedNode))
    summary = ""
    for predicate in DESCRIPTIONS:
        values = [v for v in description.values(predicate) if isinstance(v, ox.Literal)]
        if values:
            summary = f"<p class='lead'>{escape(values[0].value)}</p>"
            break
    rows = []
    previous = None
    for predicate, value in description.statements:
        if predicate == UNKNOWN:
            shown_property = r.property(value.value) if isinstance(value, ox.NamedNode) else ""
            reasons = [e.first(OLC + "reason") for e in description.evidence_for(predicate, value)]
            reason = "; ".join(x.value for x in reasons if x is not None)
            value_html = ("<span class='unknown'>unknown" + (f" ({escape(reason)})" if reason
                                                             else "") + "</span>")
        else:
            shown_property = r.property(predicate) if predicate != previous else ""
            value_html = r.term(value, predicate)
        evidence = description.evidence_for(predicate, value)
        evidence_html = "".join(r.evidence(e) for e in evidence) or \
            "<span class='none'>no evidence node</span>"
        rows.append(f"<tr><td class='property'>{shown_property}</td>"
                    f"<td class='value'>{value_html}</td><td>{evidence_html}</td></tr>")
        previous = predicate
    facts = ("<table class='facts'><thead><tr><th>property</th><th>value</th><th>evidence "
             "(source, where, stated or inferred)</th></tr></thead><tbody>" + "".join(rows)
             + "</tbody></table>") if rows else "<p class='none'>No statements.</p>"
    incoming = ""
    if description.incoming:
        items = "".join(
            f"<tr><td>{r.term(subject)}</td><td class='muted'>{r.property(predicate)}"
            + (f" (in {escape(r.name(via))})" if via else "") + "</td></tr>"
            for subject, predicate, via in description.incoming[:1000])
        incoming = (f"<h2>Pointed at by ({len(description.incoming)})</h2><table>"
                    f"<thead><tr><th>resource</th><th>property</th></tr></thead>{items}</table>")
    body = (f"<div>{types}</div><h1>{escape(title)}</h1>{heading_note}"
            f"<p class='muted'><code>{escape(description.iri)}</code> · as "
            f"{formats_line(links, path)}</p>{summary}"
            f"<h2>Statements ({len(description.statements)})</h2>{facts}"
            + (f"<h2 id='figures'>In the figures</h2>{figures}" if figures else "")
            + incoming)
    return layout(title, body, links, editor=editor)


def not_found(path: str, links: Links, editor: bool = True) -> bytes:
    body = (f"<h1>Not in the graph</h1><p>The graph has nothing at <code>{escape(path)}</code>."
            " Search for what you were looking for:</p>"
            f"<form action='{escape(links.search())}' method='get'><input name='q' type='search' "
            "size='40' autofocus> <button>Search</button></form>"
            f"<p class='muted'>Or start from the <a href='{escape(links('/'))}'>home page</a>.</p>")
    return layout("Not found", body, links, editor=editor)


def search_page(text: str, results: list[dict[str, str]], links: Links, compactor: Compactor,
                labels: dict[str, str], editor: bool = True) -> bytes:
    r = Renderer(links, labels, compactor)
    if not text.strip():
        body = ("<h1>Search</h1><p>Type a name (of a project, an organisation, a model, a "
                "concept).</p>")
    elif not results:
        body = (f"<h1>Search</h1><p>Nothing is called <b>{escape(text)}</b>. Labels and "
                "alternative labels are searched, ignoring case and accents.</p>")
    else:
        items = "".join(f"<li>{r.iri(x['iri'], x['label'])} "
                        + (f"<span class='badge'>{escape(r.name(x['type']))}</span>"
                           if x["type"] else "") + "</li>" for x in results)
        matches = f"{len(results)} match{'es' if len(results) != 1 else ''}"
        body = (f"<h1>Search: {escape(text)}</h1><p class='muted'>{matches}</p>"
                f"<ul class='plain results'>{items}</ul>")
    return layout("Search", body, links, editor=editor, query=text)


def static_search_page(entries: list[tuple[str, str, str]], links: Links, compactor: Compactor,
                       labels: dict[str, str]) -> bytes:
    """The static site's search: every named resource, filtered in the browser by ?q=."""
    r = Renderer(links, labels, compactor)
    items = "".join(f"<li data-name='{escape(label.casefold(), quote=True)}'>"
                    f"{r.iri(iri, label)} <span class='muted'>"
                    f"{escape(r.name(kind)) if kind else ''}</span></li>"
                    for iri, label, kind in entries)
    script = """<script>
const fold = s => s.normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
const q = fold(new URLSearchParams(location.search).get("q") || "");
if (q) { for (const li of document.querySelectorAll("#all li"))
  li.hidden = !fold(li.dataset.name).includes(q);
  document.getElementById("what").textContent = "Matching \\u201c" + q + "\\u201d:"; }
</script>"""
    body = (f"<h1>Search</h1><p id='what' class='muted'>Everything the graph names "
            f"({len(entries)}):</p><ul class='cols' id='all'>{items}</ul>{script}")
    return layout("Search", body, links, editor=False)


def answer_table(variables: list[str], rows: list[list[Term | None]], hidden: set[str],
                 renderer: Renderer) -> tuple[list[str], list[list[str]]]:
    """Header and cell HTML of a SELECT answer: IRIs of the graph link to their pages.

    As in the text table, ``?x`` with a ``?xLabel`` column shows the label (now as the text
    of the link to ``?x``); the query's parameters are hidden.
    """
    from kg.query.run import humanise

    label_of = {v[: -len("Label")]: i for i, v in enumerate(variables)
                if v.endswith("Label") and v[: -len("Label")] in variables}
    shown = [i for i, v in enumerate(variables) if i not in label_of.values() and v not in hidden]
    header = [humanise(variables[i].removesuffix("Label") or variables[i]) for i in shown]
    body = []
    for row in rows:
        cells = []
        for i in shown:
            term = row[i]
            label_index = label_of.get(variables[i])
            label = row[label_index] if label_index is not None else None
            if isinstance(term, ox.NamedNode) and label is not None:
                cells.append(renderer.iri(term.value, label.value))
            elif label is not None:
                cells.append(renderer.term(label))
            else:
                cells.append(renderer.term(term))
        body.append(cells)
    return header, body


@dataclass(frozen=True)
class Pages:
    """Where one page of a paged answer (``#+ pagination``) stands: its number (from 1), its
    size, and the hrefs of the pages before and after it (None at either end)."""

    number: int
    size: int
    previous: str | None = None
    next: str | None = None
    first: str | None = None

    def html(self) -> str:
        parts = []
        if self.previous:
            parts.append(f"<a rel='prev' href='{escape(self.previous)}'>← previous page</a>")
        parts.append(f"page {self.number} ({self.size} rows a page)")
        if self.next:
            parts.append(f"<a rel='next' href='{escape(self.next)}'>next page →</a>")
        return "<p class='pages note'>" + " · ".join(parts) + "</p>"


def answer_page(query, values: dict[str, str], variables: list[str],
                rows: list[list[Term | None]] | None, boolean: bool | None,
                truncated: str | None, renderer: Renderer, editor: bool = True,
                data_links: Iterable[tuple[str, str]] = (), pages: Pages | None = None
                ) -> bytes:
    """One prebuilt query's answer; ``data_links`` are (name, href) of its machine forms;
    ``pages`` (a paged query) links the pages before and after this one."""
    form = ""
    if query.parameters:
        inputs = "".join(
            f"<label>{escape(p.name)} <input name='{escape(p.name)}' "
            f"value='{escape(values.get(p.name, p.default or ''), quote=True)}'></label> "
            for p in query.parameters)
        form = f"<form class='params' method='get'>{inputs}<button>Run</button></form>"
    if boolean is not None:
        table, count = f"<p><b>{'yes' if boolean else 'no'}</b></p>", 1
    else:
        header, cells = answer_table(variables, rows or [], {p.variable for p in query.parameters},
                                     renderer)
        count = len(cells)
        table = ("<table class='answer'><thead><tr>" + "".join(f"<th>{escape(h)}</th>"
                                                               for h in header)
                 + "</tr></thead><tbody>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row)
                                                    + "</tr>" for row in cells)
                 + "</tbody></table>") if cells else "<p>No rows.</p>"
    data_links = list(data_links)
    if boolean is None and rows and getattr(query, "view", "table") != "table":
        table = _with_view(query, values, variables, rows, renderer, data_links, table)
    cut = (f"<p class='error'>The answer was cut at {escape(truncated)} rows.</p>"
           if truncated else "")
    machine = " · ".join(f"<a href='{escape(href)}'>{escape(name)}</a>"
                         for name, href in data_links)
    rows_note = f"{count} row{'' if count == 1 else 's'}"
    body = (f"<h1>{escape(query.summary or query.name)}</h1>"
            + (f"<p class='lead'>{escape(query.description)}</p>" if query.description else "")
            + form + f"<p class='note'>{rows_note} · {machine}</p>" + cut
            + (pages.html() if pages else "") + table + (pages.html() if pages else "")
            + f"<h2>SPARQL</h2><pre id='sparql'>{escape(query.text)}</pre>")
    return layout(query.summary or query.name, body, renderer.links, editor=editor)


def _with_view(query, values: dict[str, str], variables: list[str], rows, renderer: Renderer,
               data_links: list[tuple[str, str]], table: str) -> str:
    """The table and the query's ``#+ view:`` drawn from the same answer (kg.publish.figures)."""
    from kg.publish.figures.svg import FigureLinks
    from kg.publish.figures.switch import views
    from kg.query import Answer

    page = renderer.links(f"/queries/{query.name}")
    params = ("?" + urlencode(values)) if values and not renderer.links.static else ""
    csv = dict(data_links).get("CSV", page + ".csv")
    links = FigureLinks(query=f"{page}{params}#sparql", table=f"{page}{params}", csv=csv)
    return views(query, Answer("select", variables, rows), renderer.compactor, links, table)


def data_links(name: str, values: dict[str, str], links: Links, static: bool
               ) -> list[tuple[str, str]]:
    """The .json and .csv forms of an answer page, keeping the page's parameters."""
    query = ("?" + urlencode(values)) if values and not static else ""
    return [(label, links(f"/queries/{name}.{ext}") + query) for ext, label in
            (("json", "JSON"), ("csv", "CSV"))]


def catalog_page(queries, links: Links, editor: bool = True) -> bytes:
    rows = "".join(
        f"<tr><td><a href='{escape(links('/queries/' + q.name))}'>{escape(q.name)}</a></td>"
        f"<td>{escape(q.summary)}</td><td>{escape(', '.join(q.tags))}</td>"
        f"<td>{escape('; '.join(p.describe() for p in q.parameters))}</td></tr>"
        for q in queries)
    machine = "" if links.static else (" (<a href='/queries.json'>this list as JSON</a>)")
    body = (f"<h1>Prebuilt queries</h1><p class='note'>{len(queries)} questions; each page "
            "shows the current answer, and <code>.json</code> or <code>.csv</code> after the "
            f"name gives it to programs{machine}.</p>"
            "<table><thead><tr><th>name</th><th>question</th><th>tags</th><th>parameters</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
    return layout("Prebuilt queries", body, links, editor=editor)


def error_page(status: int, message: str, links: Links, editor: bool = True) -> bytes:
    return layout(f"Error {status}", f"<h1>Error {status}</h1><p class='error'>"
                  f"{escape(message)}</p><p class='note'>kg {__version__}</p>", links,
                  editor=editor)


def json_script(data: object) -> str:
    """JSON safe to embed in a <script> element."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


__all__ = ["EVIDENCE", "LABELS", "Pages", "Renderer", "answer_page", "answer_table", "catalog_page",
           "data_links", "entity_page", "error_page", "json_script", "layout", "not_found",
           "search_page", "static_search_page"]
