"""kg build: the pipeline, its report, and the atomic swap that protects the live store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import PREFIXES, Run, write

from kg.errors import StoreError
from kg.sources.project import find_project
from kg.store.builds import StoreDir
from kg.store.pipeline import build, ensure_built, staleness

COUNT_PROJECTS = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <http://example.org/mini#Project> }"


def count_projects(run: Run) -> str:
    result = run("query", "-e", COUNT_PROJECTS, "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1]


def test_build_reports_files_triples_classes_violations_and_time(run: Run, store: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "parsed 3 files (data 2, ontology 1)" in out
    assert "validated against 1 shape file: 0 violations, 0 warnings" in out
    assert "ex:Project" in out and "ex:Lab" in out
    assert str(store) in out
    assert "built in" in out
    assert (store / "CURRENT").is_file()


def test_build_then_query_round_trip(run: Run) -> None:
    assert run("build").exit_code == 0
    result = run("query", "projects", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0] == "project,projectLabel,org,orgLabel"
    assert ("http://example.org/mini/id/alpha,Alpha,"
            "http://example.org/mini/id/lab-one,Lab One") in rows


def test_broken_turtle_fails_with_file_line_column_and_old_store_answers(
        run: Run, project: Path, store: Path) -> None:
    assert run("build").exit_code == 0
    live_before = (store / "CURRENT").read_text()
    assert count_projects(run) == "2"
    write(project / "data" / "gamma.ttl",
          PREFIXES + 'exd:gamma a ex:Project ;\n    rdfs:label "Gamma ;\n')
    result = run("build")
    assert result.exit_code == 2
    assert "data/gamma.ttl:5:16:" in result.stderr
    assert "Traceback" not in result.output
    assert (store / "CURRENT").read_text() == live_before
    # The query rebuild attempt fails too, and the last good build still answers.
    result = run("query", "-e", COUNT_PROJECTS, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "2"
    assert "answering from the last good build" in result.stderr
    assert "data/gamma.ttl:5:16" in result.stderr


def test_shacl_violation_fails_the_build_and_keeps_the_store(
        run: Run, project: Path, store: Path) -> None:
    assert run("build").exit_code == 0
    live_before = (store / "CURRENT").read_text()
    write(project / "data" / "gamma.ttl",
          PREFIXES + 'exd:gamma a ex:Project ; rdfs:label "Gamma"@en .\n')
    result = run("build")
    assert result.exit_code == 1
    assert "data/gamma.ttl: Violation: exd:gamma ex:developedBy" in result.stdout
    assert "A project needs a developing organisation." in result.stdout
    assert "1 SHACL violation; the store was not changed" in result.stderr
    assert (store / "CURRENT").read_text() == live_before
    builds = list((store / "builds").iterdir())
    assert len(builds) == 1, "a failed build must not leave a directory behind"


def test_no_validate_builds_data_that_violates_the_shapes(run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", PREFIXES + 'exd:gamma a ex:Project .\n')
    result = run("build", "--no-validate")
    assert result.exit_code == 0
    assert "validation skipped" in result.stdout
    assert count_projects(run) == "3"


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_interrupted_or_failed_write_leaves_previous_build_live(
        project: Path, store: Path, failure: type[BaseException]) -> None:
    """Ctrl-C or a full disk while the new store is written: nothing changes for readers."""
    proj, store_dir = find_project(project), StoreDir(store)
    first = build(proj, store_dir).build
    with pytest.raises(failure), store_dir.new_build() as new:
        (new.database).mkdir()
        (new.database / "partial").write_text("half a store")
        raise failure("simulated failure while writing")
    assert store_dir.current() == first
    assert sorted(p.name for p in (store / "builds").iterdir()) == [first.path.name]
    answer = list(first.open().query(COUNT_PROJECTS))
    assert answer[0]["n"].value == "2"


def test_a_second_builder_is_refused_while_one_holds_the_lock(project: Path, store: Path) -> None:
    store_dir = StoreDir(store)
    with (store_dir.new_build(), pytest.raises(StoreError, match="Another `kg build`"),
          StoreDir(store).new_build()):
        pass


def test_previous_build_is_kept_one_generation(project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    first = build(proj, store_dir).build
    second = build(proj, store_dir).build
    third = build(proj, store_dir).build
    names = sorted(p.name for p in (store / "builds").iterdir())
    assert names == sorted([second.path.name, third.path.name])
    assert not first.path.exists()


def test_a_pinned_build_outlives_two_rebuilds(project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    served = build(proj, store_dir).build
    with served.pinned():  # as `kg serve` does while it runs
        build(proj, store_dir)
        build(proj, store_dir)
        assert served.database.is_dir() and served.in_use()
    assert not served.in_use()
    build(proj, store_dir)
    assert not served.path.exists()


def test_store_is_rebuilt_when_a_source_changes(run: Run, project: Path, store: Path) -> None:
    assert run("build").exit_code == 0
    assert count_projects(run) == "2"
    write(project / "data" / "gamma.ttl", PREFIXES
          + 'exd:gamma a ex:Project ; rdfs:label "Gamma"@en ; ex:developedBy exd:lab-one .\n')
    result = run("query", "-e", COUNT_PROJECTS, "--format", "csv")
    assert "Building the store (the sources changed since the last build)" in result.stderr
    assert result.stdout.splitlines()[1] == "3"


def test_staleness_follows_content_not_timestamps(project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    alpha = project / "data" / "alpha.ttl"
    stat = alpha.stat()
    os.utime(alpha, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same bytes
    assert staleness(proj, store_dir.current()) is None


def test_staleness_detects_changed_content_even_with_same_size_and_old_mtime(
        project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    alpha = project / "data" / "alpha.ttl"
    stat = alpha.stat()
    alpha.write_text(alpha.read_text().replace('ex:size 7', 'ex:size 8'))  # same size
    os.utime(alpha, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert staleness(proj, store_dir.current()) == "the sources changed since the last build"


def test_new_or_deleted_files_make_the_store_stale(project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    (project / "data" / "beta.ttl").unlink()
    assert staleness(proj, store_dir.current()) is not None


def test_shape_changes_make_the_store_stale(project: Path, store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    shapes = project / "shapes" / "mini.ttl"
    shapes.write_text(shapes.read_text() + "\n# a comment changes the content\n")
    assert staleness(proj, store_dir.current()) is not None


def test_ensure_built_builds_a_missing_store(project: Path, store: Path) -> None:
    messages: list[str] = []
    live = ensure_built(find_project(project), StoreDir(store), notify=messages.append)
    assert live.database.is_dir()
    assert messages == ["Building the store (no store has been built yet)…"]
    assert ensure_built(find_project(project), StoreDir(store), notify=messages.append) == live
    assert len(messages) == 1


def test_unreadable_store_is_one_sentence(run: Run, store: Path) -> None:
    assert run("build").exit_code == 0
    live = StoreDir(store).current()
    assert live is not None
    (live.database / "CURRENT").unlink()  # RocksDB's own pointer file: the database is broken
    result = run("query", "projects")
    assert result.exit_code == 1
    assert "cannot be opened" in result.stderr
    assert "Traceback" not in result.output


def test_parsing_turns_the_garbage_collector_back_on_whatever_happens(project: Path) -> None:
    """parse_into switches Python's collector off while it parses (bench/README.md, item 1);
    a parse error must not leave a long-running process (kg serve) without it."""
    import gc

    import pyoxigraph as ox

    from kg.errors import InputError
    from kg.store.pipeline import GRAPH_PARTS, parse_into

    sources = find_project(project).sources(GRAPH_PARTS)
    assert gc.isenabled()
    parsed = parse_into(ox.Store(), sources)
    assert gc.isenabled() and sum(parsed.triples_per_file.values()) > 0
    write(project / "data" / "gamma.ttl",
          PREFIXES + 'exd:gamma a ex:Project ;\n    rdfs:label "Gamma ;\n')
    with pytest.raises(InputError):
        parse_into(ox.Store(), find_project(project).sources(GRAPH_PARTS))
    assert gc.isenabled()
