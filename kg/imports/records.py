"""A catalogue record as the importer reads it, and the Turtle it becomes.

Every node a record makes is an IRI derived from the record's file name (the assessment
``olcd:osai-olmo``, its criteria ``olcd:osai-olmo#trainingcode``), never a blank node, so a
record's file is the same bytes for the same input and a release can tell records apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

ID = "https://w3id.org/olckg/id/"
OLC = "https://w3id.org/olckg/ontology#"
OLCV = "https://w3id.org/olckg/vocab/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
FAIR4ML = "https://w3id.org/fair4ml#"
PREFIXES = {"olc": OLC, "olcv": OLCV, "olcd": ID, "rdfs": RDFS, "xsd": XSD, "dct": DCT,
            "prov": PROV, "foaf": FOAF, "org": ORG, "fair4ml": FAIR4ML}
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
HF_URL = re.compile(r"^https://huggingface\.co/[^\s<>\"{}|\\^`]+$")


def slugify(text: str) -> str:
    """Lowercase words joined by hyphens ("Command-R+" -> "command-r-plus")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("+", " plus ")).strip("-")


@dataclass
class Criterion:
    """What a record says about one parameter or component, verbatim."""

    concept: str  # the criterion's IRI (olcv:osai-... or olcv:mof-...)
    key: str  # the record's own key, for the node's IRI
    klass: str | None = None  # IRI of the class (OSAI); None when the record leaves it empty
    links: list[str] = field(default_factory=list)  # evidence URLs
    texts: list[str] = field(default_factory=list)  # evidence that is not a URL, verbatim
    notes: str | None = None
    licence_name: str | None = None  # MOT
    licence: str | None = None  # its SPDX IRI, when the name is one


@dataclass
class Record:
    """One catalogue record: a system (OSAI) or a model release (MOT) and its criteria."""

    file: str  # the file name in the catalogue's folder
    slug: str
    name: str
    source: str  # the record's file at its commit
    commit: str
    date: str
    organisation: str | None = None
    link: str | None = None
    licence_name: str | None = None
    licence: str | None = None
    fields: list[str] = field(default_factory=list)  # "field: value", verbatim
    notes: str | None = None
    criteria: list[Criterion] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What the project says that a record's Turtle depends on."""

    matches: dict[str, str]  # IRI the importer would mint -> the graph's IRI (owl:sameAs)
    licences: frozenset[str]  # IRIs of the graph's licences (dct:LicenseDocument)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=_n(datatype) if datatype else None)


