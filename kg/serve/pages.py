"""The HTML pages of `kg serve`: the SPARQL editor, the query catalog, one query's answer."""

from __future__ import annotations

import json
from html import escape

from kg import __version__
from kg.query import StoredQuery

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { background: #24476b; color: #fff; padding: 0.6rem 1.2rem; }
header a { color: #fff; margin-right: 1.2rem; text-decoration: none; }
main { padding: 1rem 1.2rem; max-width: 80rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; }
.note { color: #555; }
.error { color: #a00; }
#examples { max-height: 12rem; overflow-y: auto; margin-bottom: 0.6rem; font-size: 0.9rem; }
#examples button { margin: 0.1rem; cursor: pointer; }
"""


def _page(title: str, body: str, head: str = "") -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style>{head}</head>
<body><header><strong>Open LLM Collaboration KG</strong> &nbsp;
<a href="/">SPARQL editor</a><a href="/queries">Prebuilt queries</a>
<a href="/sparql">Service description</a></header>
<main>{body}</main></body></html>""".encode()


def editor(queries: list[StoredQuery], has_assets: bool) -> bytes:
    """YASGUI wired to /sparql, with every prebuilt query one click away (by its summary)."""
    examples = [{"name": q.name, "summary": q.summary, "query": q.text} for q in queries]
    data = json.dumps(examples).replace("</", "<\\/")
    buttons = "".join(
        f'<button type="button" data-name="{escape(q.name)}" title="{escape(q.name)}">'
        f"{escape(q.summary)}</button>" for q in queries)
    if not has_assets:
        return _page("SPARQL editor", "<p class='error'>The SPARQL editor is not available "
                     "(the `oxigraph` command was not found). POST queries to /sparql.</p>")
    head = ('<link href="/static/yasgui.min.css" rel="stylesheet">'
            '<script src="/static/yasgui.min.js"></script>')
    body = f"""
<p class="note">Ask the graph in SPARQL, or start from a prebuilt question:</p>
<div id="examples">{buttons}</div>
<div id="yasgui"></div>
<script id="catalog" type="application/json">{data}</script>
<script>
  const catalog = JSON.parse(document.getElementById("catalog").textContent);
  const endpoint = new URL("/sparql", window.location.href).href;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {{ getData: () => [{{ endpoint: endpoint }}], keys: [] }},
  }});
  for (const button of document.querySelectorAll("#examples button")) {{
    button.addEventListener("click", () => {{
      const example = catalog.find(q => q.name === button.dataset.name);
      const tab = yasgui.getTab();
      tab.setQuery(example.query);
      tab.query();
    }});
  }}
</script>"""
    return _page("SPARQL editor", body, head)


def catalog(queries: list[StoredQuery]) -> bytes:
    rows = "".join(
        f"<tr><td><a href='/queries/{escape(q.name)}'>{escape(q.name)}</a></td>"
        f"<td>{escape(q.summary)}</td><td>{escape(', '.join(q.tags))}</td>"
        f"<td>{escape('; '.join(p.describe() for p in q.parameters))}</td></tr>"
        for q in queries)
    body = (f"<h1>Prebuilt queries</h1><p class='note'>{len(queries)} questions; each page "
            "shows the answer, and <code>.json</code> or <code>.csv</code> after the name "
            "gives it to programs (<a href='/queries.json'>this list as JSON</a>).</p>"
            "<table><tr><th>name</th><th>question</th><th>tags</th><th>parameters</th></tr>"
            f"{rows}</table>")
    return _page("Prebuilt queries", body)


def answer(query: StoredQuery, values: dict[str, str], header: list[str],
           rows: list[list[str]], truncated: str | None) -> bytes:
    form = ""
    if query.parameters:
        inputs = "".join(
            f"<label>{escape(p.name)} <input name='{escape(p.name)}' "
            f"value='{escape(values.get(p.name, p.default or ''), quote=True)}'></label> "
            for p in query.parameters)
        form = f"<form method='get'>{inputs}<button>Run</button></form>"
    table = ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"
             + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows) + "</table>") if rows else "<p>No rows.</p>"
    cut = (f"<p class='error'>The answer was cut at {escape(truncated)} rows.</p>"
           if truncated else "")
    links = (f"<a href='/queries/{escape(query.name)}.json'>JSON</a> · "
             f"<a href='/queries/{escape(query.name)}.csv'>CSV</a>")
    body = (f"<h1>{escape(query.summary)}</h1>"
            + (f"<p>{escape(query.description)}</p>" if query.description else "")
            + form + f"<p class='note'>{len(rows)} rows · {links}</p>" + cut + table
            + f"<h2>SPARQL</h2><pre>{escape(query.text)}</pre>")
    return _page(query.summary, body)


def sparql_answer(text: str, header: list[str], rows: list[list[str]],
                  truncated: str | None) -> bytes:
    """The answer to a query sent from a browser's address bar (Accept: text/html)."""
    table = ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"
             + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows) + "</table>") if rows else "<p>No rows.</p>"
    cut = (f"<p class='error'>The answer was cut at {escape(truncated)} rows.</p>"
           if truncated else "")
    body = (f"<h1>Answer</h1><p class='note'>{len(rows)} rows · ask for "
            "<code>application/sparql-results+json</code> (or add <code>format=json</code>) "
            "to get the data</p>" + cut + table
            + f"<h2>SPARQL</h2><pre>{escape(text)}</pre>")
    return _page("SPARQL answer", body)


def error(status: int, message: str) -> bytes:
    return _page(f"Error {status}", f"<h1>Error {status}</h1><p class='error'>"
                 f"{escape(message)}</p><p class='note'>kg {__version__}</p>")
