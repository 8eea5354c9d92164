"""The on-disk Oxigraph store, and the atomic swap that keeps the last good build queryable.

Layout of a store directory::

    <store>/CURRENT                      name of the live build (replaced atomically)
    <store>/lock                         held while a build runs
    <store>/builds/<name>/oxigraph/      an Oxigraph (RocksDB) database
    <store>/builds/<name>/manifest.json  what went into it (sources and their hashes)
<store>/builds/<name>/head.json      the manifest without the file list (read by every query)
<store>/builds/<name>/stat-index     sizes and mtimes of the sources (kg.store.freshness)
    <store>/builds/<name>/pin            share-locked by long-running readers (`kg serve`)

A build writes a new ``builds/<name>`` beside the live one and only then rewrites
``CURRENT``; a build that fails or is interrupted never touches the live build. Each build is
written once and never modified, so readers open it read-only, even while another build runs.
The previous build is kept one generation, for readers that still have it open; a build a
server has pinned is kept for as long as the server runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.sources import FileState

TYPE_CHECKING = False  # typing and threads are a build's, not a query's, imports
if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
HEAD = "head.json"


class Build:
    """One finished, immutable build.

    A plain class, not a dataclass: a cold `kg query` must not import ``dataclasses``
    (tests/test_cold_query.py).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Build) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"Build({str(self.path)!r})"

    @property
    def database(self) -> Path:
        return self.path / "oxigraph"

    @functools.cached_property
    def manifest(self) -> dict:
        """Read once per Build object: a build never changes (it lists every source file)."""
        import json  # not at the top: a cold `kg query` opens the store before it needs json

        try:
            return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StoreError(f"The store build at {self.path} has no readable manifest "
                             f"({error}); run `kg build` to rebuild it.") from None

    @functools.cached_property
    def head(self) -> dict:
        """The manifest less its list of files: what a query needs (prefixes, version).

        A small file of its own, so a cold `kg query` does not parse every file's hash.
        """
        import json

        try:
            return json.loads((self.path / HEAD).read_text(encoding="utf-8"))
        except FileNotFoundError:  # a build made before head.json existed
            return {k: v for k, v in self.manifest.items() if k != "files"}
        except (OSError, ValueError) as error:
            raise StoreError(f"The store build at {self.path} has no readable head.json "
                             f"({error}); run `kg build` to rebuild it.") from None

    @property
    def validated(self) -> bool:
        """False for a `kg build --no-validate` build: it may hold data the shapes refuse."""
        return self.head.get("validated") is True

    def file_states(self) -> dict[str, FileState]:
        return {s["path"]: FileState.from_json(s) for s in self.manifest.get("files", [])}

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Keep this build from being collected while a long-lived reader (a server) uses it.

        A shared advisory lock on ``pin``: any number of readers can hold it, and garbage
        collection skips a build whose pin it cannot lock exclusively.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        try:
            handle = open(self.path / "pin", "a+")  # noqa: SIM115 - closed below
        except OSError:  # a read-only store: no build can collect this one either
            yield
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def in_use(self) -> bool:
        """True while some reader holds this build's pin."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return False
        try:
            handle = open(self.path / "pin")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def open(self) -> ox.Store:
        """Open read-only: builds are immutable, so many readers can share one."""
        return open_read_only(self.database)

    def open_meanwhile(self) -> Opening:
        """Start opening the store on a thread; ``Opening.store()`` waits for it."""
        return Opening(self)


def open_read_only(database: Path | str) -> ox.Store:
    """Open a build's store read-only, the one way every reader does (commands, the site, the
    server's workers), so that a missing or corrupt store is one clear error everywhere."""
    try:
        return ox.Store.read_only(str(database))
    except (OSError, RuntimeError) as error:  # RuntimeError: RocksDB finds corruption
        raise StoreError(f"The store at {database} cannot be opened ({error}); "
                         "run `kg build` to rebuild it.") from None


class Opening:
    """A build's store being opened read-only on a thread.

    Opening RocksDB is a third of a cold `kg query` at 1x (30-40 ms) and releases the GIL,
    so the imports, the freshness check (one stat per source file: 60 ms at 1000x) and the
    query's preparation run meanwhile on the other core (bench/README.md, item 2).
    """

    def __init__(self, build: Build) -> None:
        import threading

        self._build = build
        self._store: ox.Store | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, name="kg-open", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            self._store = self._build.open()
        except BaseException as error:  # raised where the store is asked for
            self._error = error

    def store(self) -> ox.Store:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._store

    def close(self) -> None:
        """Wait for the thread and drop this handle on the store (after the answer, or when it
        will not come from the store), so that nothing is left opening at exit."""
        self._thread.join()
        self._store = None


