"""The dataset describing itself: VoID + DCAT, SPARQL examples, citation, schema.org markup.

The downloads are the current release made from the live build (``kg.publish.release``),
written once into the build's folder (builds never change, so neither does it). The VoID
description is that release's ``void.ttl`` read with the address it is published at as its
base, so every IRI in it is absolute.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from kg import BASE, __version__
from kg.errors import KgError
from kg.query import StoredQuery, bind

SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID = "http://rdfs.org/ns/void#"
SPEX = "https://purl.expasy.org/sparql-examples/ontology#"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def make_downloads(project, cache: Path, fingerprint: str, prefixes: dict[str, str]) -> Path:
    """The release folder of this build (made on first use), whose files /downloads serves."""
    from kg.publish.release import NAME, make_release

    folder = cache / f"{NAME}-{__version__}"
    if (folder / "SHA256SUMS").is_file():
        return folder
    try:
        cache.mkdir(parents=True, exist_ok=True)
        return make_release(project, cache, __version__, fingerprint, prefixes).folder
    except KgError:  # another process made it meanwhile
        if (folder / "SHA256SUMS").is_file():
            return folder
        raise
    except OSError:  # a read-only store: make it in a temporary folder instead
        temporary = Path(tempfile.mkdtemp(prefix="kg-downloads-"))
        made = make_release(project, temporary, __version__, fingerprint, prefixes).folder
        return made


def void(release: Path, base: str, sparql_endpoint: str | None, examples: str | None
         ) -> list[ox.Triple]:
    """The release's VoID + DCAT with absolute IRIs (``base``: where the files are served)."""
    triples = list(ox.parse(path=release / "void.ttl", format=ox.RdfFormat.TURTLE,
                            base_iri=base + "void.ttl"))
    subject = ox.NamedNode(base + "void.ttl#release")
    dataset = ox.NamedNode(BASE)
    triples.append(ox.Triple(subject, ox.NamedNode(VOID + "rootResource"), dataset))
    if sparql_endpoint:
        triples.append(ox.Triple(subject, ox.NamedNode(VOID + "sparqlEndpoint"),
                                 ox.NamedNode(sparql_endpoint)))
    if examples:
        triples.append(ox.Triple(subject, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(examples)))
    return triples


# -- SPARQL examples (SIB's convention: SHACL SPARQL executables) -------------------------------

def query_form(text: str) -> str:
    """select, ask, construct or describe: the first such keyword outside comments and IRIs."""
    body = re.sub(r"#[^\n]*|<[^>\s]*>|\"[^\"]*\"", " ", text)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
    return match.group(1).lower() if match else "select"


def with_defaults(query: StoredQuery, prefixes: dict[str, str]) -> str:
    """The query text with its parameters' defaults bound by a VALUES block.

    For the editor and the examples: a parameterised query opens ready to run, the values
    visible and editable at the top of its WHERE clause. The terms are those the engine
    would substitute (``kg.query.bind``), written in SPARQL syntax. Optional parameters
    without a default stay unbound, which is what they mean.
    """
    values = {p.name: p.default for p in query.parameters if p.default is not None}
    if not values:
        return query.text
    terms = bind(query, values, prefixes)
    head = " ".join(f"?{v.value}" for v in terms)
    row = " ".join(str(t) for t in terms.values())
    block = f"\n  VALUES ({head}) {{ ({row}) }}  # the defaults; change them to ask again\n"
    match = re.search(r"\bWHERE\s*\{", query.text, re.IGNORECASE)
    if match is None:
        return query.text
    return query.text[: match.end()] + block + query.text[match.end():]


