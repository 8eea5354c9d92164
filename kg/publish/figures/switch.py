"""The view switch of a query page: the table and the query's ``#+ view:`` of the same
answer, one click apart (radio buttons and CSS, so it works without script), with the figure
downloadable as SVG and PNG and its data as CSV."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from kg.errors import QueryError
from kg.publish.figures.render import draw_figure
from kg.publish.figures.svg import FigureLinks
from kg.query import Answer, StoredQuery
from kg.terms import Compactor

STYLE = """<style>
.views > input { position: absolute; opacity: 0; }
.views > label { display: inline-block; padding: .35rem .9rem; border: 1px solid #ccc;
  border-bottom: none; border-radius: 6px 6px 0 0; cursor: pointer; background: #eef2f6; }
.views > input:checked + label { background: #fff; font-weight: bold; }
.views > input:focus-visible + label { outline: 2px solid #24476b; }
.views .pane { display: none; border-top: 1px solid #ccc; padding-top: .8rem; }
#view-table:checked ~ .pane-table, #view-figure:checked ~ .pane-figure { display: block; }
.pane-figure svg { max-width: 100%; height: auto; }
.downloads a, .downloads button { margin-right: .8rem; }
</style>"""

#: Turns an SVG element into a PNG download in the browser (no server round trip, no
#: library); the query pages and the SPARQL editor both call it.
PNG_FUNCTION = """function kgSvgToPng(svg, filename) {
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = image.width * 2; canvas.height = image.height * 2;
    const context = canvas.getContext("2d");
    context.scale(2, 2); context.drawImage(image, 0, 0);
    canvas.toBlob(blob => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      link.click();
    });
  };
  image.src = "data:image/svg+xml;charset=utf-8," +
    encodeURIComponent(new XMLSerializer().serializeToString(svg));
}"""

PNG_SCRIPT = f"""<script>
{PNG_FUNCTION}
document.getElementById("download-png").addEventListener("click", () => {{
  const svg = document.querySelector(".pane-figure svg");
  kgSvgToPng(svg, svg.dataset.query + ".png");
}});
</script>"""


def views(query: StoredQuery, answer: Answer, compactor: Compactor, links: FigureLinks,
          table: str) -> str:
    """``table`` (the page's HTML table) and the figure, behind a two-way switch."""
    name = escape(query.name)
    try:
        svg = draw_figure(query, answer, compactor, links)
    except QueryError as error:
        figure = f"<p class='note'>This answer cannot be drawn: {escape(error.message)}</p>"
    else:
        figure = (f"<div class='figure'>{svg}</div><p class='downloads'>Download: "
                  f"<a download='{name}.svg' href='data:image/svg+xml;charset=utf-8,"
                  f"{quote(svg)}'>SVG</a><button type='button' id='download-png'>PNG</button>"
                  f"<a href='{escape(links.csv)}'>the data (CSV)</a></p>{PNG_SCRIPT}")
    view = escape(query.view)
    return (f"{STYLE}<div class='views'>"
            "<input type='radio' name='view' id='view-table' checked>"
            "<label for='view-table'>Table</label>"
            "<input type='radio' name='view' id='view-figure'>"
            f"<label for='view-figure' data-view='{view}'>{view.capitalize()}</label>"
            f"<div class='pane pane-table'>{table}</div>"
            f"<div class='pane pane-figure'>{figure}</div></div>")
