"""`kg query`'s fast path (kg.cli.fast) answers exactly as the click command does.

Each invocation runs twice as a new process, once as users run it and once with
KG_NO_FAST_PATH=1 (the click command alone): stdout, stderr and the exit code must be the
same. The importtime lines of the first run say whether click was loaded, i.e. whether the
fast path answered or left the invocation to click.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from kg.cli.fast import parse

#: (arguments, answered without click?)
INVOCATIONS = [
    (["lifecycle"], True),
    (["lifecycle", "-f", "csv"], True),
    (["lifecycle", "--format=json"], True),
    (["lifecycle", "--width", "40"], True),
    (["lifecycle", "--wide", "-f", "tsv"], True),
    (["model-releases", "--page", "1", "-f", "csv"], True),  # a next page follows (stderr)
    (["model-releases", "--page", "99", "-f", "csv"], True),  # the last page (stderr)
    (["model-releases", "--all", "-f", "csv"], True),
    (["projects-in-region", "-p", "place=Europe", "-f", "csv"], True),
    (["-e", "ASK {}"], True),
    (["-e", "SELECT ?s WHERE { ?s a olc:NoSuchClass }", "-f", "csv"], True),  # a warning
    (["queries/lifecycle.rq", "-f", "xml"], True),
    (["-e", "SELECT WHERE {"], False),  # a syntax error: click reports it
    (["no-such-query"], False),
    (["lifecycle", "--page", "2"], False),  # not a paged query
    (["model-releases", "--page", "1", "--all"], False),
    (["projects-in-region", "-p", "place"], False),  # not NAME=VALUE
    (["lifecycle", "-f", "yaml"], False),
    (["lifecycle", "--width", "5"], False),
    (["lifecycle", "-fcsv"], False),  # bundled short options are click's to read
    (["lifecycle", "-h"], False),
    (["lifecycle", "lifecycle"], False),
    ([], False),
    (["-e", "ASK {}", "lifecycle"], False),
    (["missing.rq"], False),
]


def run(repo_store: Path, arguments: list[str], *, fast: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_PROJECT=str(REPO), KG_STORE=str(repo_store))
    command = [sys.executable, "-m", "kg", "query", *arguments]
    if fast:
        command[1:1] = ["-X", "importtime"]
    else:
        env["KG_NO_FAST_PATH"] = "1"
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60,
                          cwd=REPO)


@pytest.mark.parametrize(("arguments", "without_click"), INVOCATIONS,
                         ids=[" ".join(a) or "(none)" for a, _ in INVOCATIONS])
def test_the_fast_path_answers_as_click_does(repo_store: Path, arguments: list[str],
                                             without_click: bool) -> None:
    fast = run(repo_store, arguments, fast=True)
    imports = [line for line in fast.stderr.splitlines() if line.startswith("import time:")]
    stderr = "".join(line + "\n" for line in fast.stderr.splitlines()
                     if not line.startswith("import time:"))
    assert imports, "importtime was read"
    used_click = any(line.rsplit("|", 1)[1].strip() == "click" for line in imports)
    assert used_click is not without_click
    reference = run(repo_store, arguments, fast=False)
    assert (fast.returncode, fast.stdout, stderr) == \
        (reference.returncode, reference.stdout, reference.stderr)
    assert fast.stdout or stderr, "the invocation said something"


def test_output_to_a_file_is_the_same(repo_store: Path, tmp_path: Path) -> None:
    answers = []
    for fast in (True, False):
        target = tmp_path / f"answer-{fast}.csv"
        done = run(repo_store, ["model-releases", "-f", "csv", "-o", str(target)], fast=fast)
        assert done.returncode == 0 and done.stdout == ""
        answers.append(target.read_bytes())
    assert answers[0] == answers[1] and answers[0].startswith(b"release,")


@pytest.mark.parametrize("variable", ["KG_ENDPOINT", "KG_WIKIDATA_ENDPOINT", "KG_DEBUG"])
def test_environment_only_click_handles_sends_the_query_there(repo_store: Path,
                                                             variable: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_PROJECT=str(REPO), KG_STORE=str(repo_store))
    env[variable] = "1" if variable == "KG_DEBUG" else "http://127.0.0.1:9/sparql"
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", "query",
                           "lifecycle", "-f", "csv"], env=env, capture_output=True,
                          text=True, timeout=60)
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:")}
    assert "click" in modules and "kg.cli.fast" in modules


def test_parse_reads_options_as_click_does() -> None:
    options = parse(["-f", "csv", "x", "--page=3", "-p", "a=1", "--param", "b=2", "--all"])
    assert options is not None
    assert (options["query"], options["--format"], options["--page"], options["--param"],
            options["--all"]) == ("x", "csv", 3, ["a=1", "b=2"], True)
    assert parse(["x", "--", "-y"]) is None  # two positionals: click says so
    assert parse(["x", "-f"]) is None  # a value missing
    assert parse(["x", "-o", "a", "-o", "b"]) is None  # repeated
    assert parse(["x", "--endpoint", "http://127.0.0.1:1/"]) is None
    assert parse(["-"]) is None  # stdin is read once


def test_a_store_that_cannot_be_opened_is_reported_as_click_reports_it(
        repo_store: Path, tmp_path: Path) -> None:
    """The fast path opens the store on a thread while it reads the query; the thread's
    error must still reach the user, through click's form, with the same words and code."""
    import shutil

    broken = tmp_path / "store"
    shutil.copytree(repo_store, broken)
    current = (broken / "CURRENT").read_text(encoding="utf-8").strip()
    database = broken / "builds" / current / "oxigraph"
    shutil.rmtree(database)
    database.mkdir()  # there, so the build counts as live, but no RocksDB in it
    (database / "CURRENT").write_text("not a manifest\n", encoding="utf-8")
    fast = run(broken, ["lifecycle", "-f", "csv"], fast=True)
    reference = run(broken, ["lifecycle", "-f", "csv"], fast=False)
    stderr = "".join(line + "\n" for line in fast.stderr.splitlines()
                     if not line.startswith("import time:"))
    assert "cannot be opened" in reference.stderr and reference.returncode != 0
    assert (fast.returncode, fast.stdout, stderr) == \
        (reference.returncode, reference.stdout, reference.stderr)
    assert any(line.rsplit("|", 1)[1].strip() == "click"
               for line in fast.stderr.splitlines() if line.startswith("import time:"))
