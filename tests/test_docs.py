"""Is it documented? Every command and option is in the README; the code is lint-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import REPO

from kg.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(command: str) -> str:
    marker = f"### kg {command}\n"
    assert marker in README, f"README has no section for `kg {command}`"
    return README.split(marker, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


def leaf_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command users run, with subcommands of groups spelled out ("new project")."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(leaf_commands(command, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = leaf_commands(cli)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    text = section(name)
    assert "Exit 0" in text, f"the section for kg {name} states its exit codes"
    for param in COMMANDS[name].params:
        if isinstance(param, click.Option) and param.name not in ("project_arg", "store_arg"):
            assert any(opt in text for opt in param.opts), f"{param.opts} of kg {name}"


def test_every_prebuilt_query_has_a_summary() -> None:
    from kg.query.catalog import Catalog

    for query in Catalog(REPO / "queries").all():
        assert query.summary, f"queries/{query.name}.rq has no #+ summary"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install '.[test]' installs it)")
    done = subprocess.run([ruff, "check", "kg", "tests", "bench"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
