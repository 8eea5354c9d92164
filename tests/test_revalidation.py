"""`kg validate` after an edit (kg.store.revalidation) reports what a whole validation reports.

A copy of the real data goes through an editing session: each edit (breaking a value, removing
a definition many nodes point at, moving a triple between files, adding and deleting files,
editing the ontology, undoing it all) is followed by a validation from the kept state and a
whole validation without state, whose reports (text, JSON, the SHACL report graph) must be the
same. The state must have been used (only some focus nodes checked again), and it must start
afresh whenever what it was made from (shapes, an unfinished run) no longer holds.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import rdflib
from conftest import copy_of_repo
from rdflib.compare import isomorphic
from test_core_sparql import BROKEN

from kg.errors import InputError
from kg.sources.project import find_project
from kg.store.pipeline import validate_project
from kg.store.revalidation import STATE_DIR
from kg.validate import format_json, format_text, format_turtle

OLMO = "data/projects/olmo.ttl"


def _replace(root: Path, relpath: str, old: str, new: str, count: int = 1) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relpath}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _append(root: Path, relpath: str, text: str) -> None:
    with (root / relpath).open("a", encoding="utf-8") as handle:
        handle.write(text)


def _blank_block_with(root: Path, relpath: str, needle: str) -> str:
    """The first ``[ ... ]`` evidence block of a file that contains ``needle``."""
    text = (root / relpath).read_text(encoding="utf-8")
    for block in re.findall(r"\[\n(?:[^\[\]]|\[[^\[\]]*\])*?\]", text):
        if needle in block:
            return block
    raise AssertionError(f"no block with {needle!r} in {relpath}")


def _licence_block(root: Path) -> tuple[str, str]:
    """A licence definition that some release points at, and its IRI's local name."""
    text = (root / "data" / "licences.ttl").read_text(encoding="utf-8")
    match = re.search(r"^(<http://spdx.org/licenses/(Apache-2\.0)> a .*?\n)\n", text,
                      re.S | re.M)
    assert match, "the Apache-2.0 licence block moved"
    return match.group(1), match.group(2)


def _move_label(root: Path) -> None:
    """Cut a label out of one file and state it in another."""
    text = (root / OLMO).read_text(encoding="utf-8")
    match = re.search(r'^(olcd:[\w-]+) a [^\n]*\n    rdfs:label ("[^"\n]+"@en) ;', text, re.M)
    assert match
    subject, label = match.groups()
    _replace(root, OLMO, f"    rdfs:label {label} ;\n", "", 1)
    _append(root, "data/entities/ecosystem.ttl", f"\n{subject} rdfs:label {label} .\n")


