"""One exit-code contract for every command (the table in the README's CLI reference).

0 success; 1 the command ran and the outcome is a failure; 2 the request cannot be
understood (usage or input); 130 interrupted. Each row is one case a user meets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, write

VIOLATION = """@prefix ex: <http://example.org/mini#> .
@prefix exd: <http://example.org/mini/id/> .
exd:broken a ex:Project .
"""

CASES = [
    # (arguments, exit code, words the one-line message must contain)
    (["query", "projects"], 0, None),
    (["query", "no-such-query"], 2, "No prebuilt query named 'no-such-query'"),
    (["query", "projects", "--param", "nope=1"], 2, "has no parameter nope"),
    (["query", "projects", "--format", "turtle"], 2, "--format turtle is for CONSTRUCT"),
    (["query", "missing.rq"], 2, "no such query file: missing.rq"),
    (["query", "-e", "SELECT * WHERE { ?s ?p }"], 2, "syntax error at line 1"),
    (["query", "-e", "SELECT * WHERE { ?s a nope:Thing }"], 2, "unknown prefix `nope:`"),
    (["query", "-e", "SELECT * WHERE { ?s ?p ?o }", "--format", "bogus"], 2, "bogus"),
    (["queries", "no-such-query"], 2, "No prebuilt query named"),
    (["no-such-command"], 2, "No such command"),
    (["build", "--no-such-option"], 2, "No such option"),
    (["validate", "missing.ttl"], 2, "does not exist"),
    (["query", "projects", "--endpoint", "ftp://x"], 2, "is not an http(s) URL"),
    (["query", "projects", "--endpoint", "http://127.0.0.1:1/sparql"], 1,
     "cannot reach the endpoint http://127.0.0.1:1/sparql"),
    (["publish", "--endpoint", "ftp://x"], 2, "is not an http(s) URL"),
    (["publish", "--endpoint", "http://127.0.0.1:1/store"], 1,
     "cannot reach the endpoint http://127.0.0.1:1/store"),
    (["publish", "--endpoint", "http://127.0.0.1:1/store", "--dry-run"], 0, None),
]


@pytest.mark.parametrize(("args", "code", "words"), CASES,
                         ids=[" ".join(c[0]) for c in CASES])
def test_exit_code(run: Run, args: list[str], code: int, words: str | None) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    if words is not None:
        assert words in result.output
    assert "Traceback" not in result.output


def test_violations_exit_1(run: Run, project: Path) -> None:
    write(project / "data" / "broken.ttl", VIOLATION)
    assert run("validate").exit_code == 1
    build = run("build")
    assert build.exit_code == 1 and "SHACL violation" in build.output


def test_a_syntax_error_in_data_exits_2_with_file_line_column(run: Run, project: Path) -> None:
    write(project / "data" / "bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    result = run("build")
    assert result.exit_code == 2 and "data/bad.ttl:2:" in result.output
