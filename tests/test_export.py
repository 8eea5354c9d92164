"""kg export and kg release: every format round-trips, dumps are byte-identical, releases check."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import PREFIXES, REPO, Run, write

from kg.publish.export import FORMATS, GRAPH_BASE, PARTS, part_sources
from kg.sources.parsing import parse_sources
from kg.sources.project import find_project

GRAPH_FORMATS = [name for name, fmt in FORMATS.items() if not fmt.datasets]
DATASET_FORMATS = [name for name, fmt in FORMATS.items() if fmt.datasets]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def canonical(quads) -> list[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def sources(keep_graphs: bool) -> list[str]:
    """The repository's validated sources, as the dumps should hold them."""
    project = find_project(REPO)
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_BASE + part))
             for part in PARTS for q in parse_sources(part_sources(project, part)).quads]
    if not keep_graphs:
        quads = list({ox.Quad(q.subject, q.predicate, q.object) for q in quads})
    return canonical(quads)


def read_dump(data: bytes, fmt: str, repo_store: Path) -> list[ox.Quad]:
    """A dump's quads; JSON-LD (compact, its @context by IRI) expanded with the project's."""
    if fmt != "jsonld":
        return list(ox.parse(data, format=FORMATS[fmt].rdf))
    from kg.publish.web.context import CONTEXT_IRI, expand_to_nquads, project_context
    from kg.store import StoreDir
    from kg.terms import Compactor

    prefixes = StoreDir(repo_store).current().manifest.get("prefixes", {})
    context = project_context(find_project(REPO), Compactor(prefixes).prefixes)
    return list(ox.parse(expand_to_nquads(data, context, CONTEXT_IRI).encode(),
                         format=ox.RdfFormat.N_QUADS))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_round_trips_to_the_sources(run_repo: Run, fmt: str,
                                                 repo_store: Path) -> None:
    result = run_repo("export", "--format", fmt)
    assert result.exit_code == 0, result.output
    reloaded = read_dump(result.stdout_bytes, fmt, repo_store)
    keep = FORMATS[fmt].datasets
    assert canonical(reloaded) == sources(keep)
    if keep:  # the evidence and everything else stay in their part's named graph
        graphs = {q.graph_name for q in reloaded}
        assert graphs == {ox.NamedNode(GRAPH_BASE + part) for part in PARTS}


