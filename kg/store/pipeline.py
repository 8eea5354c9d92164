"""The pipeline: parse (Oxigraph) -> validate (pySHACL) -> load a new store -> swap it in."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError, StoreError, ValidationFailed
from kg.progress import progress
from kg.sources import (
    GRAPH_PARTS,
    ParsedSources,
    Project,
    SourceFile,
    fingerprint,
    parse_sources,
)
from kg.store.builds import Build, Loader, StoreDir
from kg.store.freshness import (
    STAT_INDEX,
    current_states,
    directory_stamps,
    staleness,
    write_index,
)
from kg.terms import plural

if TYPE_CHECKING:
    from kg.validate import ValidationReport

#: Inside the store directory: per-part validation results of large graphs (kg.validate.core).
VALIDATION_CACHE = "validation-cache"


@dataclass
class BuildResult:
    build: Build
    files: dict[str, int]
    triples: int
    classes: list[tuple[str, int]]
    report: ValidationReport | None
    seconds: float
    prefixes: dict[str, str] = field(default_factory=dict)


def build(project: Project, store: StoreDir, *, validate: bool = True,
          log: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Build a new store from the project's sources and make it live only if all went well.

    The sources are parsed straight into the new store (the graph is never held as a list of
    quads), and validation reads the graph back from it; a build that fails validation is
    deleted like any other failed build, so the live one is untouched.
    """
    started = time.perf_counter()
    directories = directory_stamps(project)
    states = current_states(project, store.current())
    sources = project.sources(GRAPH_PARTS)
    kept = _validate_from_state(project, sources, store, log) if validate else None
    with store.new_build() as new:
        try:
            database = ox.Store(str(new.database))
            # Validation's queries run several times faster on an in-memory copy than on
            # the RocksDB store being written (at 100x: 8 s against 4 s); the copy is made
            # while parsing (copying the store afterwards took 6.7 s at 100x, 5.5 s of it
            # reading RocksDB back).
            memory = ox.Store() if validate and kept is None else None
            parsed = parse_into(database, sources, track_subjects=memory is not None,
                                mirror=memory)
        except OSError as error:
            raise StoreError(f"Could not write the new store in {new.path} "
                             f"({error.strerror or error}); the previous store is unchanged."
                             ) from None
        per_part = Counter(relpath.split("/", 1)[0] for relpath in parsed.triples_per_file)
        log(f"parsed {len(parsed.triples_per_file)} files "
            f"({', '.join(f'{part} {n}' for part, n in sorted(per_part.items()))}): "
            f"{sum(parsed.triples_per_file.values())} triples")
        report = kept
        if memory is not None:
            report = validate_project(project, parsed, store=memory,
                                      cache=store.path / VALIDATION_CACHE)
            in_parts = (f" in {plural(report.parts_checked + report.parts_reused, 'part')} "
                        f"({report.parts_reused} unchanged since the last validation)"
                        if report.parts_checked + report.parts_reused else "")
            log(f"validated against {plural(len(project.sources(('shapes',))), 'shape file')}"
                f"{in_parts}: {plural(report.violations, 'violation')}, "
                f"{plural(report.warnings, 'warning')}")
            _refuse_violations(report)
        elif not validate:
            log("validation skipped (--no-validate)")
        try:
            # RocksDB compacts without the GIL, and freeing the validated copy (4 s at
            # 1000x) needs it: both at once.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-optimize") as pool:
                compacting = pool.submit(_flush_and_optimize, database)
                memory = None  # its last reference
                compacting.result()  # a write's error (a full disk, say) is raised here
            from kg.store.counts import class_counts  # a build's, not a query's, import

            triples = len(database)
            classes = class_counts(database)
            del database  # closes RocksDB before the build goes live
            log(f"loaded {triples} distinct triples into a new store")
        except OSError as error:
            raise StoreError(f"Could not write the new store in {new.path} "
                             f"({error.strerror or error}); the previous store is unchanged."
                             ) from None
        store.write_manifest(new, {
            "kg_version": __version__,
            "fingerprint": fingerprint(states),
            "files": [s.to_json() for s in states],
            "prefixes": parsed.prefixes,
            "triples": triples,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "validated": validate,
            "warnings": report.warnings if report else None,
        })
        write_index(new.path / STAT_INDEX, directories, states)
    return BuildResult(new, parsed.triples_per_file, triples, classes, report,
                       time.perf_counter() - started, parsed.prefixes)


def _flush_and_optimize(database: ox.Store) -> None:
    database.flush()
    database.optimize()


