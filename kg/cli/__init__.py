"""The ``kg`` command line: a thin click layer over the library, one module per command group.

The group itself is in ``kg.cli.group``; this package only names it, lazily, so that the
fast path of `kg query` (``kg.cli.fast``) can live here without importing click.
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {"cli": "group", "main": "group"})
