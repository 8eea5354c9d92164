"""pySHACL's fast paths are fenced to the releases they were written for, and change nothing.

``kg.validate.pyshacl_run.fast_paths`` patches pySHACL internals; the same validation with and
without them must give the same report, on every shape's failing fixture and on the real data.
"""

from __future__ import annotations

import pytest
from conftest import REPO
from test_shapes import CASES, check
from test_shapes import base as shapes_base

import kg.validate.pyshacl_run as pyshacl_run
from kg.sources.parsing import parse_sources
from kg.sources.project import find_project
from kg.validate.core import validate

base = shapes_base  # the fixture: the ontology and sources a fixture is validated with
FIXTURES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.fixture(autouse=True)
def pyshacl_engine(monkeypatch):
    """These tests are about the pySHACL path (the in-store engine has its own tests)."""
    monkeypatch.setenv("KG_VALIDATOR", "pyshacl")


@pytest.fixture
def plain_pyshacl(monkeypatch):
    """Pretend the installed pySHACL is a release the fast paths were not written for."""
    monkeypatch.setattr(pyshacl_run, "FAST_PATH_VERSIONS", {"pyshacl": ("0.0.",)})
    monkeypatch.setattr(pyshacl_run, "_noticed", [])


def test_fast_paths_fit_the_pinned_release() -> None:
    assert pyshacl_run.fast_paths_fit() is None


def test_another_release_falls_back_with_a_one_line_notice(plain_pyshacl, capsys) -> None:
    reason = pyshacl_run.fast_paths_fit()
    assert reason is not None and "pyshacl" in reason
    import pyshacl.shape

    before = pyshacl.shape.Shape.validate
    with pyshacl_run.fast_paths():
        assert pyshacl.shape.Shape.validate is before  # nothing patched
    with pyshacl_run.fast_paths():
        pass
    notices = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(notices) == 1 and notices[0].startswith("notice: pyshacl ")


@pytest.mark.parametrize("name", FIXTURES)
def test_same_report_with_and_without_fast_paths(base, name: str, request) -> None:
    fixture = CASES / name / "invalid.ttl"
    fast = check(base, fixture)
    request.getfixturevalue("plain_pyshacl")
    plain = check(base, fixture)
    assert fast == plain
    assert plain, "an invalid fixture gives results"


def test_same_report_on_the_real_data(request) -> None:
    project = find_project(REPO)
    data = parse_sources(project.sources(("ontology", "data")))
    shapes = parse_sources(project.sources(("shapes",)))
    fast = validate(data, shapes).results
    request.getfixturevalue("plain_pyshacl")
    assert validate(data, shapes).results == fast
