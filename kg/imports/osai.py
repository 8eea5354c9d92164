"""A record of the European Open Source AI Index: ``system``, ``org`` and 14 parameters, each
with ``class`` (open, partial, closed, or empty for not applicable), ``link`` and ``notes``."""

from __future__ import annotations

from pathlib import Path

from kg.errors import SourceSyntaxError
from kg.imports.records import OLCV, URL, Criterion, Record, slugify
from kg.imports.yamlfile import Mapping, load

PARAMETERS = ("datasources_basemodel", "datasources_endmodel", "weights_basemodel",
              "weights_endmodel", "trainingcode", "code", "hardware_architecture", "preprint",
              "paper", "modelcard", "datasheet", "licenses")
CLASSES = ("open", "partial", "closed")
SYSTEM_FIELDS = ("type", "performanceclass", "basemodelname", "endmodelname", "releasedate")


def parse(path: Path, shown: str, source: str, commit: str, date: str) -> Record:
    data = load(path, shown)

    def fail(line: int | None, reason: str) -> SourceSyntaxError:
        return SourceSyntaxError(shown, line, None, reason)

    if not isinstance(data, Mapping):
        raise fail(None, "an OSAI record is a YAML mapping with system, org and parameters")
    system, org = data.get("system"), data.get("org")
    if not isinstance(system, Mapping) or not _text(system.get("name")):
        raise fail(data.line_of("system"), "the record needs system: name:")
    unknown = [k for k in data if k not in ("system", "org", *PARAMETERS)]
    if unknown:
        raise fail(data.line_of(unknown[0]), f"unknown parameter {unknown[0]!r}; the "
                   f"parameters are: {', '.join(PARAMETERS)}")
    record = Record(file=path.name, slug=slugify(path.stem), name=_text(system["name"]),
                    source=source, commit=commit, date=date,
                    organisation=_text(org.get("name")) if isinstance(org, Mapping) else None,
                    link=_text(system.get("link")),
                    licence_name=_text(system.get("endmodellicense")),
                    notes=_text(system.get("notes")))
    from kg.imports.licences import spdx_iri

    record.licence = spdx_iri(record.licence_name)
    record.fields = [f"{key}: {_text(system[key])}" for key in SYSTEM_FIELDS
                     if _text(system.get(key))]
    if isinstance(org, Mapping):
        record.fields += [f"org {key}: {_text(org[key])}" for key in ("link", "notes")
                          if _text(org.get(key))]
    for key in PARAMETERS:
        if key not in data:
            continue
        entry = data[key]
        if not isinstance(entry, Mapping):
            raise fail(data.line_of(key), f"{key} needs class, link and notes")
        if "class" not in entry:
            raise fail(entry.line, f"{key} has no class (open, partial or closed; leave it "
                       "empty for not applicable)")
        klass = _text(entry["class"])
        if klass is not None and klass not in CLASSES:
            raise fail(entry.line_of("class"), f"{key}: class {klass!r} is not one of "
                       f"{', '.join(CLASSES)} (or empty)")
        links, texts = split_links(entry.get("link"))
        record.criteria.append(Criterion(
            concept=f"{OLCV}osai-{key}", key=key,
            klass=f"{OLCV}osai-{klass}" if klass else None,
            links=links, texts=texts, notes=_text(entry.get("notes"))))
    return record


def _text(value: object) -> str | None:
    """A scalar as text, stripped; None for empty values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def split_links(value: object) -> tuple[list[str], list[str]]:
    """Evidence as (URLs, other text), both verbatim; a list or one value."""
    values = value if isinstance(value, list) else [value]
    links, texts = [], []
    for item in values:
        text = _text(item)
        if text is None:
            continue
        (links if URL.match(text) else texts).append(text)
    return sorted(set(links)), sorted(set(texts))
