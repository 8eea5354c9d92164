"""kg stats and kg status."""

from __future__ import annotations

import json

from conftest import Run


def test_stats_counts_triples_classes_and_properties(run: Run) -> None:
    result = run("stats", "--format", "json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    classes = {c["class"]: c["instances"] for c in stats["classes"]}
    assert classes["http://example.org/mini#Project"] == 2
    assert classes["http://example.org/mini#Lab"] == 1
    uses = {p["property"]: p["uses"] for p in stats["properties"]}
    assert uses["http://example.org/mini#developedBy"] == 3
    assert stats["triples"] == sum(uses.values())


def test_stats_table_uses_compact_names(run: Run) -> None:
    out = run("stats").stdout
    assert out.startswith("triples: ")
    assert "ex:Project" in out and "rdfs:label" in out


def test_status_says_where_the_store_is_and_whether_it_is_fresh(run: Run, project, store) -> None:
    out = run("status").stdout
    assert f"store:   {store}" in out and "none yet" in out
    run("build")
    assert "state:   up to date" in run("status").stdout
    (project / "data" / "alpha.ttl").write_text(
        (project / "data" / "alpha.ttl").read_text() + "\n# edited\n")
    assert "state:   stale (the sources changed since the last build)" in run("status").stdout
