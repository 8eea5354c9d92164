"""The Open LLM Collaboration Knowledge Graph: build, check, query and publish it.

The package is the pipeline, one sub-package per stage, each importing only the stages
upstream of it: ``sources`` (finding and parsing the Turtle) -> ``validate`` (SHACL) ->
``store`` (the on-disk Oxigraph store, builds, freshness) -> ``query`` (the catalog, running
and rendering answers, federation) -> ``link`` (Wikidata) and ``publish`` (dumps, releases,
docs) -> ``serve`` (the HTTP endpoint) -> ``cli`` (click commands, one module per group).
``errors``, ``progress`` and ``terms`` are shared by all stages.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:  # kept out of start-up: `kg` should be able to say "interrupted" early
    from collections.abc import Callable
    from typing import Any

__version__ = "0.1.0"

#: Persistent namespace for everything this project mints (w3id.org-style; see README).
BASE = "https://w3id.org/olckg/"


def lazy_exports(namespace: dict[str, Any], exports: dict[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """A stage's public names, each imported from its module on first use.

    Stages expose what other stages use at the package level, but importing a package must
    stay cheap: `kg query` should not load rdflib because ``kg.validate`` was named. So the
    package's ``__getattr__`` (PEP 562) imports the defining module only when a name is read.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__, sorted(exports)
