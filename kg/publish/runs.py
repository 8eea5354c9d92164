"""A dump's statement order, with bounded memory: sorted runs on disk, merged, each line once.

The order is the serialised lines' byte order, except that a subject's rdf:type statements
come first: rdf:type (as a spaced term, wherever it occurs) is marked with a NUL byte,
which N-Triples never holds, so that plain byte comparison puts it first, and unmarked on
the way out.
Comparing bytes needs no sort key object per line, and a line is its own record in a run
file (N-Triples escapes newlines).
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_TYPE = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
_TYPE_FIRST = b" <\x00> "  # sorts before any IRI: a subject's rdf:type comes first
_OVERHEAD = 57  # what CPython spends per bytes object and its list slot, besides the bytes


class SortedRuns:
    """Lines added in any order, given back sorted and without duplicates."""

    def __init__(self, spill: Path | None = None) -> None:
        self.spill_dir = spill  # where runs go; None: the system's temporary folder
        self.held: list[bytes] = []
        self.size = 0  # about how many bytes the lines held take
        self.runs: list[Path] = []

    def add(self, lines: list[bytes], graph: bytes = b"") -> None:
        """Hold N-Triples lines (marked), in the named graph ``graph`` (b"<IRI>") if given:
        both edits run over their bytes at once, not line by line. A newline byte only ends a
        line in N-Triples (escaped in literals), so b" .\\n" is each line's end."""
        body = b"".join(lines)
        if graph:
            body = body.replace(b" .\n", b" %s .\n" % graph)
        self.held += body.replace(_TYPE, _TYPE_FIRST).splitlines(keepends=True)
        self.size += len(body) + _OVERHEAD * len(lines)

    def spill(self) -> None:
        """Write the lines held as one sorted run file, and hold none."""
        if not self.held:
            return
        with tempfile.NamedTemporaryFile("wb", dir=self.spill_dir, suffix=".run",
                                         delete=False) as run:
            self.runs.append(Path(run.name))
            for chunk in _batches(iter(self._take_sorted())):
                run.write(b"".join(chunk))

    def _take_sorted(self) -> list[bytes]:
        unique = list(set(self.held))
        self.held, self.size = [], 0
        unique.sort()
        return unique

    def write(self, out: BinaryIO) -> int:
        """Write every line once, in order; gives how many."""
        count = 0
        for chunk in self._chunks():
            out.write(_unmark(b"".join(chunk)))
            count += len(chunk)
        return count

    def lines(self) -> Iterator[bytes]:
        """Every line once, in order."""
        for chunk in self._chunks():
            yield from _unmark(b"".join(chunk)).splitlines(keepends=True)

    def _chunks(self) -> Iterator[list[bytes]]:
        """The marked lines in order, a batch at a time; run files deleted once read."""
        if not self.runs:
            yield from _batches(iter(self._take_sorted()))
            return
        self.spill()
        files = [path.open("rb") for path in self.runs]
        try:
            merged = (line for line, _ in itertools.groupby(heapq.merge(*files)))
            yield from _batches(merged)
        finally:
            for handle, path in zip(files, self.runs, strict=True):
                handle.close()
                path.unlink(missing_ok=True)
            self.runs = []


def _batches(lines: Iterator[bytes], size: int = 65536) -> Iterator[list[bytes]]:
    while batch := list(itertools.islice(lines, size)):
        yield batch


def _unmark(body: bytes) -> bytes:
    return body.replace(_TYPE_FIRST, _TYPE)  # N-Triples holds no NUL: only the marks
