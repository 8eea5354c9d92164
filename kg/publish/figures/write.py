"""``kg figures``: every figure of the catalog as SVG, PNG and CSV, with a gallery page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyoxigraph as ox

from kg.publish.figures.png import screenshot
from kg.publish.figures.render import DRAWERS, draw_figure
from kg.publish.figures.svg import FigureLinks
from kg.query import Catalog, StoredQuery, execute, materialise
from kg.terms import Compactor

#: The tag that puts a catalog query in the gallery.
FIGURE_TAG = "figure"


@dataclass
class Written:
    name: str
    files: list[Path]
    rows: int


def figure_queries(catalog: Catalog) -> list[StoredQuery]:
    """The catalog's figures: queries tagged ``figure`` with a drawable ``#+ view:``."""
    return [q for q in catalog.all() if FIGURE_TAG in q.tags and q.view in DRAWERS]


def write_figures(store: ox.Store, catalog: Catalog, compactor: Compactor, out: Path,
                  png: bool = True, scale: float = 1.0,
                  notify: Callable[[str], None] = lambda _: None) -> list[Written]:
    """For each figure NAME: NAME.svg, NAME.png (unless ``png`` is off or no browser is
    found: then ``notify`` says so), NAME.csv (the answer, SPARQL CSV) and NAME.rq."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for query in figure_queries(catalog):
        answer = materialise(execute(store, query, {}, compactor.prefixes))
        csv = execute(store, query, {}, compactor.prefixes).serialize(
            format=ox.QueryResultsFormat.CSV) or b""
        links = FigureLinks(query=f"{query.name}.rq", table=f"{query.name}.csv",
                      csv=f"{query.name}.csv")
        svg = draw_figure(query, answer, compactor, links)
        files = [out / f"{query.name}.{ext}" for ext in ("svg", "csv", "rq")]
        files[0].write_text(svg, encoding="utf-8")
        files[1].write_bytes(csv)
        files[2].write_text(query.text, encoding="utf-8")
        if png:
            width, height = (int(v) for v in re.search(
                r'width="(\d+)"[^>]*height="(\d+)"', svg).groups())
            target = out / f"{query.name}.png"
            if screenshot(files[0], target, width, height, scale):
                files.append(target)
            else:
                notify("no PNG: headless Chromium was not found or failed (install chromium, "
                       "or set KG_CHROMIUM); the SVG is written")
                png = False
        written.append(Written(query.name, files, len(answer.rows)))
    (out / "index.html").write_text(_gallery(catalog, written), encoding="utf-8")
    return written


def _gallery(catalog: Catalog, written: list[Written]) -> str:
    items = []
    for figure in written:
        query = catalog.get(figure.name)
        items.append(
            f"<figure id='{escape(figure.name)}'><img src='{escape(figure.name)}.svg' "
            f"alt='{escape(query.summary)}'><figcaption>{escape(query.summary)} · "
            f"<a href='{escape(figure.name)}.csv'>data (CSV, {figure.rows} rows)</a> · "
            f"<a href='{escape(figure.name)}.rq'>query</a></figcaption></figure>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Figures: the Open LLM Collaboration Knowledge Graph</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}"
            "img{max-width:100%;border:1px solid #ddd}figure{margin:0 0 3rem}</style>"
            "</head><body><h1>Figures</h1><p>Each figure is the answer of a catalog query, "
            "drawn from the graph.</p>" + "".join(items) + "</body></html>\n")
