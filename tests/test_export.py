"""kg export: deterministic Turtle that round-trips into the same graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from conftest import Run


def canonical(quads: list[ox.Quad]) -> str:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "\n".join(sorted(str(q) for q in dataset))


def test_export_is_byte_identical_across_fresh_builds(run: Run, store: Path) -> None:
    first = run("export").stdout_bytes
    import shutil

    shutil.rmtree(store)  # a fresh build renames every blank node
    second = run("export").stdout_bytes
    assert first == second
    assert first.startswith(b"# The Open LLM Collaboration Knowledge Graph: ")


def test_export_round_trips_to_the_built_graph(run: Run, store: Path, tmp_path: Path) -> None:
    out = tmp_path / "dump.ttl"
    assert run("export", "-o", str(out)).exit_code == 0
    text = out.read_text()
    assert "@prefix ex: <http://example.org/mini#> ." in text
    assert "@prefix sh:" not in text, "only prefixes the dump uses are declared"
    assert "exd:alpha a ex:Project ;" in text
    reloaded = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.TURTLE))
    from kg.store import StoreDir

    live = StoreDir(store).current()
    built = list(live.open().quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert canonical(reloaded) == canonical(built)
