"""The graph on the web: a page and RDF for every IRI it mints, and a self-describing dataset.

Pure functions over a read-only store: ``dispatch(site, path, params, accept, origin)``
gives (status, content type, headers, body) or None, for `kg serve`; ``write_site`` writes
the same pages as static files, for `kg site`. Descriptions are SPARQL over the store;
HTML is written with the standard library; RDF is serialised by Oxigraph; JSON-LD is
compacted by pyld with the published context (``/context.jsonld``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "Site": "site",
    "Response": "routes",
    "dispatch": "routes",
    "error_html": "routes",
    "write_site": "static",
    "check_links": "static",
    "make_context": "context",
    "compact": "context",
    "CONTEXT_IRI": "context",
    "with_defaults": "dataset",
})
