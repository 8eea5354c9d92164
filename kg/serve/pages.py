"""The HTML pages of `kg serve`: the SPARQL editor, the query catalog, one query's answer."""

from __future__ import annotations

import json
from html import escape

from kg.publish.web.iris import Links
from kg.publish.web.render import catalog_page, error_page, layout
from kg.query import StoredQuery

EDITOR_STYLE = """
<style>
#examples { max-height: 12rem; overflow-y: auto; margin-bottom: 0.6rem; font-size: 0.9rem; }
#examples button { margin: 0.1rem; cursor: pointer; }
#params { font-size: .9rem; }
#views { margin: .6rem 0; }
#views button { padding: .3rem .8rem; border: 1px solid #ccc; border-radius: 6px;
  background: #eef2f6; cursor: pointer; font: inherit; }
#views button[aria-pressed=true] { background: #fff; font-weight: bold; border-color: #24476b; }
#figure-pane svg { max-width: 100%; height: auto; }
#figure-pane .downloads a, #figure-pane .downloads button { margin-right: .8rem; }
</style>"""


def _page(title: str, body: str, head: str = "") -> bytes:
    """Every page of the server in the layout of the entity pages (with their search box)."""
    return layout(title, body, Links(), head)


def editor(examples: list[dict], has_assets: bool) -> bytes:
    """YASGUI wired to /sparql, with every prebuilt query one click away (by its summary).

    ``examples`` come from ``Site.editor_examples``: a query that takes parameters opens with
    its defaults bound in a VALUES block, and the page names the parameters it takes.
    """
    from kg.publish.figures.render import DRAWERS
    from kg.publish.figures.switch import PNG_FUNCTION

    data = json.dumps(examples).replace("</", "<\\/")
    png_function = PNG_FUNCTION.replace("\n", "\n  ")
    view_buttons = "".join(
        f'<button type="button" data-view="{v}" aria-pressed="{str(v == "table").lower()}">'
        f"{v.capitalize()}</button>" for v in ("table", *DRAWERS))
    buttons = "".join(
        f'<button type="button" data-name="{escape(q["name"])}" title="{escape(q["name"])}">'
        f"{escape(q['summary'])}</button>" for q in examples)
    if not has_assets:
        return _page("SPARQL editor", "<p class='error'>The SPARQL editor is not available "
                     "(the `oxigraph` command was not found). POST queries to /sparql.</p>")
    head = ('<link href="/static/yasgui.min.css" rel="stylesheet">'
            '<script src="/static/yasgui.min.js"></script>' + EDITOR_STYLE)
    body = f"""
<p class="note">Ask the graph in SPARQL, or start from a prebuilt question:</p>
<div id="examples">{buttons}</div>
<p id="params" class="note" hidden></p>
<div id="yasgui"></div>
<div id="views" role="group" aria-label="Show the answer as" hidden>
  <span class="note">Show the answer as:</span>
  {view_buttons}
  <p id="view-note" class="note" hidden></p>
  <div id="figure-pane" hidden></div>
</div>
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
      const params = document.getElementById("params");
      params.hidden = example.parameters.length === 0;
      params.textContent = "This query takes parameters: " + example.parameters.join("; ") +
        ". Their defaults are bound in the VALUES line at the top of its WHERE clause; " +
        "edit them to ask about something else.";
      chosen = {{ name: example.name, query: example.query, view: example.view }};
      tab.setQuery(example.query);
      tab.query();
    }});
  }}

  {png_function}
  // The view switch: the answer YASR shows, drawn by the server as a figure (POST /figure).
  let chosen = null;
  let answer = null;
  const views = document.getElementById("views");
  const pane = document.getElementById("figure-pane");
  const note = document.getElementById("view-note");
  function press(view) {{
    for (const b of views.querySelectorAll("button[data-view]"))
      b.setAttribute("aria-pressed", String(b.dataset.view === view));
  }}
  async function show(view) {{
    press(view);
    const yasr = document.querySelector(".yasr");
    note.hidden = true;
    if (view === "table" || !answer) {{
      pane.hidden = true;
      if (yasr) yasr.hidden = false;
      return;
    }}
    const url = new URL("/figure", window.location.href);
    url.searchParams.set("view", view);
    if (chosen && chosen.query === answer.query) url.searchParams.set("query", chosen.name);
    const reply = await fetch(url, {{ method: "POST", body: answer.text,
      headers: {{ "Content-Type": "application/sparql-results+json",
                 "Accept": "image/svg+xml, text/plain" }} }});
    if (!reply.ok) {{
      note.textContent = "This answer cannot be drawn as a " + view + ": " + (await reply.text());
      note.hidden = false;
      pane.hidden = true;
      if (yasr) yasr.hidden = false;
      return;
    }}
    const svg = await reply.text();
    pane.innerHTML = svg + '<p class="downloads">Download: <a download="answer.svg" href="' +
      URL.createObjectURL(new Blob([svg], {{ type: "image/svg+xml" }})) + '">SVG</a>' +
      '<button type="button" id="editor-png">PNG</button></p>';
    document.getElementById("editor-png").addEventListener(
      "click", () => kgSvgToPng(pane.querySelector("svg"), "answer.png"));
    pane.hidden = false;
    if (yasr) yasr.hidden = true;
  }}
  for (const button of views.querySelectorAll("button[data-view]"))
    button.addEventListener("click", () => show(button.dataset.view));
  yasgui.on("queryResponse", (_yasgui, tab) => setTimeout(() => {{
    const results = tab.getYasr().results;
    const text = results ? results.getOriginalResponseAsString() : "";
    const isSelect = results && !results.hasError() && results.getType() === "json";
    answer = isSelect ? {{ text: text, query: tab.getQuery() }} : null;
    views.hidden = !answer;
    const preferred = chosen && answer && chosen.query === answer.query ? chosen.view : "table";
    show(preferred);
  }}, 0));
</script>"""
    return _page("SPARQL editor", body, head)


def catalog(queries: list[StoredQuery]) -> bytes:
    return catalog_page(queries, Links())


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
    return error_page(status, message, Links())
