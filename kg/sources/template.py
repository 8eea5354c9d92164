"""`kg new project SLUG`: a project record to fill in, with every expected fact and its rules."""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import InputError
from kg.sources.project import Project

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PLACEHOLDER_SOURCE = "https://example.org/TODO-replace-with-a-source-url"

PROJECT_TEMPLATE = """\
# {label}: an open LLM project record (written by `kg new project {slug}`).
#
# Fill in every TODO, then run `kg validate data/projects/{slug}.ttl` until it conforms.
# The rules (see CONTRIBUTING.md):
# - Every fact needs an olc:evidence node: dct:source is the URL of a document described in
#   data/sources.ttl (add it there with its dct:type, e.g. olcv:source-model-card), and
#   olc:evidenceStatus is olcv:stated (the source says it) or olcv:inferred (you concluded it;
#   then add olc:reason "how"@en). olc:supports lists the properties a node covers (all of
#   the subject's facts when left out); olc:page or olc:locator say where in the source.
# - When the sources do not give a value, say so: olc:unknown <property>, with evidence saying
#   what you checked. Never guess a fact, a date, a licence or a Wikidata ID.

@prefix olc:     <https://w3id.org/olckg/ontology#> .
@prefix olcv:    <https://w3id.org/olckg/vocab/> .
@prefix olcd:    <https://w3id.org/olckg/id/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dct:     <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix schema:  <http://schema.org/> .
@prefix fair4ml: <https://w3id.org/fair4ml#> .

olcd:{slug} a olc:OpenLLMProject ;
    rdfs:label "{label}"@en ;
    # Required: the organisation(s) that develop the project.
    olc:developedBy olcd:{organisation} ;
    # Required: one of olcv:orgmodel-single-company, olcv:orgmodel-single-research-institute,
    # olcv:orgmodel-multi-organisational-research-institute,
    # olcv:orgmodel-company-sponsored-grassroots, olcv:orgmodel-non-profit-sponsored-grassroots
    # (or olcv:orgmodel-multi-company) - or, when no source says it, keep this line:
    olc:unknown olc:organisationalModel ;
    # Recommended: the model family (olc:modelFamily olcd:{slug}-models, described below),
    # or keep saying it is unknown:
    olc:unknown olc:modelFamily ;
    # Optional: olc:motivation olcv:motivation-... ; olc:produces <datasets, frameworks> ;
    # foaf:homepage <https://...> ;
    olc:evidence [
        olc:supports rdfs:label , olc:developedBy , olc:unknown ;
        dct:source <{source}> ;  # TODO
        olc:evidenceStatus olcv:stated
    ] .
"""

ORGANISATION_TEMPLATE = """
olcd:{organisation} a org:Organization ;
    rdfs:label "{organisation_label}"@en ;  # TODO: the organisation's name
    # Recommended: the slide-11 type (olcv:orgtype-non-profit-grassroots,
    # olcv:orgtype-public-research-institute, olcv:orgtype-sme, olcv:orgtype-large-enterprise),
    # the world region (olcv:region-...) and the country (olcv:country-..., see
    # ontology/vocabularies/geography.ttl), or olc:unknown for what no source gives:
    olc:unknown olc:organisationType , olc:region , olc:country ;
    # Optional: foaf:homepage <https://...> ; olc:huggingFacePage <https://huggingface.co/...> ;
    # olc:githubPage <https://github.com/...> ;
    olc:evidence [
        dct:source <{source}> ;  # TODO
        olc:evidenceStatus olcv:stated
    ] .
"""

RELEASES_TEMPLATE = """
# Recommended: the model family and its notable releases. Uncomment and fill in.
#
# olcd:{slug}-models a olc:ModelFamily ;
#     rdfs:label "TODO family name"@en ;
#     olc:artefactDomain olcv:domain-models ;
#     olc:developedBy olcd:{organisation} ;
#     olc:evidence [ dct:source <https://...> ; olc:evidenceStatus olcv:stated ] .
#
# olcd:{slug}-TODO-release a fair4ml:MLModel ;
#     rdfs:label "TODO release name"@en ;
#     dct:isPartOf olcd:{slug}-models ;
#     olc:artefactDomain olcv:domain-models ;
#     olc:parameterCount 7000000000 ;                      # as the model card states it
#     dct:license <http://spdx.org/licenses/Apache-2.0> ;  # described in data/licences.ttl
#     schema:datePublished "2024-01-31"^^xsd:date ;        # only if a source states the date
#     olc:huggingFacePage <https://huggingface.co/TODO> ;
#     olc:evidence [ dct:source <https://huggingface.co/TODO> ; olc:evidenceStatus olcv:stated ;
#                    olc:quotation "the words of the model card" ] .
"""


def new_project(project: Project, slug: str, label: str | None = None,
                organisation: str | None = None) -> Path:
    """Write ``data/projects/SLUG.ttl`` from the template; never overwrite a record."""
    if not SLUG.match(slug):
        raise InputError(f"{slug!r} is not a slug: use lowercase letters, digits and hyphens "
                         "(e.g. 'open-llm-x')")
    if organisation is not None and not SLUG.match(organisation):
        raise InputError(f"--organisation {organisation!r} is not a slug")
    target = project.root / "data" / "projects" / f"{slug}.ttl"
    if target.exists():
        raise InputError(f"{target} already exists; edit it instead")
    known = _described_subjects(project)
    if f"https://w3id.org/olckg/id/{slug}" in known:
        raise InputError(f"olcd:{slug} is already described in the data; choose another slug")
    values = {
        "slug": slug,
        "label": (label or slug).replace('"', '\\"'),
        "organisation": organisation or f"{slug}-organisation",
        "organisation_label": "TODO organisation name",
        "source": PLACEHOLDER_SOURCE,
    }
    text = PROJECT_TEMPLATE.format(**values)
    if f"https://w3id.org/olckg/id/{values['organisation']}" not in known:
        text += ORGANISATION_TEMPLATE.format(**values)
    text += RELEASES_TEMPLATE.format(**values)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _described_subjects(project: Project) -> set[str]:
    from kg.sources.parsing import parse_sources

    parsed = parse_sources(project.sources(("data",)))
    return {term.value for term in parsed.subject_file if hasattr(term, "value")}
