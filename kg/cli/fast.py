"""The fast path of `kg query`: the common invocations answered without importing click.

Importing click and every command's module costs more than Python opening the store and
asking (issue 20, item 2). The invocations people type most (a NAME, a FILE or -e SPARQL,
with -f, -o, -p, --page, --all, --wide, --width, --project, --store) on a store that is
already fresh are parsed here and answered by the same functions as the click command
(``kg.cli.asking``). Everything else goes to click: help, another option, a remote endpoint,
a stale store that must be built first, and any error, which click's form then reports as
it always does (asking is read-only, and nothing is written before the answer is whole).
"""

from __future__ import annotations

import os

#: Options taking a value: the long name each stands for (click's spellings, both forms).
VALUED = {"-e": "--expression", "--expression": "--expression", "-p": "--param",
          "--param": "--param", "-f": "--format", "--format": "--format", "-o": "--output",
          "--output": "--output", "--width": "--width", "--page": "--page",
          "--project": "--project", "--store": "--store"}
FLAGS = {"--wide", "--all"}
FORMATS = {"table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml"}
#: Environment that changes what `kg query` does in ways only the click form handles.
CLICK_ONLY_ENV = ("KG_ENDPOINT", "KG_WIKIDATA_ENDPOINT", "KG_DEBUG", "KG_NO_FAST_PATH")


def parse(arguments: list[str]) -> dict[str, object] | None:
    """The options of ``kg query ARGS``, or None when click should read them."""
    options: dict[str, object] = {"--param": []}
    positional: list[str] = []
    items = iter(arguments)
    for item in items:
        if item == "--":
            positional.extend(items)
            break
        if item.startswith("-") and item != "-":
            name, eq, value = item.partition("=")
            if name in FLAGS and not eq:
                options[name] = True
                continue
            long = VALUED.get(name) if (eq == "" or name.startswith("--")) else None
            if long is None:
                return None  # -h, --endpoint, a bundled short option, a typo: click's job
            if not eq:
                value = next(items, None)
                if value is None:
                    return None
            if long == "--param":
                options["--param"].append(value)
            elif long in options:
                return None  # repeated: click decides which wins
            else:
                options[long] = value
            continue
        positional.append(item)
    if len(positional) > 1 or positional == ["-"] \
            or options.get("--format", "table") not in FORMATS:
        return None  # stdin is read once, so a query from it is not tried here first
    for number, least in (("--width", 20), ("--page", 1)):
        if number in options:
            text = options[number]
            if not (isinstance(text, str) and text.isdigit() and int(text) >= least):
                return None
            options[number] = int(text)
    options["query"] = positional[0] if positional else None
    return options


def run(arguments: list[str]) -> bool:
    """Answer ``kg query ARGS`` here; False (nothing written) when click must do it."""
    if any(os.environ.get(name) for name in CLICK_ONLY_ENV):
        return False
    options = parse(arguments)
    if options is None:
        return False
    from kg.errors import KgError

    try:
        return _answer(options)
    except KgError:
        return False  # click's form says it, with its exit code


def _answer(options: dict[str, object]) -> bool:
    from kg.cli.asking import locate_store
    from kg.sources import find_project

    project = find_project(options.get("--project") or os.environ.get("KG_PROJECT") or None)
    store = locate_store(project, options.get("--store"))
    build = store.current()
    if build is None:
        return False
    opening = build.open_meanwhile()  # first: the rest is imported while the store opens
    try:
        from kg.cli.asking import Request, answer_locally
        from kg.store.freshness import staleness

        if staleness(project, build) is not None:
            return False  # to be built first, with click's progress and messages
        request = Request(options["query"], options.get("--expression"),
                          tuple(options["--param"]), options.get("--format"),
                          options.get("--output"), bool(options.get("--wide")),
                          options.get("--width"), options.get("--page"),
                          bool(options.get("--all")))
        answer_locally(store, project, build, request, opening)
        return True
    finally:
        opening.close()  # also when click takes over: no thread left opening the store
