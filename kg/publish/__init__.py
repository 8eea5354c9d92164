"""Publish: the graph as files others can download, cite and read.

Takes a project and its validated build (``kg.store``); gives deterministic dumps in every
RDF format with the parts in named graphs (``dump``), release folders with VoID, checksums
and change reports (``make_release``), and HTML documentation of the ontology, vocabularies
and query catalog (``write_docs``), the coverage page (``coverage_markdown``), the graphs
written to another store through the Graph Store Protocol (``publish``), and figures:
catalog answers drawn as SVG by their ``#+ view:`` (``draw_figure``, ``write_figures``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "dump": "export",
    "DumpSources": "export",
    "write_dump": "export",
    "FORMATS": "export",
    "PARTS": "export",
    "GRAPH_BASE": "export",
    "make_release": "release",
    "publish": "remote",
    "graphs_of": "remote",
    "write_docs": "docs",
    "queries_markdown": "docs",
    "coverage_markdown": "coverage",
    "draw_figure": "figures.render",
    "write_figures": "figures.write",
    "FigureLinks": "figures.svg",
})