def _validate_from_state(project: Project, sources: list[SourceFile], store: StoreDir,
                         log: Callable[[str], None]) -> ValidationReport | None:
    """The report from the state `kg validate` keeps, when there is a usable one: after an
    edit only the nodes it can affect are checked (at 1000x seconds, not minutes), and a
    build that would fail fails before the new store is written. None when there is no
    state (it is not made here: writing it doubles a whole validation)."""
    from kg.store.revalidation import revalidate, state_kept

    if not state_kept(store.path):
        return None  # the usual case of a first build: do not parse the shapes twice
    shapes = parse_sources(project.sources(("shapes",)))
    report = revalidate(project, sources, shapes, store.path, None, afresh=False)
    if report is None:
        return None
    changed, nodes = report.incremental or (0, 0)
    checked = ("the whole graph" if nodes is None else plural(nodes, "focus node"))
    log(f"validated against {plural(len(shapes.sources), 'shape file')} from the state "
        f"`kg validate` keeps ({plural(changed, 'file')} changed since, {checked} checked "
        f"again): {plural(report.violations, 'violation')}, "
        f"{plural(report.warnings, 'warning')}")
    _refuse_violations(report)
    return report


def _refuse_violations(report: ValidationReport) -> None:
    if not report.conforms:
        raise ValidationFailed(
            report, f"The data has {plural(report.violations, 'SHACL violation')}; "
            "the store was not changed. Run `kg validate` for the full report.")


def parse_into(store: ox.Store, sources: list[SourceFile], track_subjects: bool = True,
               mirror: ox.Store | None = None) -> ParsedSources:
    """Parse the sources straight into ``store`` (and ``mirror``, when given), in batches,
    with a progress bar.

    Python's cyclic garbage collector is off meanwhile: the parse makes millions of objects
    that stay (the subject index) and no cycles, and each full collection walks them all
    (56 collections, 6 of 86 s at 1000x: bench/README.md, item 1).
    """
    import gc

    stores = (store,) if mirror is None else (store, mirror)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with progress("parsing", total=len(sources)) as advance, Loader(*stores) as loader:
            parsed = parse_sources(sources, keep_quads=False, track_subjects=track_subjects,
                                   sink=loader, progress=advance)
    finally:
        if collecting:
            gc.enable()
    return parsed


def validate_project(project: Project, parsed: ParsedSources | None = None,
                     files: list[Path] | None = None, store: ox.Store | None = None,
                     cache: Path | None = None, state: Path | None = None
                     ) -> ValidationReport:
    """Validate the whole graph against ``shapes/``; report only on ``files`` when given.

    A file outside the project (a new contribution, say) is validated together with the
    project's graph, so its links to existing entities resolve. ``store`` holds the parsed
    graph when the caller has loaded it (a build); otherwise the sources are parsed into an
    in-memory Oxigraph store. ``cache``: where a large graph's parts keep their results, so
    that only the parts whose files changed are checked again. ``state``: a store directory
    in which to keep the graph and results between validations, so that after an edit only
    the nodes it can affect are checked again (``kg.store.revalidation``).
    """
    from kg.validate import validate

    sources = project.sources(GRAPH_PARTS)
    only = None
    if files is not None:
        known = {s.path.resolve(): s.relpath for s in sources}
        only = set()
        for file in files:
            relpath = known.get(file.resolve())
            if relpath is None:
                relpath = str(file)
                sources.append(SourceFile(file, relpath, "data"))
            only.add(relpath)
        parsed = None
    if state is not None and parsed is None:
        from kg.store.revalidation import revalidate

        shapes = parse_sources(project.sources(("shapes",)))
        report = revalidate(project, sources, shapes, state, only)
        if report is not None:
            return report
    if parsed is None or store is None:
        store = ox.Store()
        parsed = parse_into(store, sources)
    return validate(parsed, parse_sources(project.sources(("shapes",))), only, store, cache)


def ensure_built(project: Project, store: StoreDir,
                 notify: Callable[[str], None] = lambda _: None, fall_back: bool = True
                 ) -> Build:
    """The live build, (re)built first when missing or stale.

    When a rebuild fails but an older build exists, that build still answers (with a
    warning): a broken edit must not take the graph away from its readers. Without
    ``fall_back`` (for commands that publish), the failure is raised instead.
    """
    live = store.current()
    reason = staleness(project, live)
    if live is not None and reason is None:
        return live
    notify(f"Building the store ({reason})…")
    try:
        return build(project, store).build
    except KgError as error:
        if live is None or not fall_back:
            raise
        notify(f"warning: the rebuild failed, answering from the last good build of "
               f"{live.head.get('built_at', '?')}:\n  {error}")
        return live
