"""Where the curated sources live, and a content fingerprint that says when they changed.

A *project* is a directory holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/``.
It is found, in order: ``--project``/``KG_PROJECT``; the nearest directory at or above the
working directory that has all four folders (a source checkout, so curators' edits count);
the copy bundled inside the installed package (``kg/_project``).
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

from kg import __version__
from kg.errors import InputError

PARTS = ("ontology", "shapes", "data", "queries")
#: Folders whose Turtle files make up the graph (shapes are read by validation).
GRAPH_PARTS = ("ontology", "data")
#: Folders whose Turtle files a build depends on (its fingerprint covers them).
SOURCE_PARTS = ("ontology", "shapes", "data")
SOURCE_SUFFIX = ".ttl"


# Records as namedtuples, not dataclasses: a cold `kg query` must not import
# ``dataclasses`` (tests/test_cold_query.py).
class SourceFile(namedtuple("SourceFile", ("path", "relpath", "part"))):
    """One Turtle source (``path``), identified by its path relative to the project
    (``relpath``, with ``/``), in a part (``ontology``, ``shapes``, ``data``)."""

    __slots__ = ()


class Project(namedtuple("Project", ("root", "bundled"), defaults=(False,))):
    """A project checkout at ``root`` (``bundled``: the copy installed inside the package)."""

    __slots__ = ()

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def sources(self, parts: tuple[str, ...] = SOURCE_PARTS) -> list[SourceFile]:
        """Every ``.ttl`` file under ``parts``, in a stable order."""
        found = []
        for part in parts:
            relpaths = sorted((relpath for relpath, _entry in self.walk(part)),
                              key=lambda r: r.split("/"))
            found += [SourceFile(self.root / relpath, relpath, part) for relpath in relpaths]
        return found

    def walk(self, part: str) -> Iterator[tuple[str, os.DirEntry]]:
        """``(relpath, entry)`` for every ``.ttl`` file under ``part``, hidden ones skipped.

        ``os.scandir``, not ``Path.rglob``: on 14,000 files it is several times faster, its
        entries carry their stat, and every `kg query` walks the sources to check freshness.
        """
        todo = [(self.root / part, f"{part}/")]
        while todo:
            directory, relative = todo.pop()
            try:
                entries = list(os.scandir(directory))
            except FileNotFoundError:
                continue  # a project without this folder has no sources in it
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    todo.append((entry.path, f"{relative}{entry.name}/"))
                elif entry.name.endswith(SOURCE_SUFFIX) and entry.is_file():
                    yield relative + entry.name, entry

    def default_store(self) -> Path:
        """``.kg/store`` in a checkout; a per-user cache for the bundled copy (may be read-only)."""
        if not self.bundled:
            return self.root / ".kg" / "store"
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "kg" / f"store-{__version__}"

    def describe(self) -> str:
        return f"bundled with kg {__version__}" if self.bundled else str(self.root)


def is_project_dir(path: Path) -> bool:
    return all((path / part).is_dir() for part in PARTS)


def bundled_root() -> Path | None:
    """The sources shipped in the wheel, or the checkout an editable install points at."""
    package = Path(__file__).resolve().parent.parent  # kg/
    for candidate in (package / "_project", package.parent):
        if is_project_dir(candidate):
            return candidate
    return None


def find_project(explicit: str | os.PathLike[str] | None = None) -> Project:
    """Resolve the project directory (see the module docstring for the order)."""
    explicit = explicit or os.environ.get("KG_PROJECT") or None
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not is_project_dir(root):
            missing = ", ".join(p + "/" for p in PARTS if not (root / p).is_dir())
            raise InputError(f"{root} is not a kg project: it has no {missing}")
        return Project(root)
    here = Path.cwd().resolve()
    for directory in (here, *here.parents):
        if is_project_dir(directory):
            return Project(directory)
    root = bundled_root()
    if root is None:
        raise InputError(
            "No kg project found: run inside a checkout, or pass --project DIR (or KG_PROJECT)."
        )
    return Project(root, bundled=root.name == "_project")


class FileState(namedtuple("FileState", ("relpath", "sha256", "size", "mtime_ns"))):
    """What the fingerprint remembers of a file: its content hash, plus stat to skip rehashing."""

    __slots__ = ()

    def to_json(self) -> dict:
        return {"path": self.relpath, "sha256": self.sha256, "size": self.size,
                "mtime_ns": self.mtime_ns}

    @classmethod
    def from_json(cls, data: dict) -> FileState:
        return cls(data["path"], data["sha256"], data["size"], data["mtime_ns"])


def hash_file(path: Path) -> str:
    import hashlib  # not at the top: a fresh store is checked without hashing anything

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_states(sources: list[SourceFile], known: dict[str, FileState] | None = None
                ) -> list[FileState]:
    """Hash each source, reusing a known hash when size and mtime are unchanged.

    A touched but unchanged file is rehashed and compares equal, so it does not make the
    store stale: staleness follows content, timestamps only save work.
    """
    known = known or {}
    states = []
    for source in sources:
        stat = source.path.stat()
        previous = known.get(source.relpath)
        if previous and previous.size == stat.st_size and previous.mtime_ns == stat.st_mtime_ns:
            states.append(previous)
            continue
        states.append(FileState(source.relpath, hash_file(source.path), stat.st_size,
                                stat.st_mtime_ns))
    return states


def fingerprint(states: list[FileState]) -> str:
    """One hash over the kg version and every source's path and content hash."""
    import hashlib

    digest = hashlib.sha256(f"kg {__version__}\n".encode())
    for state in sorted(states, key=lambda s: s.relpath):
        digest.update(f"{state.relpath}\0{state.sha256}\n".encode())
    return digest.hexdigest()
