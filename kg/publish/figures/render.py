"""A catalog query's answer drawn as its ``#+ view:``: one SVG document, with its frame."""

from __future__ import annotations

from kg.errors import QueryError
from kg.publish.figures import bars, graph, matrix, regions, timeline
from kg.publish.figures.svg import FigureLinks, frame, serialise
from kg.publish.figures.table import rows_of
from kg.query import Answer, StoredQuery
from kg.terms import Compactor

FOCUS_INK = "#111111"

DRAWERS = {"bar": bars.draw, "timeline": timeline.draw, "graph": graph.draw,
           "map": regions.draw, "matrix": matrix.draw}


def links_for(name: str, base: str = "/queries/") -> FigureLinks:
    """Where a served figure points: the query page, its CSV, and the SPARQL on the page."""
    return FigureLinks(query=f"{base}{name}#sparql", table=f"{base}{name}", csv=f"{base}{name}.csv")


def draw_figure(query: StoredQuery, answer: Answer, compactor: Compactor,
                links: FigureLinks | None = None, view: str | None = None, focus: str = "",
                title: str | None = None, caption: str | None = None) -> str:
    """The SVG of ``answer`` drawn as ``view`` (default: the query's own ``#+ view:``), with
    the node or mark of the IRI ``focus`` outlined (an entity's page shows its part)."""
    kind = view or query.view
    if kind not in DRAWERS:
        raise QueryError(f"query {query.name} has no figure view (its view is {kind!r}; "
                         f"figures are {', '.join(DRAWERS)})")
    if answer.kind != "select":
        raise QueryError(f"query {query.name}: only SELECT answers can be drawn")
    if not answer.rows:
        raise QueryError(f"query {query.name}: the answer has no rows to draw")
    rows = rows_of(query, answer, compactor)
    if focus:
        rows.options.setdefault("centre", focus)
    try:
        drawn = DRAWERS[kind](rows)
    except ValueError as error:
        raise QueryError(f"query {query.name} cannot be drawn as a {kind}: {error}") from None
    if focus:
        outline(drawn.body, focus)
    caption = (query.description or "") if caption is None else caption
    svg = frame(query.name, title or query.summary or query.name, caption, drawn.body, drawn.size,
                drawn.legends, links or links_for(query.name), drawn.alt, len(answer.rows))
    return serialise(svg)


def outline(body, iri: str) -> None:
    """Pick out the nodes and marks of ``iri``: a dark, thick outline and the class ``focus``."""
    for group in body.iter("g"):
        classes = set(group.get("class", "").split())
        if group.get("data-iri") != iri or not {"node", "mark"} & classes:
            continue
        group.set("class", group.get("class", "") + " focus")
        for shape in group:
            if shape.tag in ("circle", "rect"):
                shape.set("stroke", FOCUS_INK)
                shape.set("stroke-width", "3.5")
                shape.attrib.pop("stroke-dasharray", None)