def test_catalogue_assessments_are_in_their_own_named_graphs(run_repo: Run) -> None:
    """Statements by the openness catalogues never mix with the graph's own facts."""
    result = run_repo("export", "--format", "nquads")
    assessment = "<https://w3id.org/olckg/ontology#OpennessAssessment>"
    graphs = {line.rsplit(" ", 2)[-2] for line in result.stdout.splitlines()
              if f"#type> {assessment} <" in line}
    assert graphs == {f"<{GRAPH_BASE}osai>", f"<{GRAPH_BASE}mot>"}
    data_only = run_repo("export", "--part", "data", "--format", "ntriples").stdout
    assert assessment not in data_only and "olckg/id/osai-index" in data_only


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_two_exports_are_byte_identical(run_repo: Run, fmt: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_repo("export", "--format", fmt).stdout_bytes
    monkeypatch.setenv("KG_STORE", str(tmp_path / "fresh"))  # a fresh build, new blank nodes
    assert run_repo("build").exit_code == 0  # export refuses an unvalidated build
    assert run_repo("export", "--format", fmt).stdout_bytes == first


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_rdflib_reads_as_many_triples_as_oxigraph(run_repo: Run, fmt: str) -> None:
    data = run_repo("export", "--format", fmt).stdout_bytes
    oxigraph = len(list(ox.parse(data, format=FORMATS[fmt].rdf)))
    independent = rdflib.Graph().parse(data=data, format="turtle" if fmt == "turtle" else "nt")
    assert len(independent) == oxigraph > 5000


def test_headers_say_what_the_format_keeps(run_repo: Run) -> None:
    turtle = run_repo("export").stdout
    assert turtle.startswith("# The Open LLM Collaboration Knowledge Graph (ontology, data, "
                             "shapes, osai, mot): ")
    assert "# Assessments by osai: European Open Source AI Index, https://osai-index.eu/ (CC BY" \
        in turtle and "doi:10.1145/3630106.3659005" in turtle and "(MIT)" in turtle
    assert f"Licence: CC BY 4.0 ({CC_BY})" in turtle and "arXiv:2509.25397" in turtle
    assert "turtle cannot carry them, so the parts are merged" in turtle
    assert "@prefix sh:" in turtle and "@prefix ex:" not in turtle  # only prefixes used
    trig = run_repo("export", "-f", "trig").stdout
    assert f"each part is in its own graph, <{GRAPH_BASE}PART>" in trig
    data_only = run_repo("export", "--part", "data").stdout
    assert "Named graphs" not in data_only and "olc:Project a owl:Class" not in data_only


@pytest.mark.parametrize("fmt", ["jsonld", "rdfxml"])
def test_formats_without_comments_carry_licence_and_source_inside(run_repo: Run, fmt: str,
                                                                  repo_store: Path) -> None:
    quads = read_dump(run_repo("export", "-f", fmt).stdout_bytes, fmt, repo_store)

    def objects(predicate: str) -> set[str]:
        return {q.object.value for q in quads
                if q.subject == ox.NamedNode("https://w3id.org/olckg/")
                and q.predicate == ox.NamedNode(f"http://purl.org/dc/terms/{predicate}")}

    licences, sources_ = objects("license"), objects("source")
    assert licences == {CC_BY}
    assert sources_ == {"https://w3id.org/olckg/id/cartography-study",
                        "https://w3id.org/olckg/id/osai-index",
                        "https://w3id.org/olckg/id/model-openness-tool"}  # attribution travels


def test_canonical_ntriples_is_rdfc_sorted_and_bare(run_repo: Run) -> None:
    lines = run_repo("export", "-f", "ntriples", "--canonical").stdout.splitlines()
    assert lines == sorted(lines, key=lambda line: line.encode()) and not lines[0].startswith("#")
    assert any("_:c14n0 " in line for line in lines)
    assert run_repo("export", "-f", "turtle", "--canonical").exit_code == 2


def test_export_refuses_sources_that_do_not_build(run: Run, project: Path) -> None:
    assert run("build").exit_code == 0
    write(project / "data" / "broken.ttl", PREFIXES + "exd:x a ex:Project ;\n")
    result = run("export")
    assert result.exit_code == 1 and "validated sources only" in result.output


# -- releases -----------------------------------------------------------------------------------

def release(run: Run, out: Path, version: str, *extra: str) -> Path:
    result = run("release", "-o", str(out), "--version", version, *extra)
    assert result.exit_code == 0, result.output
    return out / f"olckg-{version}"


def test_release_has_every_dump_its_description_and_checksums(run_repo: Run,
                                                              tmp_path: Path) -> None:
    folder = release(run_repo, tmp_path / "dist", "1.0.0",
                     "--sparql-endpoint", "https://example.org/sparql")
    names = {p.name for p in folder.iterdir()}
    assert {f"olckg.{f.extension}" for f in FORMATS.values()} <= names
    assert {"olckg-ontology.ttl", "olckg-data.ttl", "olckg-shapes.ttl", "void.ttl",
            "SHA256SUMS", "olckg.nq.gz"} <= names
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert len(check.stdout.splitlines()) == len(names) - 1
    assert gzip.decompress((folder / "olckg.nq.gz").read_bytes()) == (
        folder / "olckg.nq").read_bytes()
    void = rdflib.Graph().parse(folder / "void.ttl", publicID=folder.as_uri() + "/")
    vd = rdflib.Namespace("http://rdfs.org/ns/void#")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    dataset = rdflib.URIRef(folder.as_uri() + "/void.ttl#release")
    triples = len((folder / "olckg.nt").read_bytes().splitlines())
    assert int(void.value(dataset, vd.triples)) == triples
    assert void.value(dataset, dct.license) == rdflib.URIRef(CC_BY)
    assert str(void.value(dataset, dct.bibliographicCitation)).startswith("Linåker, J.")
    assert void.value(dataset, vd.sparqlEndpoint) == rdflib.URIRef("https://example.org/sparql")
    dumps = set(void.objects(dataset, vd.dataDump))
    assert {Path(str(d)).name for d in dumps} == names - {"void.ttl", "SHA256SUMS",
                                                          "context.jsonld"}
    size = rdflib.Namespace("http://www.w3.org/ns/dcat#").byteSize
    for dump in dumps:
        assert int(void.value(dump, size)) == (folder / Path(str(dump)).name).stat().st_size
    assert len(list(void.objects(dataset, vd.classPartition))) > 20


def test_a_release_folder_is_never_overwritten(run_repo: Run, tmp_path: Path) -> None:
    release(run_repo, tmp_path, "1.0.0")
    result = run_repo("release", "-o", str(tmp_path), "--version", "1.0.0")
    assert result.exit_code == 1 and "exists already" in result.output


def test_release_reports_what_changed(run: Run, project: Path, tmp_path: Path) -> None:
    first = release(run, tmp_path, "1")
    write(project / "data" / "gamma.ttl", PREFIXES
          + 'exd:gamma a ex:Project ; rdfs:label "Gamma"@en ; ex:developedBy exd:lab-one .\n')
    second = release(run, tmp_path, "2", "--previous", str(first))
    changes = (second / "CHANGES.md").read_text(encoding="utf-8")
    assert "3 added and 0 removed" in changes
    assert "| <http://example.org/mini#Project> | 2 | 3 | 1 | 0 |" in changes
    assert "- <http://example.org/mini/id/gamma>" in changes
    # Same sources, same bytes: only void.ttl (its date) and the checksums may differ.
    third = release(run, tmp_path, "3")
    for name in ("olckg.ttl", "olckg.nq", "olckg.jsonld", "olckg.rdf"):
        assert (second / name).read_bytes() == (third / name).read_bytes()


def test_licences_and_citation_are_published() -> None:
    assert "Attribution 4.0 International Public License" in (
        REPO / "LICENSE-data").read_text(encoding="utf-8")
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    cffconvert = shutil.which("cffconvert", path=str(Path(sys.executable).parent))
    assert cffconvert, "cffconvert comes with the test extra"
    done = subprocess.run([cffconvert, "--validate", "-i", str(REPO / "CITATION.cff")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_kept_dump_is_never_served_for_changed_sources(run: Run, project: Path) -> None:
    first = run("export").stdout
    assert run("export").stdout == first  # the second comes from the build's dump
    write(project / "data" / "gamma.ttl", PREFIXES
          + 'exd:gamma a ex:Project ; rdfs:label "Gamma"@en ; ex:developedBy exd:lab-one .\n')
    assert "exd:gamma a ex:Project" in run("export").stdout


def test_changes_are_reported_by_fact_not_by_blank_node_label(run: Run, project: Path,
                                                              tmp_path: Path) -> None:
    """Canonical labels (c14nN) shift when a blank node is added; the change report must not."""
    notes = "".join(f'exd:alpha ex:note [ ex:text "{word}" ; ex:position {i} ] .\n'
                    for i, word in enumerate(["bravo", "delta", "foxtrot", "hotel"]))
    write(project / "data" / "notes.ttl", PREFIXES + notes)
    first = release(run, tmp_path, "1")
    write(project / "data" / "notes.ttl", PREFIXES + notes
          + 'exd:alpha ex:note [ ex:text "alpha" ; ex:position 9 ] .\n')
    second = release(run, tmp_path, "2", "--previous", str(first))
    changes = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    # the new note: exd:alpha ex:note _:b, _:b ex:text "alpha", _:b ex:position 9
    assert (changes["added"], changes["removed"]) == (3, 0)
    assert changes["entities"] == {"<http://example.org/mini/id/alpha>":
                                   {"added": 3, "removed": 0}}
    assert "| <http://example.org/mini/id/alpha> | 3 | 0 |" in (
        second / "CHANGES.md").read_text(encoding="utf-8")


def test_void_says_how_to_load_it_and_loads_anywhere_with_a_base_url(run_repo: Run,
                                                                     tmp_path: Path) -> None:
    relative = release(run_repo, tmp_path / "a", "1.0.0") / "void.ttl"
    header = relative.read_text(encoding="utf-8").split("\n@prefix", 1)[0]
    assert "--base" in header and "base_iri" in header and "--base-url" in header
    with pytest.raises(SyntaxError):  # relative IRIs: a base is needed, as the header says
        list(ox.parse(path=relative, format=ox.RdfFormat.TURTLE))
    assert list(ox.parse(path=relative, format=ox.RdfFormat.TURTLE,
                         base_iri="https://example.org/r/1.0.0/"))
    absolute = release(run_repo, tmp_path / "b", "1.0.0", "--base-url",
                       "https://example.org/releases/1.0.0/") / "void.ttl"
    triples = list(ox.parse(path=absolute, format=ox.RdfFormat.TURTLE))  # no base needed
    files = {t.object.value for t in triples if t.predicate.value.endswith("#dataDump")}
    assert "https://example.org/releases/1.0.0/olckg.nq" in files
    location = tmp_path / "loaded"
    from kg.serve.assets import oxigraph_binary

    loaded = subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file",
                             str(absolute)], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
