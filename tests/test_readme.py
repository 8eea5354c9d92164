"""Every command the README shows runs as shown.

The `kg` and `curl` lines of the README's shell blocks run, in order, in a private copy of
the repository (so `kg new project` and `kg export -o …` write there), with Wikidata's
service replaced by the loopback stand-in (the documented KG_WIKIDATA_ENDPOINT) and `kg
serve` on a free port that the `curl` lines are pointed at. The commands that install or run
for minutes (pip, pytest, bench/, .ci/run) are checked to exist and parse their options.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"
#: Commands whose documented outcome, on the test's data, is not exit 0, and why.
NOT_ZERO = {
    # The stand-in holds test items only, so the real links do not check out against it.
    "kg link wikidata --check": 1,
}


def shell_lines(text: str) -> list[str]:
    """The commands of every ```sh block, continuation lines joined, comments dropped."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


COMMANDS = shell_lines(README.read_text(encoding="utf-8"))


def test_the_readme_shows_commands() -> None:
    assert any(c.startswith("kg serve") for c in COMMANDS)
    assert sum(c.startswith("kg ") for c in COMMANDS) >= 20


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    for part in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / part, root / part)
    if (REPO.parent / "shared").is_dir():  # the catalogue snapshots `kg import` reads
        (tmp_path / "shared").symlink_to(REPO.parent / "shared")
    return root


def test_every_kg_and_curl_command_runs(checkout: Path, wikidata_standin: str) -> None:
    env = {**os.environ, "KG_WIKIDATA_ENDPOINT": wikidata_standin, "KG_PROGRESS_DELAY": "999"}
    for name in ("KG_PROJECT", "KG_STORE", "KG_DEBUG"):
        env.pop(name, None)
    kg = [sys.executable, "-m", "kg"]
    server = None
    scaffolded: list[str] = []
    try:
        for command in COMMANDS:
            words = shlex.split(command)
            if words[0] == "kg" and words[1:2] == ["serve"]:
                server, port = start_server([*kg, *words[1:], "--port", "0"], checkout, env)
                continue
            if words[:2] == ["kg", "import"] and not (checkout.parent / "shared").exists():
                continue  # no ../shared/external snapshot beside this checkout
            if words[0] == "curl":
                if server is None:
                    pytest.fail(f"{command!r} comes before `kg serve` in the README")
                if not shutil.which("curl"):
                    continue  # the endpoint itself is tested with real clients elsewhere
                words = [w.replace("127.0.0.1:7878", f"127.0.0.1:{port}") for w in words]
                done = subprocess.run([*words, "--fail", "--silent", "--show-error"],
                                      capture_output=True, text=True, timeout=60)
                assert done.returncode == 0, (command, done.stderr)
                assert done.stdout.strip(), command
                continue
            if words[0] != "kg":
                continue
            done = subprocess.run([*kg, *words[1:]], cwd=checkout, env=env,
                                  capture_output=True, text=True, timeout=300)
            expected = NOT_ZERO.get(command, 0)
            assert done.returncode == expected, (command, done.stdout[-2000:], done.stderr)
            assert "Traceback" not in done.stderr, command
            if words[1:3] == ["new", "project"]:
                scaffolded.append(set_aside_new_record(checkout, words[3], kg, env))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert (checkout / "olckg.ttl").is_file() and scaffolded == ["my-llm"]


def set_aside_new_record(checkout: Path, slug: str, kg: list[str], env: dict) -> str:
    """A new record is valid RDF whose TODO sources `kg validate` points at, as the README
    says; the commands after it run on the data without it, as a curator's would until the
    TODOs are filled."""
    record = checkout / "data" / "projects" / f"{slug}.ttl"
    done = subprocess.run([*kg, "validate", str(record)], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "TODO" in done.stdout, (done.stdout, done.stderr)
    record.unlink()
    return slug


def start_server(command: list[str], cwd: Path, env: dict) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        match = re.search(r"at http://[\d.]+:(\d+)/", line)
        if match:
            return process, int(match[1])
    raise AssertionError(f"kg serve did not start (exit {process.wait()})")


@pytest.mark.parametrize("script", sorted({c.split()[1] for c in COMMANDS
                                           if c.startswith("python bench/")}))
def test_every_benchmark_the_readme_shows_parses_its_options(script: str) -> None:
    done = subprocess.run([sys.executable, str(REPO / script), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


def test_the_other_commands_name_real_files() -> None:
    assert (REPO / ".ci" / "run").is_file()
    extras = {m for c in COMMANDS for m in re.findall(r"\.\[(\w+)\]", c)}
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for extra in extras:
        assert re.search(rf"^{extra} = \[", pyproject, re.MULTILINE), extra
