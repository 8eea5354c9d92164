"""The installed tool: the README's main command as a subprocess, bundled sources, start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

KG = str(Path(sys.executable).parent / "kg")


def readme_quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", section, re.DOTALL)
    assert block, "the quick start has a shell block"
    return [line for line in block.group(1).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


def test_readme_quick_start_has_exactly_two_commands() -> None:
    commands = readme_quick_start()
    assert len(commands) == 2
    assert commands[0].startswith("pip install . && kg ")
    assert commands[1].startswith("pip install '.[test]' && ")


def test_readme_main_command_works_from_any_directory(tmp_path: Path) -> None:
    """The part after `pip install . &&` runs with the installed console script."""
    main = readme_quick_start()[0].split("&&", 1)[1].split()
    assert main[0] == "kg"
    done = subprocess.run([KG, *main[1:]], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = re.search(r"^\((\d+) rows?\)$", done.stdout, re.MULTILINE)
    assert rows and int(rows.group(1)) > 0, done.stdout


def test_installed_kg_ships_the_same_sources_as_the_checkout(tmp_path: Path) -> None:
    """Outside a checkout, kg uses the sources bundled in the package: they must match."""
    script = ("import json; from kg.sources.project import find_project; p = find_project(); "
              "print(json.dumps({'bundled': p.bundled, 'files': sorted("
              "s.relpath for s in p.sources(('ontology','shapes','data','queries')))}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path,
                          env=clean_env(tmp_path), capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    import kg

    if not Path(kg.__file__).resolve().is_relative_to(REPO):  # a real (non-editable) install
        assert found["bundled"] is True, "the wheel carries the sources as kg/_project"
    expected = sorted(p.relative_to(REPO).as_posix()
                      for part in ("ontology", "shapes", "data", "queries")
                      for p in (REPO / part).rglob("*.ttl"))
    assert found["files"] == expected
    queries = subprocess.run([KG, "queries"], cwd=tmp_path, env=clean_env(tmp_path),
                             capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in queries.splitlines()]
    assert names == sorted(p.stem for p in (REPO / "queries").glob("*.rq"))


def test_help_and_query_do_not_import_rdflib_or_pyshacl(repo_store: Path, tmp_path: Path
                                                        ) -> None:
    script = (
        "import sys\n"
        "from kg.cli import cli\n"
        "for args in (['--help'], ['query', '-e', 'ASK {}'], ['queries']):\n"
        "    try:\n"
        "        cli.main(args, prog_name='kg')\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code in (0, None), (args, exit.code)\n"
        "print('\\nLOADED', sorted(m for m in ('rdflib', 'pyshacl') if m in sys.modules))\n"
    )
    env = {**clean_env(tmp_path), "KG_PROJECT": str(REPO), "KG_STORE": str(repo_store)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Building" not in done.stderr, "the shared store was fresh"
    assert done.stdout.rstrip().endswith("LOADED []")