def triples(record: Record, prefix: str, agent: str, title: str, context: Context
            ) -> list[ox.Triple]:
    """The record as triples: the assessment, its criteria, its source and, unless a curator
    matched them to the graph's own, the model and organisation it is about."""
    assessment = ID + f"{prefix}-{record.slug}"
    model_key = ID + f"{prefix}-model-{record.slug}"
    model = context.matches.get(model_key, model_key)
    out: list[tuple] = []
    add = out.append
    a, src = _n(assessment), _n(record.source)
    add((a, _n(RDF + "type"), _n(OLC + "OpennessAssessment")))
    add((a, _n(RDFS + "label"), _lit(f"{title} assessment of {record.name}", language="en")))
    add((a, _n(PROV + "wasAttributedTo"), _n(agent)))
    add((a, _n(DCT + "source"), src))
    add((a, _n(OLC + "commit"), _lit(record.commit)))
    add((a, _n(OLC + "commitDate"), _lit(record.date, XSD + "date")))
    add((a, _n(OLC + "assesses"), _n(model)))
    add((a, _n(OLC + "recordName"), _lit(record.name)))
    if record.organisation:
        add((a, _n(OLC + "recordOrganisation"), _lit(record.organisation)))
    if record.link and URL.match(record.link):
        add((a, _n(OLC + "recordLink"), _n(record.link)))
    elif record.link:
        add((a, _n(OLC + "recordField"), _lit(f"link: {record.link}")))
    if record.licence_name:
        add((a, _n(OLC + "licenceName"), _lit(record.licence_name)))
    if record.licence and record.licence in context.licences:  # the graph's licences only
        add((a, _n(DCT + "license"), _n(record.licence)))
    for text in record.fields:
        add((a, _n(OLC + "recordField"), _lit(text)))
    if record.notes:
        add((a, _n(OLC + "catalogueNotes"), _lit(record.notes)))
    for criterion in record.criteria:
        c = _n(f"{assessment}#{criterion.key}")
        add((a, _n(OLC + "criterionAssessment"), c))
        add((c, _n(RDF + "type"), _n(OLC + "CriterionAssessment")))
        add((c, _n(OLC + "criterion"), _n(criterion.concept)))
        if criterion.klass:
            add((c, _n(OLC + "opennessClass"), _n(criterion.klass)))
        for link in criterion.links:
            add((c, _n(OLC + "evidenceLink"), _n(link)))
        for text in criterion.texts:
            add((c, _n(OLC + "evidenceText"), _lit(text)))
        if not criterion.links and not criterion.texts:
            add((c, _n(OLC + "noEvidenceLink"), _lit("true", XSD + "boolean")))
        if criterion.notes:
            add((c, _n(OLC + "catalogueNotes"), _lit(criterion.notes)))
        if criterion.licence_name:
            add((c, _n(OLC + "licenceName"), _lit(criterion.licence_name)))
        if criterion.licence and criterion.licence in context.licences:
            add((c, _n(DCT + "license"), _n(criterion.licence)))
    add((src, _n(RDF + "type"), _n(FOAF + "Document")))
    add((src, _n(DCT + "type"), _n(OLCV + "source-catalogue-record")))
    add((src, _n(DCT + "title"), _lit(f"{title}: {record.file}", language="en")))
    add((src, _n(DCT + "publisher"), _n(agent)))
    if model == model_key:
        out += _minted_model(record, prefix, assessment, model, src, context)
    return [ox.Triple(*t) for t in out]


def _minted_model(record: Record, prefix: str, assessment: str, model: str, src: ox.NamedNode,
                  context: Context) -> list[tuple]:
    """The model the record is about, as the graph's own fact sourced from the record."""
    out: list[tuple] = []
    add = out.append
    m, evidence = _n(model), _n(f"{assessment}#evidence")
    add((m, _n(RDF + "type"), _n(FAIR4ML + "MLModel")))
    add((m, _n(RDFS + "label"), _lit(record.name, language="en")))
    add((m, _n(OLC + "artefactDomain"), _n(OLCV + "domain-models")))
    unknown = [DCT + "isPartOf"]
    reasons = ["The record names no model family."]
    if record.link and HF_URL.match(record.link):
        add((m, _n(OLC + "huggingFacePage"), _n(record.link)))
    if record.licence and record.licence in context.licences:
        add((m, _n(DCT + "license"), _n(record.licence)))
    else:
        unknown.append(DCT + "license")
        reasons.append(f"Its licence ({record.licence_name!r}) is not one of the graph's "
                       "licences." if record.licence_name else "It gives no licence.")
    for prop in unknown:
        add((m, _n(OLC + "unknown"), _n(prop)))
    add((m, _n(OLC + "evidence"), evidence))
    if record.organisation:
        key = ID + f"{prefix}-org-{slugify(record.organisation)}"
        organisation = context.matches.get(key, key)
        add((m, _n(OLC + "developedBy"), _n(organisation)))
        if organisation == key:
            o = _n(organisation)
            add((o, _n(RDF + "type"), _n(ORG + "Organization")))
            add((o, _n(RDFS + "label"), _lit(record.organisation, language="en")))
            add((o, _n(OLC + "evidence"), evidence))
    add((evidence, _n(DCT + "source"), src))
    add((evidence, _n(OLC + "evidenceStatus"), _n(OLCV + "stated")))
    add((evidence, _n(OLC + "reason"), _lit(" ".join(reasons), language="en")))
    return out


def turtle(record: Record, prefix: str, agent: str, title: str, context: Context,
           header: str) -> bytes:
    """The record's file: a header comment, then its triples sorted (the same bytes each time)."""
    ordered = sorted(triples(record, prefix, agent, title, context),
                     key=lambda t: (str(t.subject), t.predicate.value != RDF + "type",
                                    str(t.predicate), str(t.object)))
    body = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    return header.encode() + b"\n" + body
