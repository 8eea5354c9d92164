"""Is the live build still the sources? A check every `kg query` makes, so it must be cheap.

Each build keeps a compact stat index beside its manifest (``stat-index``): the mtime of every
source directory, then the size and mtime of every source file. A check reads that one small
text file (not the manifest, which holds every file's hash: 3 MB at 14,000 files), stats the
directories first (a file added, removed or renamed changes its directory's mtime, so when
they all match the set of files is the built one and no directory is listed), then stats
each indexed file by its path. One system call per file and no parsing of hashes: the
unavoidable part, since a file written in place changes nothing but itself.

Any difference sends the caller to the content hashes (``kg.store.pipeline.staleness``).
When the hashes say nothing changed (a touched file, an editor's swap file come and gone),
the index is rewritten with what was just seen, so that the file is hashed once, not on
every later command. The index is a cache about the sources, not part of the build's
content: rewriting it never changes what the build answers.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kg import __version__
from kg.sources import SOURCE_PARTS, FileState, Project, file_states, fingerprint

TYPE_CHECKING = False  # not typing's: importing typing costs a cold `kg query` 5 ms
if TYPE_CHECKING:
    from kg.store.builds import Build

STAT_INDEX = "stat-index"
_HEADER = "kg-stat-index 1"


def directory_stamps(project: Project) -> list[tuple[str, int]]:
    """``(relpath, mtime_ns)`` of every source directory (-1 for a missing part folder).

    Taken before the files are listed or hashed, so a file added meanwhile shows as a
    changed directory at the next check.
    """
    stamps = []
    for part in SOURCE_PARTS:
        todo = [part]
        while todo:
            relative = todo.pop()
            try:
                mtime = os.stat(project.root / relative).st_mtime_ns
                entries = list(os.scandir(project.root / relative))
            except FileNotFoundError:
                stamps.append((relative, -1))
                continue
            stamps.append((relative, mtime))
            todo += [f"{relative}/{e.name}" for e in entries
                     if not e.name.startswith(".") and e.is_dir()]
    return stamps


def write_index(path: Path, directories: list[tuple[str, int]], files: list[FileState]) -> None:
    """Write (atomically) the stat index of a build; a read-only store keeps the old one."""
    lines = [_HEADER]
    lines += [f"d\t{mtime}\t{relpath}" for relpath, mtime in directories]
    lines += [f"f\t{s.size}\t{s.mtime_ns}\t{s.relpath}" for s in files]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:  # a read-only store keeps the old index (the unlink may fail too)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def unchanged(project: Project, index: Path) -> bool:
    """True when every indexed directory and file has the mtime (and size) it had.

    False when anything differs or the index is missing or unreadable: the caller then
    decides by content.
    """
    try:
        text = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    lines = text.split("\n")
    if not lines or lines[0] != _HEADER:
        return False
    root = f"{project.root}{os.sep}"
    stat = os.stat
    files = []
    try:
        for line in lines[1:]:
            if not line:
                continue
            if line[0] == "d":
                _kind, mtime, relpath = line.split("\t", 2)
                try:
                    seen = stat(root + relpath).st_mtime_ns
                except FileNotFoundError:
                    seen = -1
                if seen != int(mtime):
                    return False
            else:
                files.append(line)
        for line in files:
            _kind, size, mtime, relpath = line.split("\t", 3)
            found = stat(root + relpath)
            if found.st_mtime_ns != int(mtime) or found.st_size != int(size):
                return False
    except (OSError, ValueError):
        return False
    return True


def current_states(project: Project, build: Build | None) -> list[FileState]:
    known = build.file_states() if build is not None else {}
    return file_states(project.sources(), known)


def staleness(project: Project, build: Build | None) -> str | None:
    """Why the store must be (re)built, or None when ``build`` matches the sources' content.

    The build's stat index answers first (``unchanged``); only when a stat differs
    are files hashed, and when the hashes match after all the index is brought up to date.
    """
    if build is None:
        return "no store has been built yet"
    version = build.head.get("kg_version")
    if version != __version__:
        return f"it was built by kg {version}"
    index = build.path / STAT_INDEX
    if unchanged(project, index):
        return None  # nothing was touched: no hashing, no manifest read
    directories = directory_stamps(project)
    states = current_states(project, build)
    if build.manifest.get("fingerprint") != fingerprint(states):
        return "the sources changed since the last build"
    write_index(index, directories, states)  # the touched files are hashed once, not again
    return None
