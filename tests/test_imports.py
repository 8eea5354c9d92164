"""`kg import`: catalogue records become assessments, one deterministic Turtle file each.

The records are small YAML files written for these tests (tests/fixtures/imports), not copies
of the catalogues; the last test reads the whole snapshot in ../shared/external when present.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from kg.imports import import_catalogue, read_records
from kg.imports.catalogues import CATALOGUES
from kg.sources.project import find_project

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
DATE = "2026-01-02"
ID = "https://w3id.org/olckg/id/"
OLC = "https://w3id.org/olckg/ontology#"
OLCV = "https://w3id.org/olckg/vocab/"
SNAPSHOT = next((p for p in (REPO.parent / "shared" / "external",
                             Path("/work/shared/external")) if p.is_dir()), None)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The repository's sources without the generated imports (a test may import into it)."""
    root = tmp_path / "project"
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / part, root / part)
    shutil.copytree(REPO / "data", root / "data",
                    ignore=lambda d, names: {"osai", "mot"} if d.endswith("external") else set())
    return root


@pytest.fixture
def records(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    shutil.copytree(FIXTURES, folder)
    return folder


def graph(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def values(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def test_an_osai_record_becomes_an_attributed_assessment(repo_copy: Path, records: Path
                                                         ) -> None:
    project = find_project(repo_copy)
    result = import_catalogue(project, "osai", records / "osai", COMMIT, DATE, validate=False)
    assert (result.records, sorted(result.added)) == (2, ["example-model.ttl", "second.ttl"])
    store = graph(repo_copy / "data/external/osai/example-model.ttl")
    a = ID + "osai-example-model"
    source = ("https://github.com/Language-Technology-Assessment/main-database/blob/"
              f"{COMMIT}/Example%20Model.yaml")
    assert values(store, a, "http://www.w3.org/ns/prov#wasAttributedTo") == {ID + "osai-index"}
    assert values(store, a, "http://purl.org/dc/terms/source") == {source}
    assert values(store, a, OLC + "commit") == {COMMIT}
    assert values(store, a, OLC + "commitDate") == {DATE}
    assert values(store, a, OLC + "licenceName") == {"Apache-2.0"}
    assert values(store, a, "http://purl.org/dc/terms/license") == {
        "http://spdx.org/licenses/Apache-2.0"}
    assert "basemodelname: Example-7B" in values(store, a, OLC + "recordField")
    data = a + "#datasources_basemodel"
    assert values(store, data, OLC + "opennessClass") == {OLCV + "osai-open"}
    assert values(store, data, OLC + "evidenceLink") == {"https://example.org/data-a",
                                                         "https://example.org/data-b"}
    assert values(store, data, OLC + "catalogueNotes") == {'Two datasets, quoted: "as-is".'}
    assert values(store, a + "#weights_basemodel", OLC + "opennessClass") == {
        OLCV + "osai-partial"}
    assert values(store, a + "#trainingcode", OLC + "noEvidenceLink") == {"true"}
    assert values(store, a + "#paper", OLC + "opennessClass") == set()  # empty: not applicable
    assert values(store, a + "#licenses", OLC + "evidenceText") == {"see the model card"}
    # not matched: the record's model and organisation are minted, sourced from the record
    model = ID + "osai-model-example-model"
    assert values(store, a, OLC + "assesses") == {model}
    assert values(store, model, OLC + "developedBy") == {ID + "osai-org-example-lab"}
    assert values(store, model, OLC + "huggingFacePage") == {
        "https://huggingface.co/example-lab/example-model-chat"}
    assert values(store, model, "http://purl.org/dc/terms/license") == {
        "http://spdx.org/licenses/Apache-2.0"}  # one of the graph's licences


def test_a_mot_record_keeps_licences_verbatim_and_maps_spdx(repo_copy: Path, records: Path
                                                            ) -> None:
    project = find_project(repo_copy)
    import_catalogue(project, "mot", records / "mot", COMMIT, DATE, validate=False)
    store = graph(repo_copy / "data/external/mot/example-7b.ttl")
    a = ID + "mot-example-7b"
    weights = a + "#model-parameters-final"
    assert values(store, weights, OLC + "criterion") == {OLCV + "mof-model-parameters-final"}
    assert values(store, weights, OLC + "licenceName") == {"Apache 2.0"}
    assert values(store, weights, "http://purl.org/dc/terms/license") == {
        "http://spdx.org/licenses/Apache-2.0"}
    assert values(store, weights, OLC + "evidenceLink") == {
        "https://huggingface.co/example-lab/example-7b/blob/main/LICENSE"}
    assert values(store, a + "#datasets", OLC + "licenceName") == {"unlicensed"}
    assert values(store, a + "#datasets", "http://purl.org/dc/terms/license") == set()
    assert values(store, a + "#research-paper", OLC + "evidenceText") == {"paper.pdf"}
    assert values(store, a, "http://purl.org/dc/terms/license") == {
        "http://spdx.org/licenses/MIT"}
    assert values(store, a, OLC + "recordName") == {"Example-7B"}


def test_the_import_validates_and_builds_with_the_real_graph(repo_copy: Path, records: Path,
                                                             tmp_path: Path) -> None:
    from kg.store import StoreDir, build

    project = find_project(repo_copy)
    import_catalogue(project, "osai", records / "osai", COMMIT, DATE)  # validates
    import_catalogue(project, "mot", records / "mot", COMMIT, DATE)
    result = build(project, StoreDir(tmp_path / "store"))
    assert result.report is None or result.report.conforms
    store = ox.Store.read_only(str(result.build.database))
    ask = ("ASK { ?a a <https://w3id.org/olckg/ontology#OpennessAssessment> ; "
           "<http://www.w3.org/ns/prov#wasAttributedTo> "
           "<https://w3id.org/olckg/id/model-openness-tool> }")
    assert store.query(ask)


def test_same_input_same_bytes_and_an_update_rewrites_only_changed_records(
        repo_copy: Path, records: Path) -> None:
    project = find_project(repo_copy)
    first = import_catalogue(project, "osai", records / "osai", COMMIT, DATE, validate=False)
    folder = first.folder
    before = {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
              for p in folder.iterdir()}
    again = import_catalogue(project, "osai", records / "osai", COMMIT, DATE, validate=False)
    assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 2)
    assert {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.iterdir()} == before
    # a newer checkout: one record edited, one removed
    edited = records / "osai" / "second.yml"
    edited.write_text(edited.read_text().replace("class: open", "class: partial"))
    (records / "osai" / "Example Model.yaml").unlink()
    newer = "f" * 40
    update = import_catalogue(project, "osai", records / "osai", newer, "2026-02-03",
                              validate=False)
    assert (update.changed, update.removed) == (["second.ttl"], ["example-model.ttl"])
    assert "osai-partial" in (folder / "second.ttl").read_text()


def test_a_reviewed_match_points_the_assessment_at_the_graphs_model(repo_copy: Path,
                                                                    records: Path) -> None:
    matches = repo_copy / "data/external/matches.ttl"
    matches.write_text(matches.read_text() + """
olcd:osai-model-second owl:sameAs olcd:olmo-7b ;
    olc:evidence [ dct:source <https://www.linaker.se/assets/slides/Open-Source-AI-Collab-OFA.pdf> ;
                   olc:evidenceStatus olcv:inferred ; olc:reason "A test match."@en ] .
""")
    project = find_project(repo_copy)
    import_catalogue(project, "osai", records / "osai", COMMIT, DATE, validate=False)
    store = graph(repo_copy / "data/external/osai/second.ttl")
    assert values(store, ID + "osai-second", OLC + "assesses") == {ID + "olmo-7b"}
    assert values(store, ID + "osai-model-second", OLC + "developedBy") == set()  # not minted


@pytest.mark.parametrize(("catalogue", "file", "text", "where", "reason"), [
    ("osai", "broken.yaml", "system:\n  name: X\ntrainingcode: [unclosed\n", ":4:1",
     "expected ',' or ']'"),
    ("osai", "unknown.yaml", "system:\n  name: X\nopenness_vibes:\n  class: open\n", ":3:",
     "unknown parameter 'openness_vibes'"),
    ("osai", "noclass.yaml", "system:\n  name: X\npaper:\n  link:\n  notes: n\n", ":4:",
     "paper has no class"),
    ("osai", "badclass.yaml", "system:\n  name: X\npaper:\n  class: opne\n", ":4:",
     "class 'opne' is not one of open, partial, closed"),
    ("mot", "component.yml", "release:\n  name: X\n  producer: P\n  license: {}\n"
     "  components:\n    - name: Vibes\n", ":6:", "unknown component 'Vibes'"),
])
def test_bad_records_are_reported_with_file_and_line_and_nothing_is_written(
        run, project: Path, tmp_path: Path, catalogue: str, file: str, text: str, where: str,
        reason: str) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    good = ("system:\n  name: Good\n" if catalogue == "osai" else
            "release:\n  name: Good\n  producer: P\n  license: {}\n  components: []\n")
    (folder / "good.yml").write_text(good)
    (folder / file).write_text(text)
    result = run("import", catalogue, str(folder), "--commit", COMMIT, "--date", DATE)
    assert result.exit_code == 2
    assert f"{folder / file}{where}" in result.output and reason in result.output
    external = project / "data" / "external"
    assert not external.exists() or list(external.iterdir()) == []


def test_a_snapshot_without_git_needs_its_commit(run, tmp_path: Path) -> None:
    folder = tmp_path / "osai-copy"
    shutil.copytree(FIXTURES / "osai", folder)
    result = run("import", "osai", str(folder))
    assert result.exit_code == 2 and "give --commit and --date" in result.output


def test_suggest_proposes_candidates_and_writes_nothing(run_repo, records: Path) -> None:
    result = run_repo("import", "osai", str(records / "osai"), "--commit", COMMIT, "--date",
                      DATE, "--suggest")
    assert result.exit_code == 0
    assert "0 candidate(s)" in result.output  # made-up records: no exact label, HF page, org


@pytest.mark.skipif(SNAPSHOT is None, reason="no ../shared/external snapshot")
def test_the_whole_snapshot_reads_and_the_committed_imports_match_it() -> None:
    osai = read_records(CATALOGUES["osai"], SNAPSHOT / "osai-index",
                        "5a388e871b88735e7ab7e6fb230b76c9d460d99a", "2026-06-12")
    mot = read_records(CATALOGUES["mot"], SNAPSHOT / "model-openness-tool" / "models",
                       "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d", "2026-05-11")
    assert (len(osai), len(mot)) == (193, 273)
    assert sum(len(r.criteria) for r in osai) == 193 * 12
    assert sum(len(r.criteria) for r in mot) == 1834
    for name, found in (("osai", osai), ("mot", mot)):
        committed = sorted(p.name for p in (REPO / "data/external" / name).glob("*.ttl"))
        assert committed == sorted(f"{r.slug}.ttl" for r in found)


def test_a_release_reports_changed_assessments_by_record_and_credits_the_catalogues(
        repo_copy: Path, records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import rdflib
    from click.testing import CliRunner

    from kg.cli import cli

    monkeypatch.setenv("KG_PROJECT", str(repo_copy))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    project = find_project(repo_copy)

    def release(version: str, *extra: str) -> Path:
        result = CliRunner().invoke(cli, ["release", "-o", str(tmp_path / "dist"), "--version",
                                          version, *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return tmp_path / "dist" / f"olckg-{version}"

    import_catalogue(project, "osai", records / "osai", COMMIT, DATE, validate=False)
    first = release("1")
    edited = records / "osai" / "second.yml"
    edited.write_text(edited.read_text().replace("notes: Model card.", "notes: Card, newer."))
    import_catalogue(project, "osai", records / "osai", "e" * 40, "2026-03-04", validate=False)
    second = release("2", "--previous", str(first))
    changes = json.loads((second / "changes.json").read_text())
    assert changes["assessments"] == {"added": [], "removed": [],
                                      "changed": [ID + "osai-second"]}
    notes = (second / "CHANGES.md").read_text()
    assert f"- <{ID}osai-second>" in notes and "1 changed" in notes
    assert "https://osai-index.eu/ (CC BY 4.0)" in notes and "doi:10.1145/3630106.3659005" in notes
    void = rdflib.Graph().parse(second / "void.ttl", publicID=second.as_uri() + "/")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    subset = rdflib.URIRef(second.as_uri() + "/void.ttl#graph-osai")
    assert (None, rdflib.URIRef("http://rdfs.org/ns/void#subset"), subset) in void
    assert void.value(subset, dct.source) == rdflib.URIRef(ID + "osai-index")
    assert "doi:10.1145/3630106.3659005" in str(void.value(subset, dct.bibliographicCitation))
    mot = rdflib.URIRef(second.as_uri() + "/void.ttl#graph-mot")
    assert void.value(mot, dct.source) is None  # no MOT records imported here
