"""A synthetic project at N times the size of the real one, for the scale benchmarks.

The real project is copied whole (ontology, shapes, queries, data), then every real project
file (``data/projects/*.ttl``) is cloned N - 1 times, so 1x is the real graph and 1000x holds
a thousand projects for each real one. A clone is its template with:

- every entity the template describes renamed (``olcd:smollm`` -> ``olcd:smollm-x000042``),
  so clones never merge, while links to shared entities (organisation models, concepts,
  licences, base models described elsewhere) stay as they are, as new projects would link;
- every source only its template cites moved to ``https://synthetic-N.invalid/...`` and
  described in the clone (kind and title copied from ``data/sources.ttl``): new projects
  bring their own sources, so the sources grow with the graph, while sources several real
  projects cite (the study's slides, say) stay shared, as they would;
- Wikidata items replaced by made-up ones (Q9000000000 and above, far past Wikidata's
  numbering), so the one-item-per-entity checks see as many items as entities;
- labels suffixed with the clone number;
- blank nodes labelled with the template and the clone number (``_:t3c000042b7``: file 3,
  clone 42), so that the clones stay apart even when all files are read as one stream (the
  one-stream `oxigraph load` baseline in bench/run.py), as they do when kg parses them file
  by file.

So the clones have exactly the real files' classes, properties, evidence patterns and link
patterns, in the real mix of projects, and are valid against the shapes whenever the real
data is. Nothing synthetic is ever written inside the repository.

Each template is serialised once with placeholders and cloned by text substitution, so even
10 000x (140 000 files, about 19 million triples) is written in a few minutes.

Usage: python bench/synth.py --scale 100 OUT_DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
ENTITY = "https://w3id.org/olckg/id/"
WIKIDATA = "http://www.wikidata.org/entity/Q"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
FILES_PER_FOLDER = 1000
CLONE = "__CLONE__"  # the clone number, zero-padded to six digits


def template(path: Path, sources: dict[str, list[ox.Triple]], shared: set[str],
             file_number: int) -> str:
    """Project file ``file_number`` as Turtle with ``__CLONE__`` wherever a clone differs."""
    parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    triples = [quad.triple for quad in parser]
    described = {t.subject.value for t in triples
                 if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ENTITY)}
    items: dict[str, int] = {}
    cited: dict[str, ox.NamedNode] = {}
    blanks: dict[str, ox.BlankNode] = {}

    def rename(term):
        if isinstance(term, ox.BlankNode):
            label = f"t{file_number}c{CLONE}b{len(blanks)}"
            return blanks.setdefault(term.value, ox.BlankNode(label))
        if isinstance(term, ox.NamedNode):
            value = term.value
            if value in described:
                return ox.NamedNode(f"{value}-x{CLONE}")
            if value.startswith(WIKIDATA):
                number = items.setdefault(value, len(items))
                return ox.NamedNode(f"{WIKIDATA}9{CLONE}{number:03d}")
        return term

    for triple in triples:
        if triple.predicate == SOURCE and triple.object.value not in shared:
            url = triple.object.value
            cited.setdefault(url, ox.NamedNode(
                f"https://synthetic-{CLONE}.invalid/{url.split('://', 1)[-1]}"))
    out = []
    for t in triples:
        obj = cited.get(t.object.value, t.object) if t.predicate == SOURCE else rename(t.object)
        if t.predicate == LABEL and isinstance(obj, ox.Literal):
            obj = ox.Literal(f"{obj.value} (synthetic {CLONE})", language=obj.language)
        out.append(ox.Triple(rename(t.subject), t.predicate, obj))
    for url, moved in cited.items():
        out += [ox.Triple(moved, t.predicate, t.object) for t in sources.get(url, [])]
    text = ox.serialize(out, format=ox.RdfFormat.TURTLE, prefixes=dict(parser.prefixes))
    header = f"# Synthetic clone {CLONE} of {path.name}, for the scale benchmarks.\n\n"
    return header + text.decode()


def source_descriptions(project: Path) -> dict[str, list[ox.Triple]]:
    described: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=project / "data" / "sources.ttl", format=ox.RdfFormat.TURTLE):
        if isinstance(quad.subject, ox.NamedNode):
            described.setdefault(quad.subject.value, []).append(quad.triple)
    return described


def shared_sources(paths: list[Path]) -> set[str]:
    """Sources that more than one real project file cites."""
    citing: dict[str, set[Path]] = {}
    for path in paths:
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            if quad.predicate == SOURCE:
                citing.setdefault(quad.object.value, set()).add(path)
    return {url for url, files in citing.items() if len(files) > 1}


def generate(scale: int, out: Path, project: Path = REPO) -> int:
    """Write the project at ``scale`` into ``out`` (which must not exist); return files written."""
    if scale < 1:
        raise ValueError("the scale factor is a whole number, 1 or more")
    out.mkdir(parents=True)
    for part in ("ontology", "shapes", "queries", "data"):
        shutil.copytree(project / part, out / part)
    sources = source_descriptions(project)
    paths = sorted((project / "data" / "projects").glob("*.ttl"))
    shared = shared_sources(paths)
    templates = [(path.stem, template(path, sources, shared, number))
                 for number, path in enumerate(paths)]
    written = 0
    for clone in range(1, scale):
        for stem, text in templates:
            folder = out / "data" / "projects" / f"synthetic-{written // FILES_PER_FOLDER:04d}"
            if written % FILES_PER_FOLDER == 0:
                folder.mkdir()
            number = f"{clone:06d}"
            (folder / f"{stem}-x{number}.ttl").write_text(text.replace(CLONE, number),
                                                          encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100, help="size factor (1 = the real graph)")
    parser.add_argument("out", type=Path, help="a directory to create")
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists; give a new directory")
    files = generate(args.scale, args.out)
    print(f"wrote {args.out}: the real project plus {files} synthetic project files")


if __name__ == "__main__":
    main()
