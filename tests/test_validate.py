"""kg validate: a report a curator can act on, and exit codes scripts can rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from conftest import PREFIXES, Run, write

BAD_PROJECT = PREFIXES + """
exd:gamma a ex:Project ;
    rdfs:label "Gamma" ;
    ex:developedBy exd:nobody ;
    ex:size "large" .
"""


def test_conforming_data_exits_0(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert "3 files checked: conforms (0 violations, 0 warnings, 0 infos)" in result.stdout


def test_text_report_names_file_focus_path_value_severity_and_message(
        run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", BAD_PROJECT)
    result = run("validate")
    assert result.exit_code == 1
    out = result.stdout
    assert "data/gamma.ttl: Violation: exd:gamma ex:developedBy" in out
    assert "    A project needs a developing organisation." in out
    assert "    value: exd:nobody" in out
    assert "shape: exs:ProjectShape (property ex:developedBy)" in out
    assert "constraint: sh:ClassConstraintComponent" in out
    assert 'data/gamma.ttl: Violation: exd:gamma rdfs:label' in out
    assert '    value: "Gamma"' in out
    assert "data/gamma.ttl: Warning: exd:gamma ex:size" in out
    assert "does not conform (2 violations, 1 warning, 0 infos)" in out


def test_json_report_has_every_field(run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", BAD_PROJECT)
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert (report["violations"], report["warnings"]) == (2, 1)
    by_path = {r["path"]: r for r in report["results"]}
    assert by_path["ex:developedBy"] == {
        "severity": "Violation",
        "file": "data/gamma.ttl",
        "focus": "exd:gamma",
        "path": "ex:developedBy",
        "value": "exd:nobody",
        "message": "A project needs a developing organisation.",
        "shape": "exs:ProjectShape (property ex:developedBy)",
        "component": "sh:ClassConstraintComponent",
    }
    assert by_path["ex:size"]["severity"] == "Warning"
    assert by_path["ex:size"]["value"] == '"large"'


def test_turtle_report_is_a_shacl_validation_report(run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", BAD_PROJECT)
    result = run("validate", "--format", "turtle")
    assert result.exit_code == 1
    store = ox.Store()
    store.load(result.stdout_bytes, format=ox.RdfFormat.TURTLE)
    answer = store.query("""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?conforms (COUNT(?r) AS ?n) WHERE {
          ?report a sh:ValidationReport ; sh:conforms ?conforms ; sh:result ?r }
        GROUP BY ?conforms""")
    rows = [(s["conforms"].value, s["n"].value) for s in answer]
    assert rows == [("false", "3")]


def test_files_narrow_the_report_but_the_whole_graph_is_validated(
        run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", BAD_PROJECT)
    # beta.ttl links to exd:lab-one, which is described in alpha.ttl: still resolves.
    result = run("validate", str(project / "data" / "beta.ttl"))
    assert result.exit_code == 0, result.stdout
    assert "1 file checked: conforms" in result.stdout
    result = run("validate", str(project / "data" / "gamma.ttl"))
    assert result.exit_code == 1
    assert "data/gamma.ttl: Violation" in result.stdout


def test_a_new_file_outside_the_project_is_checked_against_it(
        run: Run, tmp_path: Path) -> None:
    contribution = write(tmp_path / "contrib" / "delta.ttl", PREFIXES
                         + 'exd:delta a ex:Project ; rdfs:label "Delta"@en ; '
                           'ex:developedBy exd:lab-one .\n')
    result = run("validate", str(contribution))
    assert result.exit_code == 0, result.stdout
    bad = write(tmp_path / "contrib" / "epsilon.ttl", PREFIXES
                + 'exd:epsilon a ex:Project ; rdfs:label "Epsilon"@en .\n')
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: Violation: exd:epsilon ex:developedBy" in result.stdout


def test_unreadable_input_exits_2(run: Run, project: Path, tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    write(project / "data" / "gamma.ttl", PREFIXES + "exd:gamma unknown:p 1 .\n")
    result = run("validate")
    assert result.exit_code == 2
    assert "data/gamma.ttl:4:11: The prefix unknown: has not been declared" in result.stderr
    assert "Traceback" not in result.output


def test_one_prefix_with_two_namespaces_is_an_error(run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", "@prefix ex: <http://example.org/other#> .\n")
    result = run("validate")
    assert result.exit_code == 2
    assert "data/gamma.ttl: prefix ex: is <http://example.org/other#> here but " \
           "<http://example.org/mini#> in ontology/mini.ttl" in result.stderr


def test_blank_node_focus_is_traced_to_its_file(run: Run, project: Path) -> None:
    write(project / "data" / "gamma.ttl", PREFIXES
          + 'exd:gamma a ex:Project ; rdfs:label "Gamma"@en ;\n'
            '    ex:developedBy exd:lab-one .\n[] a ex:Project ; rdfs:label "Nameless"@en .\n')
    result = run("validate", "--format", "json")
    report = json.loads(result.stdout)
    files = {r["file"] for r in report["results"]}
    assert files == {"data/gamma.ttl"}


def test_validation_keeps_no_reference_to_the_graph_it_read(project: Path) -> None:
    """A build frees its in-memory copy of the graph once validation is done; a reference
    cycle holding it (closures calling each other) kept it, 1.4 GB at 1000x, until the cyclic
    collector ran, and freeing it then stalled the build's last step."""
    import gc
    import sys

    from kg.sources import GRAPH_PARTS, find_project
    from kg.store.pipeline import parse_into, validate_project

    write(project / "data" / "gamma.ttl", BAD_PROJECT)  # results to read, names to show
    kg_project = find_project(project)
    graph = ox.Store()
    collecting = gc.isenabled()
    gc.disable()  # a cycle must not be broken behind the test's back
    try:
        parsed = parse_into(ox.Store(), kg_project.sources(GRAPH_PARTS), mirror=graph)
        report = validate_project(kg_project, parsed, store=graph)
        assert report.violations == 2 and report.results[0].shape
        assert sys.getrefcount(graph) == 2  # this name and getrefcount's argument
    finally:
        if collecting:
            gc.enable()
