"""Store: the on-disk Oxigraph store, built from validated sources and swapped in atomically.

Takes a ``Project`` (``kg.sources``) and a store directory; gives builds (``build``: parse,
validate, load, swap; the last good build survives a failed one), whether the store is
stale (``staleness``, ``ensure_built``), a validation of the project without a build
(``validate_project``) and counts of what a store holds (``collect``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "StoreDir": "builds",
    "Build": "builds",
    "build": "pipeline",
    "BuildResult": "pipeline",
    "ensure_built": "pipeline",
    "staleness": "freshness",
    "validate_project": "pipeline",
    "VALIDATION_CACHE": "pipeline",
    "Stats": "counts",
    "collect": "counts",
    "class_counts": "counts",
})
