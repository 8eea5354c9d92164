"""Where each IRI the graph mints is answered: ``https://w3id.org/olckg/id/olmo`` -> ``/id/olmo``.

The same mapping serves `kg serve` (absolute paths) and `kg site` (relative links into a
folder per IRI path, each with ``index.html``), so pages are rendered once for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kg import BASE

ONTOLOGY = BASE + "ontology"
VOCAB = BASE + "vocab/"
IDS = BASE + "id/"
SHAPES = BASE + "shapes"
QUERIES = BASE + "queries/"
#: The RDF forms of a resource page: /id/olmo.ttl, in a static site id/olmo/index.ttl.
RESOURCE_FORMATS = ("ttl", "jsonld", "nt", "rdf")


def local_path(iri: str) -> str | None:
    """The path (with a #fragment for hash IRIs) that answers ``iri``; None if not ours."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):]
    if rest == "":
        return "/"
    for hashed in ("ontology", "shapes"):
        if rest == hashed or rest.startswith(hashed + "/"):  # the ontology's version IRI too
            return "/" + hashed
        if rest.startswith(hashed + "#"):
            return f"/{hashed}#{quote(rest[len(hashed) + 1:], safe='-._~')}"
    for slashed in ("id/", "vocab/", "queries/"):
        if rest.startswith(slashed) and "/" not in rest[len(slashed):] \
                and "#" not in rest[len(slashed):]:
            name = rest[len(slashed):]
            return f"/{slashed}{quote(name, safe='-._~')}" if name else "/" + slashed[:-1]
    if rest in ("context.jsonld",):
        return "/" + rest
    return None


def iri_of(path: str) -> str:
    """The IRI a page path stands for (the inverse of :func:`local_path`)."""
    return BASE + path.lstrip("/")


@dataclass(frozen=True)
class Links:
    """How a page links to another: absolute paths on the server, relative ones in a site.

    ``root`` is "/" on the server; in a static site it is the way up from the page's folder
    ("../../" from ``id/olmo/index.html``), and page paths get a trailing slash (a folder).
    """

    root: str = "/"
    static: bool = False

    def __call__(self, path: str) -> str:
        path, hash_, fragment = path.partition("#")
        if not self.static:
            return path + hash_ + fragment
        inner = path.lstrip("/")
        stem, dot, ext = inner.rpartition(".")
        if inner.startswith((".well-known/", "downloads/")):
            pass  # files, named as they are
        elif dot and ext in RESOURCE_FORMATS and _has_page(stem):  # id/olmo.ttl
            inner = f"{stem}/index.{ext}"
        elif inner and not _is_file(inner) and not inner.endswith("/"):
            inner += "/"
        return (self.root + inner or "./") + hash_ + fragment

    def iri(self, iri: str) -> str | None:
        path = local_path(iri)
        return None if path is None else self(path)

    def search(self) -> str:
        return self("/search")


def _has_page(stem: str) -> bool:
    return stem in ("ontology", "shapes") or (stem.startswith(("id/", "vocab/"))
                                              and stem.count("/") == 1)


def _is_file(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return "." in last and not last.startswith(".")


def links_for(page_path: str) -> Links:
    """The static-site links of the page that lives at ``page_path`` (a folder or a file)."""
    inner = page_path.strip("/")
    depth = 0 if not inner else inner.count("/") + (0 if _is_file(inner) else 1)
    return Links(root="../" * depth or "./", static=True)
