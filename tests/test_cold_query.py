"""A cold `kg query` does only what it needs: no unused imports, no hashing of untouched files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PREFIXES, REPO, write

import kg.sources.project
from kg.sources.project import find_project
from kg.store.builds import StoreDir
from kg.store.freshness import STAT_INDEX
from kg.store.pipeline import build, staleness

#: Modules only validation (rdflib, pySHACL) or federated queries (ssl, http, urllib) need;
#: click, only invocations the fast path (kg.cli.fast) leaves to it; dataclasses (it loads
#: inspect, ast, dis, tokenize: 17-32 ms under -X importtime), so the query path's records
#: are namedtuples and plain slotted classes.
NOT_FOR_A_QUERY = ("ssl", "http.client", "urllib.request", "rdflib", "pyshacl", "click",
                   "dataclasses", "inspect")
PROJECT = 'exd:{0} a ex:Project ; rdfs:label "{1}"@en ; ex:developedBy exd:lab-one .\n'


def imported(repo_store: Path, *args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_PROJECT=str(REPO), KG_STORE=str(repo_store))
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", *args],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Building" not in done.stderr, "the shared store was fresh"
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


@pytest.mark.parametrize("args", [("query", "lifecycle", "-f", "csv"),
                                  ("query", "-e", "ASK {}"),
                                  ("query", "projects-in-region", "-p", "place=Europe")])
def test_a_query_imports_nothing_it_does_not_use(repo_store: Path, args) -> None:
    modules = imported(repo_store, *args)
    assert "pyoxigraph" in modules and "kg.cli.fast" in modules, "importtime was read"
    assert sorted(m for m in NOT_FOR_A_QUERY if m in modules) == []


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files kg hashes (the real hash, counted)."""
    calls: list[str] = []
    real = kg.sources.project.hash_file

    def counting(path: Path) -> str:
        calls.append(path.name)
        return real(path)

    monkeypatch.setattr(kg.sources.project, "hash_file", counting)
    return calls


def test_a_touched_file_is_hashed_once_not_on_every_command(project: Path, store: Path,
                                                            hashed: list[str]) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    hashed.clear()
    assert staleness(proj, store_dir.current()) is None
    assert hashed == [], "an untouched project is checked by stat alone"
    alpha = project / "data" / "alpha.ttl"
    stat = alpha.stat()
    os.utime(alpha, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same bytes
    assert staleness(proj, store_dir.current()) is None
    assert hashed == ["alpha.ttl"]
    assert staleness(proj, store_dir.current()) is None
    assert staleness(proj, store_dir.current()) is None
    assert hashed == ["alpha.ttl"], "the stat record was refreshed by the hash match"
    alpha.write_text(alpha.read_text() + "\n# now the content changes\n")
    assert staleness(proj, store_dir.current()) == "the sources changed since the last build"


def test_a_fresh_check_reads_the_stat_index_not_the_manifest(project: Path, store: Path
                                                             ) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    live = store_dir.current()
    assert (live.path / STAT_INDEX).is_file() and (live.path / "head.json").is_file()
    (live.path / "manifest.json").write_text("not read by a fresh check")
    assert staleness(proj, StoreDir(store).current()) is None


def test_files_added_in_new_or_existing_folders_make_the_store_stale(project: Path,
                                                                    store: Path) -> None:
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    write(project / "data" / "more" / "gamma.ttl", PREFIXES + PROJECT.format("gamma", "Gamma"))
    assert staleness(proj, store_dir.current()) == "the sources changed since the last build"
    build(proj, store_dir)
    assert staleness(proj, store_dir.current()) is None
    write(project / "data" / "more" / "delta.ttl", PREFIXES + PROJECT.format("delta", "Delta"))
    assert staleness(proj, store_dir.current()) == "the sources changed since the last build"


def test_a_hidden_file_coming_and_going_costs_one_look(project: Path, store: Path,
                                                       hashed: list[str]) -> None:
    """An editor's swap file changes the folder's mtime but is not a source."""
    proj, store_dir = find_project(project), StoreDir(store)
    build(proj, store_dir)
    index = store_dir.current().path / STAT_INDEX
    before = index.read_text()
    (project / "data" / ".alpha.ttl.swp").write_text("editor state")
    hashed.clear()
    assert staleness(proj, store_dir.current()) is None
    assert hashed == [] and index.read_text() != before, "the folder's new mtime is recorded"
    after = index.read_text()
    assert staleness(proj, store_dir.current()) is None
    assert index.read_text() == after


def test_a_second_query_reads_its_header_from_the_cache_not_yaml(repo_store: Path) -> None:
    imported(repo_store, "query", "lifecycle", "-f", "csv")  # the first run writes the cache
    assert (repo_store / "query-headers.json").is_file()
    assert "yaml" not in imported(repo_store, "query", "lifecycle", "-f", "csv")


def test_cached_headers_give_the_same_queries(tmp_path: Path) -> None:
    from kg.query.catalog import Catalog, HeaderCache

    plain = Catalog(REPO / "queries").all()
    cache = tmp_path / "headers.json"
    Catalog(REPO / "queries", HeaderCache(cache)).all()  # fills the cache
    assert len(json.loads(cache.read_text())) > 30
    assert Catalog(REPO / "queries", HeaderCache(cache)).all() == plain
    cache.write_text("not json")  # a broken cache is not used
    assert Catalog(REPO / "queries", HeaderCache(cache)).all() == plain