EDITS = {
    "a release's date made ill-typed": lambda root: _replace(
        root, OLMO, '"2024-02-01"^^xsd:date', '"2024-02-31"^^xsd:date'),
    "an evidence node's status removed": lambda root: _replace(
        root, OLMO, "olc:evidenceStatus olcv:stated ;", "", 1),
    "many broken entities appended to a project file": lambda root: _append(
        root, "data/projects/bloom.ttl", BROKEN),
    "a licence many releases point at removed": lambda root: _replace(
        root, "data/licences.ttl", _licence_block(root)[0], ""),
    "a label moved to another file": _move_label,
    "a new file with a dangling reference": lambda root: (root / "data/entities/new.ttl"
        ).write_text("<https://w3id.org/olckg/id/olmo> <http://purl.org/dc/terms/isPartOf> "
                     "<https://w3id.org/olckg/id/nowhere> .\n", encoding="utf-8"),
    "a file touched, its content unchanged": lambda root: os.utime(root / OLMO),
    "the new file deleted": lambda root: (root / "data/entities/new.ttl").unlink(),
    "a class taken out of the ontology's hierarchy": lambda root: _replace(
        root, "ontology/olc.ttl", "rdfs:subClassOf olc:Artefact", "rdfs:comment \"cut\""),
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    root = copy_of_repo(tmp_path_factory.mktemp("revalidation") / "project")
    store = root.parent / "store"
    first = validate_project(find_project(root), state=store)
    assert first.incremental is None  # no state yet: a whole validation, which keeps one
    assert (store / STATE_DIR / "state.json").is_file()
    return root, store


def _same(root: Path, store: Path, files: list[Path] | None = None):
    project = find_project(root)
    kept = validate_project(project, files=files, state=store)
    whole = validate_project(project, files=files)
    assert whole.incremental is None
    assert format_json(kept) == format_json(whole)
    assert format_text(kept).splitlines()[-1] == format_text(whole).splitlines()[-1]
    assert isomorphic(rdflib.Graph().parse(data=format_turtle(kept), format="turtle"),
                      rdflib.Graph().parse(data=format_turtle(whole), format="turtle"))
    return kept, whole


def test_an_editing_session_reports_as_whole_validations_do(session) -> None:
    root, store = session
    seen_violations = 0
    for name, edit in EDITS.items():
        edit(root)
        kept, whole = _same(root, store)
        assert kept.incremental is not None, name
        changed, nodes = kept.incremental
        assert changed == (0 if "touched" in name else 2 if "label moved" in name else 1), name
        assert nodes is not None and nodes < 2000, name  # some nodes, not every one
        seen_violations = max(seen_violations, whole.violations)
    assert seen_violations > 20  # the edits broke something, so results were compared


def test_a_fix_brings_the_report_back_to_conforming(tmp_path: Path) -> None:
    root = copy_of_repo(tmp_path / "project")
    store = tmp_path / "store"
    validate_project(find_project(root), state=store)
    original = (root / OLMO).read_text(encoding="utf-8")
    _append(root, OLMO, BROKEN)
    broken, _ = _same(root, store)
    assert broken.violations > 0 and broken.incremental[1] is not None
    (root / OLMO).write_text(original, encoding="utf-8")
    fixed, _ = _same(root, store)
    assert fixed.conforms and fixed.results == []
    assert "checked again, the other results kept" in format_text(fixed)


def test_reported_files_narrow_the_kept_report_as_the_whole_one(tmp_path: Path) -> None:
    root = copy_of_repo(tmp_path / "project")
    store = tmp_path / "store"
    validate_project(find_project(root), state=store)
    _append(root, OLMO, BROKEN)
    _append(root, "data/projects/bloom.ttl", BROKEN.replace("broken-", "also-broken-"))
    kept, _whole = _same(root, store, files=[root / OLMO])
    assert kept.violations > 0 and {r.file for r in kept.results} == {OLMO}


def test_a_broken_file_is_an_error_and_the_state_survives(tmp_path: Path) -> None:
    root = copy_of_repo(tmp_path / "project")
    store = tmp_path / "store"
    validate_project(find_project(root), state=store)
    state = (store / STATE_DIR / "state.json").read_bytes()
    original = (root / OLMO).read_text(encoding="utf-8")
    (root / OLMO).write_text(original + "\nolcd:x olcd:y .\n  this is not turtle\n",
                             encoding="utf-8")
    with pytest.raises(InputError, match=r"data/projects/olmo.ttl:\d+:\d+: "):
        validate_project(find_project(root), state=store)
    assert (store / STATE_DIR / "state.json").read_bytes() == state
    (root / OLMO).write_text(original, encoding="utf-8")
    kept, _ = _same(root, store)
    assert kept.incremental == (0, 0)


def test_changed_shapes_or_an_unfinished_run_start_the_state_afresh(tmp_path: Path) -> None:
    root = copy_of_repo(tmp_path / "project")
    store = tmp_path / "store"
    validate_project(find_project(root), state=store)
    _append(root, OLMO, BROKEN)
    # a shape made stricter: every kept result could be stale
    _replace(root, "shapes/projects.ttl", "sh:minCount 1", "sh:minCount 2")
    kept, whole = _same(root, store)
    assert kept.incremental is None and whole.violations > 0
    # a run interrupted while applying an edit leaves the state marked unfinished
    state_file = store / STATE_DIR / "state.json"
    state_file.write_text(json.dumps({"format": 1, "complete": False}), encoding="utf-8")
    _append(root, "data/projects/bloom.ttl", BROKEN.replace("broken-", "other-"))
    kept, _ = _same(root, store)
    assert kept.incremental is None
    assert json.loads(state_file.read_text(encoding="utf-8"))["complete"] is True


def test_kg_validate_keeps_its_state_in_the_store(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    root = copy_of_repo(tmp_path / "project")
    monkeypatch.setenv("KG_PROJECT", str(root))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    assert CliRunner().invoke(cli, ["validate"]).exit_code == 0
    assert (tmp_path / "store" / STATE_DIR / "state.json").is_file()
    _append(root, OLMO, BROKEN)
    second = CliRunner().invoke(cli, ["validate"])
    assert second.exit_code == 1
    assert re.search(r"1 file changed since the last validation: \d+ focus nodes it can "
                     r"affect checked again", second.output)
    whole = validate_project(find_project(root))
    assert second.output.splitlines()[-1] == format_text(whole).splitlines()[-1]


def test_kg_build_validates_from_the_state_kg_validate_keeps(tmp_path: Path, monkeypatch
                                                             ) -> None:
    """A build after an edit checks only the nodes it can affect, reports what a whole
    validation reports, and a violating edit leaves the live store as it was."""
    from click.testing import CliRunner

    from kg.cli import cli
    from kg.store.builds import StoreDir

    root = copy_of_repo(tmp_path / "project")
    monkeypatch.setenv("KG_PROJECT", str(root))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    first = CliRunner().invoke(cli, ["build"])
    assert first.exit_code == 0 and "from the state" not in first.output  # none kept yet
    assert not (tmp_path / "store" / STATE_DIR).exists()  # nor made: not even its lock
    assert CliRunner().invoke(cli, ["validate"]).exit_code == 0
    _replace(root, OLMO, '"OLMo"@en', '"OLMo (edited)"@en')
    second = CliRunner().invoke(cli, ["build"])
    assert second.exit_code == 0, second.output
    assert re.search(r"from the state `kg validate` keeps \(1 file changed since, \d+ focus "
                     r"nodes checked again\): 0 violations", second.output)
    live = StoreDir(tmp_path / "store").current()
    _append(root, OLMO, BROKEN)
    third = CliRunner().invoke(cli, ["build"])
    assert third.exit_code == 1
    assert "from the state" in third.output and "the store was not changed" in third.output
    whole = validate_project(find_project(root))
    assert f"{whole.violations} violations" in third.output
    assert StoreDir(tmp_path / "store").current().path == live.path
