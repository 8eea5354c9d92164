"""The curated knowledge: the study's 14 projects and its findings, sourced and validated."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import Run, copy_of_repo, write

SLIDES = "https://www.linaker.se/assets/slides/Open-Source-AI-Collab-OFA.pdf"


def rows(run: Run, *args: str) -> list[dict[str, str]]:
    result = run("query", *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


# Slide 11 (organisation, type by legend colour, region by placement) and slide 14 (model);
# "unknown" where slide 14 does not show the project.
EXPECTED_SAMPLE = {
    "OLMo": ("Allen Institute for AI", "Non-profit / grassroots organisation",
             "Single research institute project", "North America"),
    "Pythia": ("EleutherAI", "Non-profit / grassroots organisation",
               "Non-profit-sponsored grassroots project", "North America"),
    "Aya": ("Cohere Labs", "Non-profit / grassroots organisation",
            "Non-profit-sponsored grassroots project", "North America"),
    "SmolLM": ("Hugging Face", "Small and medium enterprise", "Single company project",
               "North America"),
    "Llama": ("Meta Llama Team", "Large enterprise", "Single company project", "North America"),
    "BLOOM": ("BigScience Workshop", "Non-profit / grassroots organisation",
              "Company-sponsored grassroots project", "Europe"),
    "OpenGPT-X": ("OpenGPT-X", "Public research institute or public body",
                  "Multi-organisational research institute project", "Europe"),
    "National Library of Norway AI Lab models": (
        "AI Lab, National Library of Norway", "Public research institute or public body",
        "unknown", "Europe"),
    "Bielik": ("SpeakLeash Foundation", "Non-profit / grassroots organisation",
               "Non-profit-sponsored grassroots project", "Europe"),
    "Masakhane": ("Masakhane", "Non-profit / grassroots organisation",
                  "Non-profit-sponsored grassroots project", "Africa"),
    "Aquila": ("Beijing Academy of Artificial Intelligence",
               "Public research institute or public body", "Single research institute project",
               "Asia"),
    "Ant Group open LLM": ("Ant Group", "Large enterprise", "unknown", "Asia"),
    "Typhoon": ("SCB 10X", "Small and medium enterprise", "Single company project", "Asia"),
    "SEA-LION": ("AI Singapore", "Public research institute or public body",
                 "Single research institute project", "Asia"),
}


def test_the_fourteen_projects_match_slides_11_and_14(run_repo: Run) -> None:
    found = {r["projectLabel"]: (r["organisationLabel"], r["typeLabel"], r["modelLabel"],
                                 r["regionLabel"])
             for r in rows(run_repo, "sampled-projects")}
    assert found == EXPECTED_SAMPLE


def test_where_slide_14_is_silent_or_renames_the_model_the_evidence_says_so(run_repo: Run) -> None:
    by_project = {r["projectLabel"]: r for r in rows(run_repo, "sampled-projects")}
    assert by_project["BLOOM"]["modelEvidence"] == "Inferred"  # "vendor-sponsored" on slide 14
    assert by_project["OLMo"]["modelEvidence"] == "Stated"
    assert by_project["Ant Group open LLM"]["modelEvidence"] == ""
    assert by_project["Masakhane"]["regionEvidence"] == "Stated"  # "a pan-African initiative"
    assert by_project["OLMo"]["regionEvidence"] == "Inferred"  # read off the map


def test_no_fact_lacks_evidence(run_repo: Run) -> None:
    assert rows(run_repo, "facts-without-evidence") == []


def test_a_fact_without_evidence_is_found_by_the_query_and_the_shapes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    project = copy_of_repo(tmp_path / "project")
    write(project / "data" / "extra.ttl", """
        @prefix olc: <https://w3id.org/olckg/ontology#> .
        @prefix olcd: <https://w3id.org/olckg/id/> .
        @prefix olcv: <https://w3id.org/olckg/vocab/> .
        olcd:ai2 olc:motivation olcv:motivation-promoting-open-science .
    """)
    monkeypatch.setenv("KG_PROJECT", str(project))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    report = runner.invoke(cli, ["validate", "--format", "json"])
    assert report.exit_code == 1
    results = json.loads(report.stdout)["results"]
    assert [(r["focus"], r["path"], r["component"]) for r in results] == [
        ("olcd:ai2", "olc:motivation", "sh:SPARQLConstraintComponent")]
    runner.invoke(cli, ["build", "--no-validate"])
    answer = runner.invoke(cli, ["query", "facts-without-evidence", "-f", "csv"]).stdout
    assert list(csv.DictReader(io.StringIO(answer))) == [{
        "subject": "https://w3id.org/olckg/id/ai2",
        "property": "https://w3id.org/olckg/ontology#motivation",
        "value": "https://w3id.org/olckg/vocab/motivation-promoting-open-science"}]


def test_challenges_and_on_ramps_per_stage_with_quotes_and_attribution(run_repo: Run) -> None:
    answer = rows(run_repo, "challenges-and-on-ramps")
    findings = {(r["stageLabel"], r["kind"], r["findingLabel"]) for r in answer}
    per_stage = Counter((stage, kind) for stage, kind, _ in findings)
    assert per_stage == {
        ("Pre-training", "challenge"): 6, ("Pre-training", "on-ramp"): 5,
        ("Post-training", "challenge"): 2, ("Post-training", "on-ramp"): 2,
        ("Post-release", "challenge"): 4, ("Post-release", "on-ramp"): 6,
    }
    quotes = {(r["findingLabel"], r["attributedToLabel"]) for r in answer if r["quote"]}
    assert ("Gated licenses exclude regions", "Ant Group") in quotes
    assert ("Data work is undervalued", "AI Lab, National Library of Norway") in quotes
    assert ("Compute partnerships", "Hugging Face") in quotes
    assert all(r["source"] == SLIDES and r["page"] in {"20", "21", "23", "25", "26"}
               for r in answer)


def test_all_21_recommendations_by_stakeholder_group(run_repo: Run) -> None:
    answer = rows(run_repo, "-e", """
        SELECT ?group (COUNT(?r) AS ?n) WHERE {
          ?r a olc:Recommendation ; olc:forStakeholder/skos:prefLabel ?group }
        GROUP BY ?group ORDER BY ?group""")
    assert {r["group"]: int(r["n"]) for r in answer} == {
        "AI researchers and developers": 9, "AI companies": 4, "Policymakers": 6,
        "Platform providers and foundations": 2}


def test_the_five_mentioned_organisations_and_the_compute_partnerships(run_repo: Run) -> None:
    mentioned = rows(run_repo, "-e", """
        SELECT ?label WHERE { ?s olc:mentionedOrganisation ?o . ?o rdfs:label ?label }
        ORDER BY ?label""")
    assert [r["label"] for r in mentioned] == [
        "Alibaba Qwen Team", "EPFL", "Google Gemma Team", "Mistral AI", "Stanford HELM Team"]
    compute = rows(run_repo, "-e", """
        SELECT ?project WHERE {
          ?l olc:linkType olcv:link-compute-partnership ; olc:project/rdfs:label ?project }
        ORDER BY ?project""")
    assert [r["project"] for r in compute] == ["BLOOM", "Bielik", "OLMo", "SEA-LION", "SEA-LION"]


def test_motivation_categories_are_recorded_as_unknown(run_repo: Run) -> None:
    answer = rows(run_repo, "-e", """
        SELECT (COUNT(?m) AS ?n) WHERE {
          ?m a olc:Motivation ; olc:unknown olc:motivationCategory }""")
    assert answer == [{"n": "4"}]


def test_stats_show_per_project_coverage(run_repo: Run) -> None:
    result = run_repo("stats", "--format", "json")
    coverage = {c["label"]: c["states"] for c in json.loads(result.stdout)["coverage"]}
    assert set(EXPECTED_SAMPLE) <= set(coverage)
    assert coverage["Ant Group open LLM"]["organisational model"] == "unknown"
    assert coverage["OLMo"]["release date"] == "filled"
    assert coverage["Pythia"]["country"] == "unknown"
    assert all(state in {"filled", "unknown", "missing"}
               for states in coverage.values() for state in states.values())
    table = run_repo("stats").stdout
    assert "project coverage (13 expected facts" in table
    assert "Ant Group open LLM" in table


def test_a_fifteenth_project_through_the_template_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    project = copy_of_repo(tmp_path / "project")
    monkeypatch.setenv("KG_PROJECT", str(project))
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    created = runner.invoke(cli, ["new", "project", "open-llm-x", "--label", "Open LLM X"])
    assert created.exit_code == 0, created.output
    record = project / "data" / "projects" / "open-llm-x.ttl"
    text = record.read_text()
    for expected in ("olc:developedBy", "olc:organisationalModel", "olc:modelFamily",
                     "olc:organisationType", "olc:region", "olc:country", "dct:license",
                     "schema:datePublished", "olc:evidenceStatus", "CONTRIBUTING.md"):
        assert expected in text
    # As generated, the record is valid RDF and names what is left to do.
    check = runner.invoke(cli, ["validate", str(record)])
    assert check.exit_code == 1
    assert "TODO-replace-with-a-source-url" in check.stdout
    # A curator fills in the source (a documented one) and the names.
    record.write_text(text.replace("https://example.org/TODO-replace-with-a-source-url", SLIDES)
                      .replace('"TODO organisation name"', '"Open LLM X Lab"'))
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 0, built.output
    labels = [r["label"] for r in csv.DictReader(io.StringIO(runner.invoke(cli, [
        "query", "-e", "SELECT ?label WHERE { ?p a olc:OpenLLMProject ; rdfs:label ?label }",
        "-f", "csv"]).stdout))]
    assert "Open LLM X" in labels and len(labels) == 16  # 14 sampled, BigCode, the new one
    again = runner.invoke(cli, ["new", "project", "open-llm-x"])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_bad_slugs_are_refused(run: Run) -> None:
    result = run("new", "project", "Not A Slug")
    assert result.exit_code == 2
    assert "is not a slug" in result.stderr
