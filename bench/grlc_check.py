"""Load every .rq with grlc's own parser, substitute values grlc's way, parse in Oxigraph.

grlc pins exact versions of its dependencies (rdflib, requests, Flask, ...), so it is not in
the test extra; run this in a virtual environment of its own:

    python -m venv /tmp/grlc && /tmp/grlc/bin/pip install grlc pyoxigraph
    /tmp/grlc/bin/python bench/grlc_check.py queries

tests/test_grlc.py checks the same rules in the test suite.
"""
import sys
from pathlib import Path

import pyoxigraph as ox
from grlc import gquery
from grlc.fileLoaders import LocalLoader

folder = Path(sys.argv[1])
loader = LocalLoader(str(folder))
ok = True
for path in sorted(folder.glob("*.rq")):
    rq = path.read_text(encoding="utf-8")
    endpoint, _ = gquery.guess_endpoint_uri(rq, loader)
    meta = gquery.get_metadata(rq, endpoint)
    params = meta.get("parameters", {})
    values = {}
    for name, p in params.items():
        v = p.get("default")
        if v is None:
            v = "http://example.org/x" if p.get("format") == "iri" else (
                "1" if p["type"] == "number" else "x")
        values[name] = str(v)
    text = gquery.rewrite_query(meta["query"], params, values)
    try:
        ox.Store().query(text)
        status = "parses"
    except SyntaxError as e:
        status, ok = f"SYNTAX ERROR {e}", False
    described = sorted((k, p["required"], p.get("format") or p["type"],
                        p.get("lang") or p.get("datatype")) for k, p in params.items())
    print(f"{path.stem}: endpoint={endpoint} params={described} {status}")
print("ALL PARSE" if ok else "FAILURES")
