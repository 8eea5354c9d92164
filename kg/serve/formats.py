"""Content negotiation: which serialisation a client gets, from Accept or a format parameter."""

from __future__ import annotations

import pyoxigraph as ox

#: name -> (media type, Oxigraph format), for SELECT and ASK answers.
RESULTS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
#: name -> (media type, Oxigraph format), for CONSTRUCT and DESCRIBE answers.
GRAPHS = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
#: Other names clients send for the same formats.
ALIASES = {
    "application/json": "json", "text/xml": "xml", "application/xml": "xml",
    "text/plain": "ntriples", "application/x-turtle": "turtle", "ttl": "turtle",
    "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml",
    "rdf/xml": "rdfxml", "text/tsv": "tsv",
}


class NotAcceptable(Exception):
    """No format the client accepts can carry this kind of answer."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges by preference (q-values, then order). An empty header accepts anything."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((quality, -position, media))
    ranges.sort(reverse=True)
    return [(media, quality) for quality, _, media in ranges if quality > 0]


def choose(kind: str, accept: str | None, format_name: str | None) -> str:
    """The format name for an answer of ``kind`` ("results" or "graph")."""
    table = RESULTS if kind == "results" else GRAPHS
    default = "json" if kind == "results" else "turtle"
    if format_name:
        name = format_name.strip().lower()
        name = ALIASES.get(name, name)
        for key, (media, _) in table.items():
            if name in (key, media):
                return key
        raise NotAcceptable(f"format={format_name} cannot carry this answer; "
                            f"use one of {', '.join(table)}")
    by_media = {media: key for key, (media, _) in table.items()}
    for media, _quality in parse_accept(accept):
        media = ALIASES.get(media, media)
        if media in table:
            return media
        if media in by_media:
            return by_media[media]
        if media == "*/*":
            return default
        if media.endswith("/*"):  # text/*: the default if it fits, else the first that does
            fitting = [key for key, (offered, _) in table.items()
                       if offered.startswith(media[:-1])]
            if fitting:
                return default if default in fitting else fitting[0]
    offered = ", ".join(media for media, _ in table.values())
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry this answer; "
                        f"this endpoint offers {offered}")
