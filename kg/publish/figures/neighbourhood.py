"""An entity's place in the figures: the rows of each figure's answer that involve it, drawn
the figure's way, with the entity picked out.

A row involves the entity when one of its IRI cells is the entity (an organisation at either
end of a collaboration link, a release or family in the lineage, the link itself). A timeline
shows the entity's whole lane, so a release is seen among its family's other releases. The
rows drawn are the query's own rows, never new ones: the figure's caption says how many of
the whole answer they are, and links to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import QueryError
from kg.publish.figures.render import draw_figure
from kg.publish.figures.svg import FigureLinks
from kg.query import Answer, StoredQuery
from kg.terms import Compactor

#: Views that can show a part of their answer around one entity. A map or a matrix places
#: every row on fixed axes; their part would say nothing the entity's page does not.
NEIGHBOURHOOD_VIEWS = ("graph", "timeline")


@dataclass
class Neighbourhood:
    query: StoredQuery
    rows: int  # of the figure's answer, drawn here
    total: int  # rows in the whole answer
    svg: str


def involving(query: StoredQuery, answer: Answer, iri: str) -> list[int]:
    """Indexes of the rows that involve ``iri``; for a timeline, every row of its lanes."""
    hits = [i for i, row in enumerate(answer.rows)
            if any(isinstance(t, ox.NamedNode) and t.value == iri for t in row)]
    if not hits or query.view != "timeline":
        return hits
    group = dict(query.view_options).get("group", "groupLabel")
    if group not in answer.variables:
        return hits
    column = answer.variables.index(group)
    lanes = {_value(answer.rows[i][column]) for i in hits}
    return [i for i, row in enumerate(answer.rows) if _value(row[column]) in lanes]


def neighbourhoods(iri: str, label: str, figures: list[tuple[StoredQuery, Answer]],
                   compactor: Compactor, links_of) -> list[Neighbourhood]:
    """The entity's part of each figure that has one. ``links_of(name)`` gives the figure's
    FigureLinks (the whole figure's page, its CSV)."""
    found = []
    for query, answer in figures:
        if query.view not in NEIGHBOURHOOD_VIEWS:
            continue
        picked = involving(query, answer, iri)
        if not picked:
            continue
        part = Answer("select", answer.variables, [answer.rows[i] for i in picked])
        links: FigureLinks = links_of(query.name)
        which = ("in the lane of " if query.view == "timeline" else "that involve ") + label
        rows = "row" if len(picked) == 1 else "rows"
        caption = (f"{len(picked)} of the {len(answer.rows)} {rows} of this figure's answer, "
                   f"those {which}, drawn as the whole figure is, with {label} outlined.")
        try:
            svg = draw_figure(query, part, compactor, links, focus=iri,
                              title=f"{label}: {_lower_first(query.summary or query.name)}",
                              caption=caption)
        except QueryError:
            continue  # a part the view cannot draw (too few columns bound): the page goes on
        found.append(Neighbourhood(query, len(picked), len(answer.rows), svg))
    return found


def _value(term) -> str:
    return "" if term is None else term.value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text

