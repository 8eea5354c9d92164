"""Validate: the parsed graph checked against the SHACL shapes, reported for curators.

Takes parsed sources and shapes (``kg.sources``); gives a ``ValidationReport`` of results in a
curator's words (file, focus node, path, value, message) and its text, JSON and Turtle forms.
``validate`` is the one entry point: Oxigraph runs the SHACL Core constraints
(``core_sparql``) and the SPARQL-based ones (``sparql_constraints``), each once for all focus
nodes. Shapes those do not cover (or ``KG_VALIDATOR=pyshacl``) go to pySHACL (with its fast
paths, ``pyshacl_run``), with large graphs checked in parts in parallel processes with a
per-part cache (``partitions``, ``parts``). rdflib holds the shapes and the report, and the
data only where pySHACL needs it (``rdflib_bridge``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "validate": "core",
    "ValidationReport": "report",
    "ValidationResult": "report",
    "format_text": "report",
    "format_json": "report",
    "format_turtle": "report",
    "summary": "report",
    "to_rdflib": "rdflib_bridge",
})
