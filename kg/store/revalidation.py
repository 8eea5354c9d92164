"""`kg validate` after an edit: only the focus nodes the edit can affect are checked again.

A whole validation of a large graph takes minutes (139 s at 1000x); an edit of one project
file changes the results of a few dozen nodes. So `kg validate` keeps, beside the builds
(``validation-state/`` in the store directory):

- ``graph/``, an Oxigraph store holding every source file's triples in a named graph of its
  own and their union in the default graph, which the validating queries read;
- ``state.json``: what that state was made from (the kg version, a hash of the validating
  code and of the shapes, each file's hash, triple count and prefixes) and the last results,
  each with its focus node and its triples of the SHACL report graph.

The next `kg validate` hashes the sources (reusing hashes of unchanged size and mtime), parses
only the files that changed, applies their difference to the store (all of a changed file's
blank-node triples count as changed: a parse names them anew), finds the nodes whose results
may differ (``kg.validate.incremental.affected``: the readers of the changed triples and every
node that walks to them, in the graph before and after) and checks those alone. Their results
replace the old ones; every other result is kept. A change to the shapes, the merged prefixes
(they spell every result), kg or its validating code starts the state afresh with a whole
validation, as does a state left unfinished by an interrupted run; so does an edit that
affects more than a fraction of the graph, where checking everything is cheaper.

The results are those of a whole validation of the same sources (tests compare the two after
edits of every kind). When the state cannot be used (another `kg validate` holds it, the store
directory is read-only, a shape needs pySHACL), a whole validation answers, without state.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg import __version__
from kg.progress import progress
from kg.sources import (
    ParsedSources,
    Project,
    SourceFile,
    file_states,
    parse_sources,
)
from kg.sources.parsing import merge_prefixes, parse_file
from kg.store.builds import Loader
from kg.validate.reach import Reach

STATE_DIR = "validation-state"
_FORMAT = 1
#: an edit affecting more nodes than this share of the graph's subjects is checked whole
_AFFECTED_SHARE = 0.2
_FILE_GRAPH = "urn:kg:validation:file:"


def file_graph(relpath: str) -> ox.NamedNode:
    return ox.NamedNode(_FILE_GRAPH + quote(relpath, safe="/"))


@dataclass
class _File:
    sha256: str
    size: int
    mtime_ns: int
    triples: int
    prefixes: int  # index into the state's prefix tables


@dataclass
class _State:
    key: str
    files: dict[str, _File]
    prefix_tables: list[dict[str, str]]
    prefixes: dict[str, str]
    subjects: int
    records: list[dict] = field(default_factory=list)
    reach: Reach | None = None


class StateSources(ParsedSources):
    """The sources as the state's store holds them: which file describes a node is read
    from the per-file graphs (the first file in source order, as a parse of all would say)."""

    def __init__(self, store: ox.Store, order: list[str], triples: dict[str, int],
                 prefixes: dict[str, str]) -> None:
        super().__init__(triples_per_file=triples, prefixes=prefixes)
        self._store = store
        self._rank = {file_graph(relpath): (index, relpath)
                      for index, relpath in enumerate(order)}

    def file_of(self, term: ox.NamedNode | ox.BlankNode) -> str | None:
        ranks = [self._rank[q.graph_name] for q in
                 self._store.quads_for_pattern(term, None, None, None)
                 if q.graph_name in self._rank]
        return min(ranks)[1] if ranks else None


def state_kept(store_dir: Path) -> bool:
    """Whether a state was written in ``store_dir`` (it may still be outdated or unusable)."""
    return (store_dir / STATE_DIR / "state.json").is_file()


def revalidate(project: Project, sources: list[SourceFile], shapes: ParsedSources,
               store_dir: Path, only: set[str] | None, afresh: bool = True):
    """The validation report of ``sources``, from the kept state where it can be used; None
    when it cannot (the caller then validates the whole graph as before). Without ``afresh``
    a missing or outdated state is not made anew (None then): `kg build` uses a state that
    `kg validate` keeps, but does not pay for writing one."""
    from kg.validate.incremental import Checks

    if (os.environ.get("KG_VALIDATOR") or "sparql") != "sparql":
        return None
    if not afresh and not state_kept(store_dir):
        return None  # nothing to use, and nothing to create: not even the directory or lock
    directory = store_dir / STATE_DIR
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = _lock(directory)
    except OSError:  # a read-only store directory
        return None
    if lock is None:
        return None  # another `kg validate` is using the state
    with lock:
        key = _key(project, shapes)
        state = _read(directory, key)
        if state is None and not afresh:
            return None
        checks = Checks.prepare(shapes, state.reach if state is not None else None)
        if checks is None or checks.reach is None:
            return None
        if state is not None:
            report = _update(checks, sources, state, directory, only)
            if report is not None or not afresh:
                return report
        return _afresh(checks, sources, key, directory, only)


def _key(project: Project, shapes: ParsedSources) -> str:
    """What the state's results depend on besides the data: kg, its validating code, the
    shapes (their triples and prefixes)."""
    digest = hashlib.sha256(f"kg {__version__} state {_FORMAT}\n".encode())
    import kg.validate

    for module in sorted(Path(kg.validate.__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for source in shapes.sources:
        digest.update(source.relpath.encode() + b"\0" + source.path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(handle):
    try:
        yield
    finally:
        handle.close()


def _lock(directory: Path):
    import fcntl

    handle = (directory / "lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return _locked(handle)


# --- the state on disk -----------------------------------------------------------------------

def _read(directory: Path, key: str) -> _State | None:
    """The state, or None when missing, unfinished, unreadable or made for other shapes or
    code."""
    try:
        data = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("key") != key
            or not data.get("complete") or not (directory / "graph").is_dir()):
        return None
    try:
        files = {relpath: _File(*entry) for relpath, entry in data["files"].items()}
        reach = Reach(*(frozenset(data["reach"][part])
                        for part in ("forward", "backward", "object_read")))
        return _State(key, files, data["prefix_tables"], data["prefixes"], data["subjects"],
                      data["records"], reach)
    except (KeyError, TypeError):
        return None


def _write(directory: Path, state: _State | None) -> None:
    """Write the state atomically; None marks it unfinished (a change is being applied)."""
    payload = {"format": _FORMAT, "complete": False} if state is None else {
        "format": _FORMAT, "complete": True, "key": state.key,
        "files": {relpath: [f.sha256, f.size, f.mtime_ns, f.triples, f.prefixes]
                  for relpath, f in state.files.items()},
        "prefix_tables": state.prefix_tables, "prefixes": state.prefixes,
        "subjects": state.subjects, "records": state.records,
        "reach": {"forward": sorted(state.reach.forward), "backward": sorted(state.reach.backward),
                  "object_read": sorted(state.reach.object_read)}}
    temporary = directory / f".state.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(temporary, directory / "state.json")


def _prefix_index(tables: list[dict[str, str]], prefixes: dict[str, str]) -> int:
    try:
        return tables.index(prefixes)
    except ValueError:
        tables.append(prefixes)
        return len(tables) - 1


# --- afresh: a whole validation that leaves a state ------------------------------------------

def _afresh(checks, sources: list[SourceFile], key: str, directory: Path,
            only: set[str] | None):
    """Validate everything (in memory, where Oxigraph's queries are fastest) and keep the
    graph, file by file, and the results as the new state."""
    from kg.validate.incremental import results_of

    _write(directory, None)
    shutil.rmtree(directory / "graph", ignore_errors=True)
    disk = ox.Store(str(directory / "graph"))
    memory = ox.Store()
    tables: list[dict[str, str]] = []
    files: dict[str, _File] = {}
    states = {s.relpath: s for s in file_states(sources)}

    def keep(source: SourceFile, quads: list[ox.Quad], prefixes: dict[str, str]) -> None:
        graph = file_graph(source.relpath)
        to_memory(quads)
        to_disk(quads)
        to_disk([ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads])
        state = states[source.relpath]
        files[source.relpath] = _File(state.sha256, state.size, state.mtime_ns, len(quads),
                                      _prefix_index(tables, prefixes))

    with (progress("parsing", total=len(sources)) as advance, Loader(memory) as to_memory,
          Loader(disk) as to_disk):
        parsed = parse_sources(sources, keep_quads=False, per_file=keep, progress=advance)
    found = results_of(checks, parsed, memory, None)
    if found is None:
        return None
    state = _State(key, files, tables, parsed.prefixes, len(parsed.subject_file),
                   _records(*found, checks.graph), checks.reach)
    del memory
    disk.flush()
    del disk
    _write(directory, state)
    return _report_of(state, sources, checks, only)



# --- an update: the edit applied, the affected nodes checked ---------------------------------

def _update(checks, sources: list[SourceFile], state: _State, directory: Path,
            only: set[str] | None):
    """Apply the changed files to the state and check the nodes they affect; None when the
    state must start afresh (the merged prefixes changed, or the store cannot be opened)."""
    from kg.sources import FileState
    from kg.validate.incremental import TooMany, affected, readers, results_of

    known = {relpath: FileState(relpath, f.sha256, f.size, f.mtime_ns)
             for relpath, f in state.files.items()}
    now = {s.relpath: s for s in file_states(sources, known)}
    changed = sorted(relpath for relpath in set(now) | set(state.files)
                     if relpath not in now or relpath not in state.files
                     or now[relpath].sha256 != state.files[relpath].sha256)
    files = {relpath: state.files[relpath] for relpath in now if relpath in state.files}
    for relpath, stat in now.items():  # a touched, unchanged file is hashed once, not again
        if relpath in files:
            files[relpath].size, files[relpath].mtime_ns = stat.size, stat.mtime_ns
    by_path = {s.relpath: s for s in sources}
    parsed_files = {relpath: parse_file(by_path[relpath]) for relpath in changed
                    if relpath in now}  # a broken file stops here, the state untouched
    tables = [dict(table) for table in state.prefix_tables]
    for relpath, (quads, prefixes) in parsed_files.items():
        stat = now[relpath]
        files[relpath] = _File(stat.sha256, stat.size, stat.mtime_ns, len(quads),
                               _prefix_index(tables, prefixes))
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for source in sources:
        merge_prefixes(merged, origin, source.relpath, tables[files[source.relpath].prefixes])
    if merged != state.prefixes:
        return None  # every result may be spelt anew
    state = _State(state.key, files, tables, merged, state.subjects, state.records,
                   checks.reach)
    if not changed:
        _write(directory, state)
        return _report_of(state, sources, checks, only, (0, 0))
    try:
        disk = ox.Store(str(directory / "graph"))
    except OSError:
        return None
    _write(directory, None)  # unfinished until the new state is written
    leaving, arriving, touched = _apply_to_files(disk, changed, parsed_files)
    limit = max(1000, int(state.subjects * _AFFECTED_SHARE))
    default = ox.DefaultGraph()
    nodes: set | None = set(touched)
    try:
        nodes |= affected(disk, readers(leaving, checks.reach), checks.reach, limit)
    except TooMany:
        nodes = None
    for triple in leaving:
        disk.remove(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    disk.extend([ox.Quad(t.subject, t.predicate, t.object, default) for t in arriving])
    if nodes is not None:
        try:
            nodes |= affected(disk, readers(arriving, checks.reach), checks.reach, limit)
        except TooMany:
            nodes = None
    order = [source.relpath for source in sources]
    parsed = StateSources(disk, order, {r: files[r].triples for r in order}, merged)
    found = results_of(checks, parsed, disk, nodes)
    if found is None:
        return None
    records = _records(*found, checks.graph)
    if nodes is not None:
        from kg.validate.rdflib_bridge import rdflib_term

        checked = {rdflib_term(node).n3() for node in nodes}
        records = [r for r in state.records if r["focus"] not in checked] + records
    state.records = records
    disk.flush()
    del disk
    _write(directory, state)
    return _report_of(state, sources, checks, only,
                      (len(changed), None if nodes is None else len(nodes)))


def _apply_to_files(disk: ox.Store, changed: list[str], parsed_files: dict[str, tuple]
                    ) -> tuple[list[ox.Triple], list[ox.Triple], set]:
    """Replace the changed files' graphs; the triples that leave and enter the union (a triple
    another file states too stays), and the subjects of every changed triple (which file
    describes them may differ)."""
    gone_all: set[ox.Triple] = set()
    came_all: set[ox.Triple] = set()
    for relpath in changed:
        graph = file_graph(relpath)
        old = {q.triple for q in disk.quads_for_pattern(None, None, None, graph)}
        new = {q.triple for q in parsed_files[relpath][0]} if relpath in parsed_files else set()
        gone, came = old - new, new - old
        for triple in gone:
            disk.remove(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        disk.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in came])
        gone_all |= gone
        came_all |= came
    default = ox.DefaultGraph()
    leaving = [t for t in gone_all
               if not any(q.graph_name != default for q in
                          disk.quads_for_pattern(t.subject, t.predicate, t.object, None))]
    arriving = [t for t in came_all
                if next(disk.quads_for_pattern(t.subject, t.predicate, t.object, default),
                        None) is None]
    touched = {t.subject for t in gone_all | came_all}
    return leaving, arriving, touched


# --- results kept and reported ---------------------------------------------------------------

def _records(pairs: list, results_graph, shapes) -> list[dict]:
    """Each result with its own triples of the report graph (the result node and the blank
    nodes under it: path, nested results, copied shape nodes), keyed by the focus node of the
    top-level result it belongs to: a nested shape's result (``sh:detail``) is remade whenever
    its parent's focus node is checked, so it must be dropped with it.

    The shapes' blank nodes (a source shape, a copied path) get labels that do not change
    from run to run (``_stable_labels``), so results kept from different runs still share
    them as the results of one run do."""
    import rdflib
    from rdflib.namespace import SH

    stable = _stable_labels(shapes)

    def n3(term) -> str:
        return stable.get(term, term).n3()

    parent = {detail: result for result, detail in results_graph.subject_objects(SH.detail)}
    records = []
    for node, result in pairs:
        top = node
        while top in parent:
            top = parent[top]
        triples, todo, seen = [], [node], {node}
        while todo:
            subject = todo.pop()
            for _s, predicate, obj in results_graph.triples((subject, None, None)):
                triples.append([n3(subject), predicate.n3(), n3(obj)])
                if isinstance(obj, rdflib.BNode) and obj not in seen:
                    seen.add(obj)
                    todo.append(obj)
        focus = results_graph.value(top, SH.focusNode)
        records.append({"focus": focus.n3() if focus is not None else "", "node": str(node),
                        "top": top == node, "result": asdict(result), "triples": triples})
    return records


def _stable_labels(shapes) -> dict:
    """A label for each blank node of the shapes from its place in them: a hash of what it
    holds (its predicates and objects, blank ones by their own hash) and of where it sits
    (the predicates and nodes that point at it). The same shapes files give the same labels
    in every run, though each parse names their blank nodes anew."""
    import hashlib

    import rdflib

    def memoised(lines):
        """A node's hash over ``lines(node, hash_of)``, its neighbours hashed the same way."""
        hashes: dict = {}

        def hash_of(node, depth: int = 0) -> str:
            if not isinstance(node, rdflib.BNode):
                return node.n3()
            if node not in hashes:
                hashes[node] = "" if depth > 32 else hashlib.sha256("\n".join(sorted(
                    lines(node, lambda other: hash_of(other, depth + 1)))).encode()).hexdigest()
            return hashes[node]
        return hash_of

    content = memoised(lambda node, hash_of: (f"{p.n3()} {hash_of(o)}"
                                              for p, o in shapes.predicate_objects(node)))
    place = memoised(lambda node, hash_of: (f"{hash_of(s)} {p.n3()}"
                                            for s, p in shapes.subject_predicates(node)))
    nodes = {n for n in shapes.all_nodes() if isinstance(n, rdflib.BNode)}
    return {node: rdflib.BNode("shape" + hashlib.sha256(
        f"{content(node)} {place(node)}".encode()).hexdigest()[:32]) for node in nodes}


def _report_of(state: _State, sources: list[SourceFile], checks, only: set[str] | None,
               incremental: tuple[int, int | None] | None = None):
    import rdflib
    from rdflib.namespace import SH
    from rdflib.util import from_n3

    from kg.validate.core import _report
    from kg.validate.report import ValidationResult, empty_report

    graph = empty_report()
    report = next(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    pairs = []
    for record in state.records:
        for triple in record["triples"]:
            graph.add(tuple(from_n3(term) for term in triple))
        node = rdflib.BNode(record["node"])
        if record["top"]:
            graph.add((report, SH.result, node))
        pairs.append((node, ValidationResult(**record["result"])))
    parsed = ParsedSources(triples_per_file={s.relpath: state.files[s.relpath].triples
                                             for s in sources}, prefixes=state.prefixes)
    report = _report(pairs, graph, parsed, only,
                     {**checks.shapes.prefixes, **state.prefixes}, 0, 0)
    report.incremental = incremental
    return report