class Loader:
    """Hands parsed quads to Oxigraph's bulk loader in large batches, not file by file, each
    batch written on a thread while the next files are parsed.

    A bulk load per small file writes a RocksDB table file per file; on 1,400 project files
    that made `oxigraph load` take 8 s where one batch takes 1 s (bench/README.md). The bulk
    loader runs without holding the GIL, so parsing goes on while it writes. Several stores
    (the build's RocksDB store and the in-memory copy validation reads) get every batch, each
    on its own thread. Use it as a context manager: leaving it writes what is pending, or,
    when an error is leaving it, waits for the writes running so that none is left writing
    into a directory the caller then removes.
    """

    BATCH = 100_000

    def __init__(self, *stores: ox.Store) -> None:
        self.stores = stores
        self.pending: list[ox.Quad] = []
        self._writing: list[Future] = []
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.flush()
        else:
            self.close()

    def __call__(self, quads: list[ox.Quad]) -> None:
        self.pending.extend(quads)
        if len(self.pending) >= self.BATCH:
            self._start()

    def _start(self) -> None:
        self._wait()
        if self.pending:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=len(self.stores),
                                                thread_name_prefix="kg-load")
            batch, self.pending = self.pending, []
            self._writing = [self._pool.submit(store.bulk_extend, batch)
                             for store in self.stores]

    def _wait(self) -> None:
        writing, self._writing = self._writing, []
        for future in writing:
            future.result()  # a write's error (a full disk, say) is raised here

    def flush(self) -> None:
        """Write what is pending; return once every batch is in every store."""
        try:
            self._start()
            self._wait()
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the writes still running (their errors are the caller's to ignore)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._writing = []


class StoreDir:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.builds = self.path / "builds"

    def current(self) -> Build | None:
        """The live build, or None when nothing was built yet (or its files are gone)."""
        try:
            name = (self.path / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(f"The store at {self.path} cannot be read ({error}).") from None
        build = Build(self.builds / name)
        if not name or not (build.path / MANIFEST).is_file() or not build.database.is_dir():
            return None
        return build

    @contextlib.contextmanager
    def new_build(self) -> Iterator[Build]:
        """Yield an empty build directory; on clean exit make it live, on any error delete it."""
        try:
            self.builds.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the store directory {self.path} "
                             f"({error.strerror or error}).") from None
        import secrets  # only a build needs these (random, hmac, bz2, lzma: not a query)
        import shutil

        with self._lock():
            name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{secrets.token_hex(4)}"
            build = Build(self.builds / name)
            try:
                build.path.mkdir()
            except OSError as error:
                raise self._unwritable(error) from None
            try:
                yield build
                self._make_current(build)
            except BaseException:
                shutil.rmtree(build.path, ignore_errors=True)
                raise
            self._collect_garbage(keep=build)

    def write_manifest(self, build: Build, manifest: dict) -> None:
        import json

        _write_durably(build.path / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        head = {k: v for k, v in manifest.items() if k != "files"}
        _write_durably(build.path / HEAD, json.dumps(head, indent=2, sort_keys=True))

    def _make_current(self, build: Build) -> None:
        previous = self.current()
        if previous is not None:
            _write_durably(self.path / "PREVIOUS", previous.path.name)
        _write_durably(self.path / CURRENT, build.path.name)

    def _collect_garbage(self, keep: Build) -> None:
        """Delete builds other than the live one, the one before it and pinned ones."""
        import shutil

        previous = (self.path / "PREVIOUS").read_text().strip() if (
            self.path / "PREVIOUS").is_file() else ""
        for entry in self.builds.iterdir():
            if entry.name not in (keep.path.name, previous) and not Build(entry).in_use():
                shutil.rmtree(entry, ignore_errors=True)

    def _unwritable(self, error: OSError) -> StoreError:
        return StoreError(f"Cannot write the store at {self.path} ({error.strerror or error}); "
                          "the previous store is unchanged.")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One build at a time per store (POSIX advisory lock; a no-op elsewhere)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        try:
            handle = open(self.path / "lock", "a+")  # noqa: SIM115 - closed below
        except OSError as error:
            raise self._unwritable(error) from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"Another `kg build` is writing {self.path}; "
                                 "wait for it to finish.") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _write_durably(path: Path, text: str) -> None:
    """Write to a temporary file, fsync, then rename over ``path`` (atomic on POSIX)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
