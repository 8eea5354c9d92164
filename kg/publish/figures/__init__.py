"""Figures: catalog queries' answers drawn as SVG, server-side, without script.

Each figure is the answer of one catalog query with a ``#+ view:`` decorator (bar, timeline,
graph, map), so it is always current and its data is that query's table. ``draw_figure``
draws one answer; ``write_figures`` writes every figure of the catalog (the queries tagged
``figure``) as SVG, PNG and CSV. Views read their columns by convention (see ``table``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "draw_figure": "render",
    "links_for": "render",
    "DRAWERS": "render",
    "FigureLinks": "svg",
    "write_figures": "write",
    "figure_queries": "write",
    "screenshot": "png",
    "FIGURE_TAG": "write",
})