def sparql_examples(queries: list[StoredQuery], prefixes: dict[str, str], endpoint: str
                    ) -> list[ox.Triple]:
    """The catalog as ``sh:SPARQLExecutable`` examples, one per query, as SIB publishes them."""
    n = ox.NamedNode
    triples = []
    for query in queries:
        example = n(f"{BASE}queries/{query.name}")
        form = query_form(query.text)
        kind = {"select": "SPARQLSelectExecutable", "ask": "SPARQLAskExecutable",
                "construct": "SPARQLConstructExecutable",
                "describe": "SPARQLDescribeExecutable"}[form]
        triples += [
            ox.Triple(example, n(RDF_TYPE), n(SH + "SPARQLExecutable")),
            ox.Triple(example, n(RDF_TYPE), n(SH + kind)),
            ox.Triple(example, n(RDFS + "label"), ox.Literal(query.name)),
            ox.Triple(example, n(RDFS + "comment"),
                      ox.Literal(query.summary or query.name, language="en")),
            ox.Triple(example, n(SH + form), ox.Literal(with_defaults(query, prefixes))),
            ox.Triple(example, n(SCHEMA + "target"), n(endpoint)),
        ]
        triples += [ox.Triple(example, n(SCHEMA + "keywords"), ox.Literal(tag))
                    for tag in query.tags]
        for target in sorted(set(re.findall(r"SERVICE\s*<([^>]+)>", query.text))):
            triples.append(ox.Triple(example, n(SPEX + "federatesWith"), n(target)))
    return triples


EXAMPLE_PREFIXES = {"sh": SH, "schema": SCHEMA, "rdfs": RDFS, "spex": SPEX,
                    "ex": f"{BASE}queries/"}


# -- citation and schema.org --------------------------------------------------------------------

def citation(root: Path) -> dict:
    """How to cite the graph and the study, read from CITATION.cff (empty when absent)."""
    import yaml

    path = root / "CITATION.cff"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def cite_text(entry: dict) -> str:
    """An APA-like reference from one CFF entry: authors (year). Title. Venue. DOI or URL."""
    authors = []
    for author in entry.get("authors") or []:
        if "family-names" in author:
            initials = " ".join(f"{part[0]}." for part in
                                str(author.get("given-names", "")).split() if part)
            authors.append(f"{author['family-names']}, {initials}".strip(", "))
        elif "name" in author:
            authors.append(str(author["name"]))
    names = ", ".join(authors[:-1]) + (", & " if len(authors) > 1 else "") + authors[-1] \
        if authors else ""
    year = f" ({entry['year']})" if entry.get("year") else ""
    title = " ".join(str(entry.get("title", "")).split())
    version = f" (version {entry['version']})" if entry.get("version") else ""
    venue = f" {entry['journal']}." if entry.get("journal") else ""
    link = f" https://doi.org/{entry['doi']}" if entry.get("doi") else (
        f" {entry['url']}" if entry.get("url") else "")
    licence = f" Licence: {entry['license']}." if entry.get("license") else ""
    return f"{names}{year}. {title}{version}.{venue}{link}{licence}".strip()


def schema_org(name: str, description: str, url: str, cff: dict, counts: dict[str, int],
               downloads: list[tuple[str, str, int]], sparql_endpoint: str | None) -> dict:
    """schema.org ``Dataset`` markup, as dataset search engines read it."""
    study = cff.get("preferred-citation") or {}
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": name,
        "description": description,
        "url": url,
        "identifier": BASE,
        "license": LICENCE,
        "isAccessibleForFree": True,
        "version": str(cff.get("version") or __version__),
        "keywords": [str(k) for k in cff.get("keywords") or []],
        "creator": [{"@type": "Organization", "name": str(a["name"])}
                    for a in cff.get("authors") or [] if "name" in a],
        "variableMeasured": [f"{label}: {value}" for label, value in counts.items()],
        "distribution": [{"@type": "DataDownload", "name": file, "encodingFormat": media,
                          "contentUrl": href} for file, media, href in downloads],
    }
    if study:
        data["isBasedOn"] = {
            "@type": "ScholarlyArticle",
            "name": " ".join(str(study.get("title", "")).split()),
            "author": [{"@type": "Person", "givenName": a.get("given-names"),
                        "familyName": a.get("family-names")}
                       for a in study.get("authors") or [] if "family-names" in a],
            "datePublished": str(study.get("year", "")),
            "url": study.get("url"),
            "sameAs": f"https://doi.org/{study['doi']}" if study.get("doi") else None,
        }
        data["citation"] = cite_text(study)
    if sparql_endpoint:
        data["distribution"].append({"@type": "DataDownload", "name": "SPARQL endpoint",
                                     "encodingFormat": "application/sparql-query",
                                     "contentUrl": sparql_endpoint})
    return data


def copy_release(release: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(release.iterdir()):
        if path.is_file():
            shutil.copyfile(path, target / path.name)
