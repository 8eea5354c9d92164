"""The catalog as grlc reads it: decorators, parameters, endpoint, and substitution.

grlc itself is not a test dependency: grlc 1.3.11 pins exact versions of everything it needs
(rdflib==7.6.0, requests==2.33.1, Flask==3.1.3, PyGithub, python-gitlab, gunicorn, ...), which
would fix those versions for the whole test environment. So this test applies grlc's rules,
copied from grlc/gquery.py (1.3.11): the header is every line starting with "#+", stripped of
its leading '#'/'+' and read as YAML; parameters come from the pattern of get_parameters over
the whole text; values are pasted as rewrite_query_standard pastes them. grlc's own parser was
run on every file too (bench/grlc_check.py, in a virtual environment of its own).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import yaml
from conftest import REPO, Run

from kg.query import Catalog
from kg.query.federation import is_federated

CATALOG = Catalog(REPO / "queries")
# grlc 1.3.11, gquery.get_parameters
GRLC_PARAMETER = re.compile(
    r"\?(?P<required>[_]{1,2})(?P<name>[a-zA-Z0-9]+)"
    r"([_](?P<type>(iri)|(number)|(literal)|(integer)))?"
    r"([_](?P<prefix>[a-zA-Z0-9]+)[_](?P<userdefined>[a-zA-Z0-9]+))?"
    r"([_](?P<lang>[a-zA-Z0-9]+))?")


def grlc_decorators(rq: str) -> dict:
    """gquery.get_yaml_decorators."""
    return yaml.safe_load("\n".join(row.lstrip("#+") for row in rq.split("\n")
                                    if row.startswith("#+"))) or {}


def grlc_parameters(rq: str, metadata: dict) -> dict[str, dict]:
    """gquery.get_parameters (without the SPARQL-filled enumerations)."""
    parameters = {}
    for match in GRLC_PARAMETER.finditer(rq):
        p = {"original": match[0], "required": len(match["required"]) == 1,
             "name": match["name"]}
        if match["type"] in ("number", "literal"):
            p["type"] = match["type"]
        elif match["type"] == "iri":
            p["type"], p["format"] = "string", "iri"
        else:
            p["type"] = "string"
            if match["type"] == "integer":
                p["datatype"] = "xsd:integer"
            elif match["prefix"] and match["userdefined"]:
                p["datatype"] = f"{match['prefix']}:{match['userdefined']}"
        for entry in metadata.get("defaults") or []:
            if match["name"] in entry:
                p["default"] = entry[match["name"]]
        if match["lang"] is not None:
            p["lang"] = match["lang"]
        parameters[match["name"]] = p
    return parameters


def grlc_rewrite(rq: str, parameters: dict[str, dict], values: dict[str, str]) -> str:
    """gquery.rewrite_query_standard."""
    xsd = False
    for name, p in parameters.items():
        v = values.get(name)
        if not v:
            continue
        if p["type"] == "number":
            rq = rq.replace(p["original"], v)
        elif p["type"] in ("literal", "string"):
            if p.get("format") == "iri":
                rq = rq.replace(p["original"], f"<{v}>")
            if p.get("lang"):
                rq = rq.replace(p["original"], f'"{v}"@{p["lang"]}')
            elif p.get("datatype"):
                rq = rq.replace(p["original"], f'"{v}"^^{p["datatype"]}')
                xsd = xsd or "xsd" in p["datatype"]
            else:
                rq = rq.replace(p["original"], f'"{v}"')
    prefix = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>"
    return rq.replace("SELECT", prefix + "\n\nSELECT") if xsd and prefix not in rq else rq


@pytest.mark.parametrize("name", CATALOG.names())
def test_kg_reads_each_query_as_grlc_does(name: str) -> None:
    query = CATALOG.get(name)
    metadata = grlc_decorators(query.text)
    assert str(metadata["summary"]).strip() == query.summary
    assert str(metadata.get("description") or "").strip() == query.description
    assert tuple(metadata.get("tags") or ()) == query.tags
    grlc = grlc_parameters(query.text, metadata)
    kinds = {"iri": "iri", "number": "number", "literal": "string"}
    assert {n: (p["required"], p.get("format") or p["type"], p.get("lang") or p.get("datatype"),
                p.get("default")) for n, p in grlc.items()} == \
        {p.name: (p.required, kinds.get(p.kind, "string"),
                  p.detail, p.default) for p in query.parameters}


@pytest.mark.parametrize("name", CATALOG.names())
def test_each_query_parses_after_grlc_substitutes_its_parameters(name: str) -> None:
    query = CATALOG.get(name)
    parameters = grlc_parameters(query.text, grlc_decorators(query.text))
    for p in parameters.values():  # an IRI default is a full IRI: grlc wraps it in <...>
        if p.get("format") == "iri" and "default" in p:
            assert re.match(r"^[a-z][a-z0-9+.-]*://", str(p["default"])), (name, p)
    with_defaults = {n: str(p.get("default") or ("http://example.org/x" if p.get("format")
                                                 else "x")) for n, p in parameters.items()}
    ox.Store().query(grlc_rewrite(query.text, parameters, with_defaults))  # SyntaxError if not
    required_only = {n: v for n, v in with_defaults.items() if parameters[n]["required"]}
    ox.Store().query(grlc_rewrite(query.text, parameters, required_only))


def test_the_catalog_declares_its_endpoint_as_grlc_reads_it() -> None:
    """grlc takes '#+ endpoint:' or else the first line of endpoint.txt beside the queries."""
    first = (REPO / "queries" / "endpoint.txt").read_text(encoding="utf-8").strip().splitlines()[0]
    assert re.match(r"^https?://\S+$", first)
    for query in CATALOG.all():
        endpoint = grlc_decorators(query.text).get("endpoint")
        assert endpoint is None or re.match(r"^https?://\S+$", endpoint), query.name


def test_openapi_describes_what_kg_serve_answers(run_repo: Run, repo_store: Path,
                                                  tmp_path: Path) -> None:
    """Every path of `kg queries --openapi`, called as described, answers 200 on `kg serve`."""
    from test_server import start

    for server in start(repo_store, tmp_path):
        base = f"http://127.0.0.1:{server.port}"
        result = run_repo("queries", "--openapi", "--server", base)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document["openapi"].startswith("3.") and document["servers"] == [{"url": base}]
        assert sorted(document["paths"]) == [f"/queries/{n}" for n in CATALOG.names()]
        for path, item in document["paths"].items():
            query = CATALOG.get(path.rsplit("/", 1)[-1])
            operation = item["get"]
            assert operation["summary"] == query.summary
            assert [p["name"] for p in operation["parameters"]] == \
                [p.name for p in query.parameters] + (["page"] if query.page_size else [])
            if is_federated(query.text):
                continue  # it would call Wikidata
            values = {p["name"]: p["schema"]["default"] for p in operation["parameters"]
                      if p["required"] is False and "default" in p["schema"]}
            status, headers, _body = server.request(
                "GET", path + ("?" + urlencode(values) if values else ""),
                headers={"Accept": "application/sparql-results+json"})
            assert status == 200, path
            assert headers["content-type"].startswith("application/sparql-results+json")
