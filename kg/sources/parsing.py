"""Turtle sources to quads, with Oxigraph: fast, and its errors carry line and column."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import InputError, syntax_error_from_oxigraph
from kg.sources.project import SourceFile


@dataclass
class ParsedSources:
    """The quads of a set of files, plus what later stages need to report on them."""

    quads: list[ox.Quad] = field(default_factory=list)
    triples_per_file: dict[str, int] = field(default_factory=dict)
    #: prefix -> namespace, merged over all files (first declaration wins the file name).
    prefixes: dict[str, str] = field(default_factory=dict)
    prefix_origin: dict[str, str] = field(default_factory=dict)
    #: subject -> the file that first describes it, so reports can name the file to fix.
    subject_file: dict[ox.NamedNode | ox.BlankNode, str] = field(default_factory=dict)
    #: the files parsed, in order
    sources: list[SourceFile] = field(default_factory=list)
    #: file -> the IRIs it describes and the IRIs it points to (for validation in parts).
    links: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)

    def file_of(self, term: ox.NamedNode | ox.BlankNode) -> str | None:
        return self.subject_file.get(term)


def parse_file(source: SourceFile) -> tuple[list[ox.Quad], dict[str, str]]:
    """Parse one Turtle file; blank nodes are renamed so files never share one by accident."""
    with _reading(source):
        parser = ox.parse(path=source.path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        quads = list(parser)
    return quads, dict(parser.prefixes)


def ntriples_of_file(source: SourceFile) -> tuple[bytes, dict[str, str]]:
    """One Turtle file as N-Triples bytes, parsed and written by Oxigraph in one call (no
    Python list of its quads); blank nodes renamed as ``parse_file`` does."""
    with _reading(source):
        parser = ox.parse(path=source.path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        body = ox.serialize(parser, format=ox.RdfFormat.N_TRIPLES) or b""
    return body, dict(parser.prefixes)


@contextmanager
def _reading(source: SourceFile):
    """A file's parse errors as kg's errors: the file, line and column, no traceback."""
    try:
        yield
    except SyntaxError as error:
        raise syntax_error_from_oxigraph(source.relpath, error) from None
    except OSError as error:
        raise InputError(f"{source.relpath}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{source.relpath}: is not UTF-8 ({error.reason})") from None


def parse_sources(sources: list[SourceFile], *, keep_quads: bool = True,
                  track_subjects: bool = True,
                  sink: Callable[[list[ox.Quad]], None] | None = None,
                  per_file: Callable[[SourceFile, list[ox.Quad], dict[str, str]], None]
                  | None = None,
                  progress: Callable[[int], None] | None = None) -> ParsedSources:
    """Parse every file; a prefix bound to two namespaces in two files is an error.

    Prefixes drive the compact names users see (tables, dumps), so a prefix that means one
    thing here and another there is almost always a typo in a namespace IRI.

    A large graph need not be held twice: with ``sink`` each file's quads go straight to it
    (a store loader) and ``keep_quads=False`` drops them afterwards; ``track_subjects=False``
    also skips the subject-to-file map and the links between files, which only validation
    uses. ``per_file`` is given each file with its quads and prefixes (to keep them apart, as
    the state of incremental validation does). ``progress`` is called once per file parsed.
    """
    parsed = ParsedSources()
    for source in sources:
        parsed.sources.append(source)
        quads, prefixes = parse_file(source)
        merge_prefixes(parsed.prefixes, parsed.prefix_origin, source.relpath, prefixes)
        if track_subjects:
            subject_file = parsed.subject_file
            described, mentioned = set(), set()
            for quad in quads:
                subject = quad.subject
                subject_file.setdefault(subject, source.relpath)
                if type(subject) is ox.NamedNode:
                    described.add(subject.value)
                if type(quad.object) is ox.NamedNode:
                    mentioned.add(quad.object.value)
            parsed.links[source.relpath] = (frozenset(described), frozenset(mentioned))
        if sink is not None:
            sink(quads)
        if per_file is not None:
            per_file(source, quads, prefixes)
        if keep_quads:
            parsed.quads.extend(quads)
        parsed.triples_per_file[source.relpath] = len(quads)
        if progress is not None:
            progress(1)
    return parsed


def merge_prefixes(merged: dict[str, str], origin: dict[str, str], relpath: str,
                   prefixes: dict[str, str]) -> None:
    """Add a file's prefixes to ``merged`` (the first declaration wins; ``origin`` remembers
    its file); a prefix bound to another namespace than before is an InputError."""
    for prefix, namespace in prefixes.items():
        known = merged.get(prefix)
        if known is None:
            merged[prefix] = namespace
            origin[prefix] = relpath
        elif known != namespace:
            raise InputError(
                f"{relpath}: prefix {prefix}: is <{namespace}> here but <{known}> in "
                f"{origin[prefix]}; use one namespace per prefix"
            )
