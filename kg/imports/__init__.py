"""Imports: the public openness catalogues as generated Turtle under ``data/external/``.

Takes a checkout of a catalogue (the European Open Source AI Index, one YAML file per system;
the LF AI & Data Model Openness Tool, one YAML file per model release), the project
(``kg.sources``) and its reviewed matches (``data/external/matches.ttl``); gives one Turtle
file per record, each record an ``olc:OpennessAssessment`` attributed to its catalogue, written
as a whole, validated (``kg.store``) and swapped in, unchanged files left untouched
(``import_catalogue``), and match candidates for a curator to review (``suggest``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "CATALOGUES": "catalogues",
    "Catalogue": "catalogues",
    "import_catalogue": "run",
    "ImportResult": "run",
    "read_records": "run",
    "suggest": "matches",
})
