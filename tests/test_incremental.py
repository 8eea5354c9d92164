"""Validating chosen focus nodes (kg.validate.incremental) gives them their whole-graph results.

On a copy of the real data broken in many ways (tests/test_core_sparql.py's breakages), the
nodes each file describes first are validated alone; their report must hold exactly the
results the whole validation reports for that file (same severity, focus, path, value,
message, shape and component, as many times), blank-node focus nodes included; the only
others are their nested shapes' results (``sh:detail``), which the whole report holds too.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
from conftest import copy_of_repo
from test_core_sparql import BROKEN, results

from kg.sources.parsing import parse_sources
from kg.sources.project import GRAPH_PARTS, find_project
from kg.store.pipeline import parse_into
from kg.validate.core import validate
from kg.validate.incremental import FOCUS_GRAPH, validate_nodes


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory):
    root = copy_of_repo(tmp_path_factory.mktemp("incremental") / "project")
    target = sorted((root / "data" / "projects").glob("*.ttl"))[0]
    with target.open("a", encoding="utf-8") as handle:
        handle.write(BROKEN)
    evidence = root / "data" / "projects" / "olmo.ttl"
    text = evidence.read_text(encoding="utf-8")
    assert "olc:evidenceStatus olcv:stated ;" in text
    evidence.write_text(text.replace("olc:evidenceStatus olcv:stated ;", "", 2),
                        encoding="utf-8")
    project = find_project(root)
    store = ox.Store()
    parsed = parse_into(store, project.sources(GRAPH_PARTS))
    shapes = parse_sources(project.sources(("shapes",)))
    full = validate(parsed, shapes, store=store, engine="sparql")
    return parsed, shapes, store, full


def by_file(report, file: str | None) -> Counter:
    return results(type(report)([r for r in report.results if r.file == file], report.files,
                                report.results_graph))


@pytest.mark.parametrize("file", ["data/projects/ant-group.ttl", "data/projects/olmo.ttl",
                                  "data/sources.ttl", "data/licences.ttl"])
def test_the_nodes_of_a_file_get_their_whole_graph_results(broken, file: str) -> None:
    parsed, shapes, store, full = broken
    nodes = [n for n, f in parsed.subject_file.items() if f == file]
    assert nodes
    report = validate_nodes(parsed, shapes, store, nodes)
    assert report is not None
    assert by_file(report, file) == by_file(full, file)
    # besides: the nested shapes' results (sh:detail) on values described nowhere
    rest = results(report) - by_file(report, file)
    assert all(key[1] == "None" and " sh:node " in key[6] for key in rest)
    assert not rest - results(full)
    assert not list(store.quads_for_pattern(None, None, None, FOCUS_GRAPH))  # marks removed


def test_the_broken_files_have_results_blank_nodes_included(broken) -> None:
    _parsed, _shapes, _store, full = broken
    assert by_file(full, "data/projects/ant-group.ttl")
    olmo = [r for r in full.results if r.file == "data/projects/olmo.ttl"]
    assert any(r.focus.startswith("olcd:") and "[" in r.focus for r in olmo)


def test_every_node_gives_the_whole_report_and_none_gives_nothing(broken) -> None:
    parsed, shapes, store, full = broken
    every = {t for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
             for t in (q.subject, q.object)}
    assert results(validate_nodes(parsed, shapes, store, every)) == results(full)
    assert validate_nodes(parsed, shapes, store, []).results == []
