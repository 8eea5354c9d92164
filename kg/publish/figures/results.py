"""Any SELECT answer drawn as a view: the SPARQL editor's results get the view switch that
/queries/NAME has, drawn server-side from the SPARQL JSON results the browser already holds
(so the figure is that answer, not a second run of the query)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import QueryError
from kg.publish.figures.render import DRAWERS, draw_figure, links_for
from kg.publish.figures.svg import FigureLinks
from kg.query import Answer, StoredQuery
from kg.terms import Compactor

#: Larger answers make figures nobody can read (and layouts that take long): say so instead.
MAX_ROWS = 2000
RESULTS_TYPES = ("application/sparql-results+json", "application/json")


def draw_results(body: bytes, view: str, compactor: Compactor,
                 query: StoredQuery | None = None) -> str:
    """The SVG of the answer in ``body`` drawn as ``view``. ``query`` is the catalog query the
    answer came from (its title, caption and view options), when it did."""
    if view not in DRAWERS:
        raise QueryError(f"there is no {view!r} view; the views are {', '.join(DRAWERS)}")
    try:
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        raise QueryError(f"the answer is not SPARQL JSON results: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        raise QueryError("an ASK answer (true or false) has nothing to draw")
    variables = [v.value for v in result.variables]
    rows = []
    for solution in result:
        if len(rows) == MAX_ROWS:
            raise QueryError(f"the answer has over {MAX_ROWS} rows, too many to draw "
                             "readably; add a LIMIT or narrow the query")
        rows.append([solution[i] for i in range(len(variables))])
    if query is None:
        query = StoredQuery("editor", "", summary="The SPARQL editor's answer",
                            description=f"The answer of the query in the editor, drawn as a "
                                        f"{view}.", view=view)
        links = FigureLinks(query="", table="", csv="")
    else:
        links = links_for(query.name)
    try:
        return draw_figure(query, Answer("select", variables, rows), compactor, links, view)
    except RecursionError:  # a derivation chain deeper than a layout can follow
        raise QueryError(f"the answer cannot be drawn as a {view}: its chains are too long"
                         ) from None
