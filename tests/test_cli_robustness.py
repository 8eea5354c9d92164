"""The CLI under unlucky conditions: closed pipes, Ctrl-C, read-only stores, unvalidated
builds, long values, misspelt terms. Real processes where the condition needs one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PREFIXES, Run, copy_of_repo, write

KG = [sys.executable, "-m", "kg"]
VIOLATION = PREFIXES + "exd:broken a ex:Project .\n"  # a project needs a label in the mini shapes


def kg_process(project: Path, store: Path, *args: str, env_extra: dict[str, str] | None = None,
               **kwargs) -> subprocess.Popen:
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store), **(env_extra or {})}
    env.pop("KG_DEBUG", None)
    return subprocess.Popen([*KG, *args], env=env, stderr=subprocess.PIPE, text=True, **kwargs)


# -- pipes and interrupts -----------------------------------------------------------------------

@pytest.mark.parametrize("args", [("stats",), ("build",), ("query", "projects", "-f", "csv")])
def test_a_closed_pipe_is_a_normal_end(run: Run, project: Path, store: Path,
                                       args: tuple[str, ...]) -> None:
    assert run("build").exit_code == 0
    process = kg_process(project, store, *args, stdout=subprocess.PIPE, bufsize=0)
    process.stdout.readline()  # `| head -1`
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=60) == 0, error
    assert error == ""


@pytest.fixture(scope="module")
def build_duration_s(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long a whole build of the repository's sources takes here, start-up included: the
    faster of two, since the first after a fresh install also fills the caches, and a signal
    aimed by a slow first build lands after a later build has already finished."""
    from conftest import REPO

    durations = []
    for attempt in range(2):
        started = time.monotonic()
        process = kg_process(REPO, tmp_path_factory.mktemp(f"timed{attempt}") / "store", "build",
                             stdout=subprocess.DEVNULL)
        process.stderr.read()
        assert process.wait(timeout=300) == 0
        durations.append(time.monotonic() - started)
    return min(durations)


@pytest.mark.parametrize("share", [0.2, 0.4, 0.6])
def test_ctrl_c_while_working_is_one_sentence(store: Path, build_duration_s: float,
                                              share: float) -> None:
    """The repository's own sources, the signal sent a share of the way through a build as
    long as one measured just before, so it lands mid-work however fast the machine is."""
    from conftest import REPO

    process = kg_process(REPO, store, "build", stdout=subprocess.DEVNULL)
    time.sleep(share * build_duration_s)
    process.send_signal(signal.SIGINT)
    error = process.stderr.read()
    code = process.wait(timeout=60)
    assert code == 130, error
    assert error.strip().splitlines() == ["Error: interrupted; nothing was changed."]


