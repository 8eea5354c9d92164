"""Shared fixtures: real projects in temporary directories, real stores, the real CLI."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from virtuoso import Virtuoso
from virtuoso import missing as virtuoso_missing
from virtuoso import required as virtuoso_required

from kg.cli import cli
from kg.sources.project import PARTS

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-expected", action="store_true",
                     help="Rewrite tests/queries/*.csv from the current answers (review the diff).")
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the mini fixture project, which a test may break.

    Pipeline tests use this small, stable project so that they do not change whenever the
    curated data does; tests of the real data use ``run_repo``.
    """
    root = tmp_path / "project"
    for part in PARTS:
        shutil.copytree(MINI / part, root / part)
    return root


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


Run = Callable[..., Result]


@pytest.fixture
def run(project: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke ``kg`` on the private project and store; returns click's Result."""
    monkeypatch.setenv("KG_PROJECT", str(project))
    monkeypatch.setenv("KG_STORE", str(store))
    monkeypatch.delenv("KG_DEBUG", raising=False)

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sources, built once for the read-only tests."""
    from kg.sources.project import find_project
    from kg.store.builds import StoreDir
    from kg.store.pipeline import build

    path = tmp_path_factory.mktemp("repo-store")
    build(find_project(REPO), StoreDir(path))
    return path


@pytest.fixture
def run_repo(repo_store: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke ``kg`` read-only against the repository's sources and the shared store."""
    monkeypatch.setenv("KG_PROJECT", str(REPO))
    monkeypatch.setenv("KG_STORE", str(repo_store))
    monkeypatch.delenv("KG_DEBUG", raising=False)

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def wikidata_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on loopback holding tests/fixtures/wikidata/standin.ttl.

    It stands in for Wikidata's query service (no network in tests); yields its endpoint URL.
    """
    from kg.serve.assets import oxigraph_binary, serve_read_only

    location = tmp_path_factory.mktemp("wikidata") / "db"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file",
                    str(Path(__file__).parent / "fixtures" / "wikidata" / "standin.ttl")],
                   check=True, capture_output=True)
    process, port = serve_read_only(location)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A real Virtuoso on loopback, started once, stopped at the end. No data loaded."""
    reason = virtuoso_missing()
    if reason:
        if virtuoso_required():
            pytest.fail(f"KG_REQUIRE_VIRTUOSO is set but {reason}")
        pytest.skip(reason)
    server = Virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_loaded(virtuoso: Virtuoso, repo_store: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Virtuoso:
    """The Virtuoso above with the repository's N-Quads dump loaded (one graph per part)."""
    import os

    dump = tmp_path_factory.mktemp("dump") / "olckg.nq"
    env = {"KG_PROJECT": str(REPO), "KG_STORE": str(repo_store)}
    result = CliRunner(env=env).invoke(cli, ["export", "-f", "nquads", "-o", str(dump)],
                                       catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert os.path.getsize(dump) > 0
    virtuoso.load_nquads(dump)
    return virtuoso


def copy_of_repo(root: Path) -> Path:
    """A private copy of the repository's sources at ``root``, which a test may break."""
    for part in PARTS:
        shutil.copytree(REPO / part, root / part)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PREFIXES = """\
@prefix ex:   <http://example.org/mini#> .
@prefix exd:  <http://example.org/mini/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
