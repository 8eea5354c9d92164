"""One source file's N-Triples lines with its blank nodes labelled by RDFC-1.0, cheaply.

RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) first hashes each blank node's own statements
(its first-degree hash, section 4.6) and issues canonical labels in the order of those hashes
to the blank nodes whose hash is unique (4.4.3, step 5). Only blank nodes that share a hash
need the expensive n-degree hashing. In a source file blank nodes are almost always told
apart by their own statements (an evidence node's source and statement), so this module does
that first step on the serialised lines themselves, without a Python object per term, and
hands a file to Oxigraph's full RDFC-1.0 only when two of its blank nodes share a hash. Both
ways give the same labels: the first is the algorithm's own first step.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox


def label_file(body: bytes, prefix: bytes) -> list[bytes]:
    """A file's N-Triples lines, each blank node as ``prefix`` + its RDFC-1.0 label
    (``c14nN``), so labels from two files never meet."""
    plain: list[bytes] = []
    blank: dict[bytes, None] = {}  # a dataset is a set: a statement said twice counts once
    for line in body.splitlines(keepends=True):
        # a blank subject starts the line; a blank object follows an IRI predicate (a
        # literal holding "> _:" is sorted out by _terms below)
        if line.startswith(b"_:") or b"> _:" in line:
            blank[line] = None
        else:
            plain.append(line)
    triples = []
    for line in blank:
        subject, predicate, obj = _terms(line)
        if subject.startswith(b"_:") or obj.startswith(b"_:"):
            triples.append((line, subject, predicate, obj))
        else:
            plain.append(line)
    if triples:
        plain += first_degree_labels(triples, prefix) or rdfc_labels(
            [line for line, *_ in triples], prefix)
    return plain


def _terms(line: bytes) -> list[bytes]:
    """Subject, predicate, object of an N-Triples line (IRIs and labels hold no space)."""
    return line[:-3].split(b" ", 2)


def first_degree_labels(triples: list[tuple[bytes, bytes, bytes, bytes]], prefix: bytes
                        ) -> list[bytes] | None:
    """The lines (line, subject, predicate, object) relabelled when every blank node's
    first-degree hash is unique, else None.

    A node's first-degree hash is over its statements with the node itself as _:a and any
    other blank node as _:z; most lines have one blank node, so a row is one slice."""
    rows: dict[bytes, list[bytes]] = {}
    for line, subject, predicate, obj in triples:
        if not obj.startswith(b"_:"):  # a blank subject only: the usual case
            rows.setdefault(subject, []).append(b"_:a" + line[len(subject):])
        elif not subject.startswith(b"_:"):  # a blank object only
            rows.setdefault(obj, []).append(line[:-3 - len(obj)] + b"_:a .\n")
        elif subject == obj:
            rows.setdefault(subject, []).append(b"_:a %s _:a .\n" % predicate)
        else:
            rows.setdefault(subject, []).append(b"_:a %s _:z .\n" % predicate)
            rows.setdefault(obj, []).append(b"_:z %s _:a .\n" % predicate)
    hashes: dict[str, bytes] = {}
    sha256 = hashlib.sha256
    for node, own in rows.items():
        own.sort()
        digest = sha256(b"".join(own)).hexdigest()
        if digest in hashes:
            return None  # two blank nodes alike by their own statements: the full algorithm
        hashes[digest] = node
    labels = {hashes[digest]: b"%sc14n%d" % (prefix, n) for n, digest in enumerate(sorted(hashes))}
    out = []
    for line, subject, predicate, obj in triples:
        if not obj.startswith(b"_:"):
            out.append(labels[subject] + line[len(subject):])
        elif not subject.startswith(b"_:"):
            out.append(line[:-3 - len(obj)] + labels[obj] + b" .\n")
        else:
            out.append(b"%s %s %s .\n" % (labels[subject], predicate, labels[obj]))
    return out


def rdfc_labels(lines: list[bytes], prefix: bytes) -> list[bytes]:
    """The lines relabelled by Oxigraph's RDFC-1.0, n-degree hashing included."""
    dataset = ox.Dataset(ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    out = []
    for line in (ox.serialize(dataset, format=ox.RdfFormat.N_TRIPLES) or b""
                 ).splitlines(keepends=True):
        subject, predicate, obj = _terms(line)
        if subject.startswith(b"_:"):
            subject = prefix + subject[2:]
        if obj.startswith(b"_:"):
            obj = prefix + obj[2:]
        out.append(b"%s %s %s .\n" % (subject, predicate, obj))
    return out
