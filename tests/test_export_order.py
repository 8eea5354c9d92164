"""The first export's parts: blank node labels per file (RDFC-1.0) and the bounded-memory sort."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from kg.publish.export import FORMATS, PARTS, DumpSources, dump, write_dump
from kg.publish.labels import first_degree_labels, label_file, rdfc_labels
from kg.publish.runs import SortedRuns
from kg.sources.project import find_project

PREFIX = b"_:bfile"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

#: Blank nodes told apart by their own statements (the first-degree hashes differ), with the
#: cases the line slicing must get right: a blank-to-blank link, a self-loop, a statement said
#: twice, a literal that holds "> _:" and " .", a blank node only ever an object.
DISTINCT = """\
@prefix ex: <http://example.org/> .
ex:thing ex:evidence [ ex:source <https://a.example/> ; ex:page 3 ] ,
                     [ ex:source <https://b.example/> ; ex:note "says > _:x and ends . here"@en ] .
_:chain ex:next _:end . _:end ex:label "end" . _:loop ex:self _:loop .
_:chain ex:next _:end .
ex:other ex:points _:lonely .
"""
#: Two blank nodes with the same statements: only RDFC-1.0's n-degree hashing orders them.
ALIKE = """\
@prefix ex: <http://example.org/> .
_:a ex:next _:b . _:b ex:next _:a . _:a ex:p "x" . _:b ex:p "x" .
ex:thing ex:evidence [ ex:source <https://a.example/> ] .
"""


def ntriples(turtle: str) -> bytes:
    quads = ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    return ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES)


def oxigraph_rdfc(body: bytes) -> set[bytes]:
    """What RDFC-1.0 (Oxigraph's, the whole algorithm) gives, labels prefixed as a dump's."""
    dataset = ox.Dataset(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    canonical = ox.serialize(dataset, format=ox.RdfFormat.N_TRIPLES)
    return set(canonical.replace(b"_:c14n", PREFIX + b"c14n").splitlines(keepends=True))


def blank_triples(body: bytes) -> list[tuple[bytes, ...]]:
    out = []
    for line in dict.fromkeys(body.splitlines(keepends=True)):
        subject, predicate, obj = line[:-3].split(b" ", 2)
        if subject.startswith(b"_:") or obj.startswith(b"_:"):
            out.append((line, subject, predicate, obj))
    return out


@pytest.mark.parametrize("turtle", [DISTINCT, ALIKE], ids=["distinct", "alike"])
def test_labels_are_rdfc_whichever_path_is_taken(turtle: str) -> None:
    body = ntriples(turtle)
    labelled = label_file(body, PREFIX)
    assert set(labelled) == oxigraph_rdfc(body)
    assert len(labelled) == len(set(labelled))  # the statement said twice is there once
    assert all(b"_:" not in line or PREFIX + b"c14n" in line for line in labelled)


def test_the_first_degree_path_is_taken_only_when_its_hashes_tell_nodes_apart() -> None:
    distinct, alike = blank_triples(ntriples(DISTINCT)), blank_triples(ntriples(ALIKE))
    assert first_degree_labels(alike, PREFIX) is None  # the n-degree case goes to Oxigraph
    fast = first_degree_labels(distinct, PREFIX)
    assert fast is not None
    assert set(fast) == set(rdfc_labels([t[0] for t in distinct], PREFIX))
    assert any(b'"says > _:x and ends . here"@en .\n' in line for line in fast)


def test_labels_do_not_depend_on_the_parser_s_blank_node_names() -> None:
    first, second = ntriples(DISTINCT), ntriples(DISTINCT)
    assert first != second  # each parse names blank nodes at random
    assert sorted(label_file(first, PREFIX)) == sorted(label_file(second, PREFIX))


def test_sorted_runs_spilled_to_disk_give_the_order_held_in_memory(tmp_path: Path) -> None:
    lines = [f"<http://example.org/{i % 97}> <http://example.org/p{i % 5}> \"{i % 13}\" .\n"
             .encode() for i in range(3000)]
    lines += [f"<http://example.org/{i}> {RDF_TYPE} <http://example.org/C> .\n".encode()
              for i in range(97)]
    memory = SortedRuns()
    memory.add(lines)
    expected = list(memory.lines())
    spilled = SortedRuns(tmp_path)
    for start in range(0, len(lines), 500):
        spilled.add(lines[start:start + 500])
        spilled.spill()
    assert len(spilled.runs) == 7 and spilled.held == []
    assert list(spilled.lines()) == expected and list(tmp_path.iterdir()) == []
    assert len(expected) == len(set(lines))
    first = expected[0].split(b" ")[0]
    assert expected[0] == first + f" {RDF_TYPE} <http://example.org/C> .\n".encode()


@pytest.mark.parametrize("fmt", ["nquads", "ntriples"])
def test_a_dump_sorted_on_disk_is_byte_identical(fmt: str, tmp_path: Path) -> None:
    """A tiny memory budget: every file's lines become a run of their own, merged after."""
    project = find_project(REPO)
    in_memory, count = dump(DumpSources(project), FORMATS[fmt], PARTS, {}, "f" * 64)
    held, spilled = tmp_path / "held", tmp_path / "spilled"
    assert write_dump(project, FORMATS[fmt], PARTS, "f" * 64, held) == count > 5000
    assert write_dump(project, FORMATS[fmt], PARTS, "f" * 64, spilled, memory=1) == count
    assert held.read_bytes() == in_memory == spilled.read_bytes()
    assert b"_:b" in in_memory  # blank nodes were labelled in both
