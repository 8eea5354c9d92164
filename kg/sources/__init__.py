"""Sources: where the project's Turtle lives, what changed in it, and parsing it with Oxigraph.

Takes a directory (or finds one); gives a ``Project`` (its ontology, shapes, data and queries
files), content fingerprints of those files, and their quads (``parse_sources``) with syntax
errors as file:line:column. ``new_project`` writes the template of a new project record.
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "Project": "project",
    "SourceFile": "project",
    "FileState": "project",
    "find_project": "project",
    "file_states": "project",
    "fingerprint": "project",
    "hash_file": "project",
    "PARTS": "project",
    "GRAPH_PARTS": "project",
    "SOURCE_PARTS": "project",
    "ParsedSources": "parsing",
    "parse_sources": "parsing",
    "ntriples_of_file": "parsing",
    "new_project": "template",
})
