"""Validation in parts (large graphs) reports exactly what validating the whole graph reports.

The real project is copied and broken in several ways, within a project file, across project
files and from a shared file; then it is validated once as a whole and once in parts small
enough that every project file lands in a part of its own (worker processes, as at scale).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from conftest import REPO, copy_of_repo
from rdflib.namespace import SH

from kg.sources.parsing import parse_sources
from kg.sources.project import GRAPH_PARTS, find_project
from kg.store.pipeline import validate_project
from kg.validate.partitions import plan


@pytest.fixture(autouse=True)
def pyshacl_engine(monkeypatch):
    """These tests are about the pySHACL path (the in-store engine has its own tests)."""
    monkeypatch.setenv("KG_VALIDATOR", "pyshacl")

BREAKAGES = {
    # a literal of the wrong datatype, in a project file
    "data/projects/smollm.ttl": ("olc:parameterCount 1700000000 ;",
                                 'olc:parameterCount "1.7B" ;'),
    # evidence without its status, in another project file
    "data/projects/olmo.ttl": ("olc:evidenceStatus olcv:stated ;", ""),
}
# a model fine-tuned from a project described in another project file (not an artefact), and
# a shared file giving a project described elsewhere a value of the wrong class
APPENDED = {
    "data/projects/smollm.ttl": "\nolcd:smollm-1-7b fair4ml:fineTunedFrom olcd:llama .\n",
    "data/links.ttl": "\n<https://w3id.org/olckg/id/olmo> "
                      "<https://w3id.org/olckg/ontology#organisationalModel> "
                      "<https://w3id.org/olckg/id/llama-models> .\n",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_of_repo(tmp_path_factory.mktemp("broken"))
    for relpath, (old, new) in BREAKAGES.items():
        path = root / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for relpath, extra in APPENDED.items():
        with (root / relpath).open("a", encoding="utf-8") as handle:
            handle.write(extra)
    return root


def test_parts_report_what_the_whole_graph_reports(broken: Path, monkeypatch) -> None:
    project = find_project(broken)
    whole = validate_project(project)
    monkeypatch.setenv("KG_VALIDATION_PART_TRIPLES", "50")
    parsed = parse_sources(project.sources(GRAPH_PARTS), keep_quads=False)
    parts = plan(parsed)
    assert len(parts) == 15  # the shared files, then each project file in a part of its own
    in_parts = validate_project(project)
    assert whole.violations >= 4
    assert in_parts.results == whole.results
    for report in (whole, in_parts):  # the Turtle report: one sh:ValidationReport, every result
        graph = report.results_graph
        assert len(list(graph.subjects(rdflib.RDF.type, SH.ValidationReport))) == 1
        assert len(list(graph.objects(None, SH.result))) == len(
            list(graph.subjects(rdflib.RDF.type, SH.ValidationResult))) - len(
            list(graph.objects(None, SH.detail)))
    assert {r.file for r in whole.results} >= {"data/projects/smollm.ttl",
                                                "data/projects/olmo.ttl", "data/links.ttl"}


def test_a_part_owns_its_files_and_sees_their_neighbours(monkeypatch) -> None:
    monkeypatch.setenv("KG_VALIDATION_PART_TRIPLES", "50")
    parsed = parse_sources(find_project(REPO).sources(GRAPH_PARTS), keep_quads=False)
    parts = plan(parsed)
    owned = [file for part in parts for file in part.owned]
    assert sorted(owned) == sorted(parsed.triples_per_file)  # every file owned exactly once
    ontology = {f for f in parsed.triples_per_file if f.startswith("ontology/")}
    assert parts[0].owned == {f for f in parsed.triples_per_file
                              if not f.startswith("data/projects/")}
    for part in parts:
        assert ontology <= set(part.files)  # every class check needs the class hierarchy
        assert part.owned <= set(part.files)
    # sources.ttl describes the sources every project file cites: one link away
    assert all("data/sources.ttl" in part.files for part in parts)


def test_a_small_graph_is_one_part() -> None:
    parsed = parse_sources(find_project(REPO).sources(GRAPH_PARTS), keep_quads=False)
    assert len(plan(parsed)) == 1


def test_unchanged_parts_are_not_checked_again(broken: Path, tmp_path: Path,
                                               monkeypatch) -> None:
    """The parts' results are kept; after an edit only the parts holding the file are redone."""
    monkeypatch.setenv("KG_VALIDATION_PART_TRIPLES", "50")
    project = find_project(broken)
    cache = tmp_path / "cache"
    first = validate_project(project, cache=cache)
    assert (first.parts_checked, first.parts_reused) == (15, 0)
    again = validate_project(project, cache=cache)
    assert (again.parts_checked, again.parts_reused) == (0, 15)
    assert again.results == first.results
    # A file only some parts hold: every project file is within two links of every part now
    # (datasets and papers point at releases of every project), the motivations are not.
    edited_file = broken / "data" / "findings" / "motivations.ttl"
    original = edited_file.read_text(encoding="utf-8")
    try:
        edited_file.write_text(original.replace("olc:evidenceStatus olcv:stated ;", "", 1),
                               encoding="utf-8")
        edited = validate_project(project, cache=cache)
        # the shared files' part, and the parts that see the file
        assert 1 <= edited.parts_checked < 15
        assert edited.parts_checked + edited.parts_reused == 15
        assert any(r.file == "data/findings/motivations.ttl" for r in edited.results)
        assert edited.results == validate_project(project).results  # as if from scratch
    finally:
        edited_file.write_text(original, encoding="utf-8")