#: Raise KeyboardInterrupt, as Ctrl-C would, at the moment the named module is imported:
#: the first fraction of a second, before any command runs, where timing a real signal
#: on a loaded machine cannot aim.
INTERRUPT_AT_IMPORT = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv = ["kg", "build"]
from kg.__main__ import main
main()
"""


@pytest.mark.parametrize("module", ["click", "kg.cli.common", "kg.cli.serve"])
def test_ctrl_c_while_starting_is_the_same_sentence(project: Path, store: Path,
                                                    module: str) -> None:
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store)}
    done = subprocess.run([sys.executable, "-c", INTERRUPT_AT_IMPORT.format(module=module)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines() == ["Error: interrupted; nothing was changed."]


# -- read-only stores ---------------------------------------------------------------------------

def read_only(store: Path, *command: str) -> subprocess.CompletedProcess:
    """Run ``command`` with ``store`` on a read-only file system (a read-only bind mount in a
    mount namespace of its own when root, which permissions cannot stop; else chmod)."""
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("unshare is not installed")
        inner = f'mount --bind -o ro "{store}" "{store}" && exec "$@"'
        probe = subprocess.run(["unshare", "-m", "sh", "-c", inner, "sh", "true"],
                               capture_output=True)
        if probe.returncode != 0:
            pytest.skip("cannot make a read-only bind mount here")
        return subprocess.run(["unshare", "-m", "sh", "-c", inner, "sh", *command],
                              capture_output=True, text=True)
    for path in [store, *store.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        return subprocess.run(list(command), capture_output=True, text=True)
    finally:
        for path in [store, *store.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_a_read_only_store_still_answers(run: Run, project: Path, store: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("build").exit_code == 0
    monkeypatch.setenv("KG_PROJECT", str(project))
    monkeypatch.setenv("KG_STORE", str(store))
    built = read_only(store, *KG, "build")
    assert built.returncode == 1, built.stderr
    assert "Cannot write the store" in built.stderr and "unexpected" not in built.stderr
    assert "previous store is unchanged" in built.stderr
    write(project / "data" / "gamma.ttl", PREFIXES + 'exd:gamma a ex:Project ; rdfs:label '
          '"Gamma"@en ; ex:developedBy exd:lab-one .\n')
    asked = read_only(store, *KG, "query", "projects", "-f", "csv")
    assert asked.returncode == 0, asked.stderr
    assert "Alpha" in asked.stdout and "Gamma" not in asked.stdout  # the last good build
    assert "answering from the last good build" in asked.stderr


# -- builds that skipped validation ---------------------------------------------------------------

def test_an_unvalidated_build_is_never_published(run: Run, project: Path, tmp_path: Path) -> None:
    write(project / "data" / "broken.ttl", VIOLATION)
    assert run("build", "--no-validate").exit_code == 0
    status = run("status")
    assert "NOT validated" in status.output and "up to date" in status.output
    for args in (["export"], ["release", "-o", str(tmp_path / "dist")],
                 ["serve", "--port", "0"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "--no-validate" in result.output and "validated sources only" in result.output
        assert "exd:broken" not in result.output
    assert not (tmp_path / "dist").exists()
    (project / "data" / "broken.ttl").unlink()
    assert run("build").exit_code == 0
    assert "validated against the shapes" in run("status").output
    assert run("export").exit_code == 0


def test_a_store_rocksdb_finds_corrupt_is_reported_by_every_command(
        run: Run, store: Path) -> None:
    """RocksDB raises RuntimeError on corruption. Every reader opens the store the same way, so
    each command says so in one sentence, and `kg serve` says it first, before any warning
    about what depends on the store. (`kg export` answers from the dump kept in the build and
    needs no database.)"""
    assert run("build").exit_code == 0
    database = store / "builds" / (store / "CURRENT").read_text(encoding="utf-8").strip()
    database /= "oxigraph"
    (database / "CURRENT").write_text("not a manifest\n", encoding="utf-8")
    for args in (["serve", "--port", "0"], ["query", "projects"], ["stats"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "cannot be opened" in result.output and "unexpected" not in result.output
        assert "run `kg build`" in result.output
        assert "warning" not in result.output
    # The server's workers open it the same way, and the pool raises what they found.
    from kg.errors import StoreError
    from kg.serve.pool import WorkerPool

    with pytest.raises(StoreError, match=r"cannot be opened.*run `kg build`"):
        WorkerPool(str(database), 1)


# -- tables ---------------------------------------------------------------------------------------

LONG = ("A recommendation long enough to need wrapping on any ordinary terminal, with "
        "every word of it kept, from the first to the very last one here.")


def long_label(project: Path) -> None:
    write(project / "data" / "long.ttl", PREFIXES + f'exd:long a ex:Project ; rdfs:label '
          f'"{LONG}"@en ; ex:developedBy exd:lab-one .\n')


def test_tables_keep_whole_values_in_a_pipe(run: Run, project: Path) -> None:
    long_label(project)
    result = run("query", "projects")  # CliRunner's stdout is not a terminal
    assert result.exit_code == 0, result.output
    assert LONG in result.output


def test_width_wraps_every_value_without_cutting_it(run: Run, project: Path) -> None:
    long_label(project)
    result = run("query", "projects", "--width", "60")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert "…" not in result.stdout and LONG not in result.stdout  # wrapped, not cut
    for word in LONG.split():
        assert word in result.stdout
    wide = run("query", "projects", "--width", "60", "--wide")
    assert LONG in wide.stdout


def test_a_terminal_gets_the_table_wrapped_to_its_width(project: Path, store: Path) -> None:
    """On a real pseudo-terminal, kg query wraps to the terminal's width."""
    import pty

    long_label(project)
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store),
           "COLUMNS": "70", "LINES": "40"}
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe(KG[0], [*KG, "query", "projects"], env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    text = output.decode()
    table = [line for line in text.splitlines() if line.strip() and "Building" not in line]
    assert all(len(line) <= 70 for line in table), table
    for word in LONG.split():
        assert word in text


# -- messages -------------------------------------------------------------------------------------

def test_a_misspelt_term_is_named_on_stderr(run_repo: Run) -> None:
    """The README once showed `olc:Project`, which the ontology does not define."""
    result = run_repo("query", "-e", "SELECT * WHERE { ?s a olc:Project }")
    assert result.exit_code == 0
    assert "warning: olc:Project is not in the graph" in result.stderr
    assert "(0 rows)" in result.stdout
    fine = run_repo("query", "-e", "SELECT * WHERE { ?s a olc:OpenLLMProject ; "
                    "<https://w3id.org/olckg/ontology#organisationalModel> ?m }")
    assert "warning" not in fine.stderr and "(0 rows)" not in fine.stdout
    iri = run_repo("query", "-e", "ASK { ?s <https://w3id.org/olckg/ontology#nope> ?o }")
    assert "warning: olc:nope is not in the graph" in iri.stderr


@pytest.mark.parametrize("validator", ["sparql", "pyshacl"])
def test_an_ill_typed_literal_is_a_violation_not_a_traceback(tmp_path: Path,
                                                             validator: str) -> None:
    """rdflib logs a traceback for each literal it cannot convert; curators get the shape's
    words and the file instead."""
    project = copy_of_repo(tmp_path / "project")
    pythia = project / "data" / "projects" / "pythia.ttl"
    text = pythia.read_text()
    assert '"2023-04-03"^^xsd:date' in text
    pythia.write_text(text.replace('"2023-04-03"^^xsd:date', '"2023-13-45"^^xsd:date', 1))
    process = kg_process(project, tmp_path / "store", "validate", stdout=subprocess.PIPE,
                         env_extra={"KG_VALIDATOR": validator})
    output, error = process.communicate(timeout=600)
    assert process.returncode == 1, error
    assert "Traceback" not in output + error and "Failed to convert" not in output + error
    assert "data/projects/pythia.ttl" in output and '"2023-13-45"^^xsd:date' in output


def test_an_unknown_validator_is_named(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_VALIDATOR", "oxigraph")
    result = run("validate")
    assert result.exit_code == 1
    assert "KG_VALIDATOR is 'oxigraph'; it must be 'sparql'" in result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output


@pytest.mark.parametrize("threads", ["0", "two", "-1"])
def test_a_bad_validation_thread_count_is_named(run: Run, monkeypatch: pytest.MonkeyPatch,
                                                threads: str) -> None:
    monkeypatch.setenv("KG_VALIDATION_THREADS", threads)
    result = run("validate")
    assert result.exit_code == 1
    assert f"KG_VALIDATION_THREADS is {threads!r}; it must be a whole number" in result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
