"""A record of the Model Openness Tool: one model release and the components of the Model
Openness Framework 1.0 it lists, each with its licence (and, sometimes, paths)."""

from __future__ import annotations

from pathlib import Path

from kg.errors import SourceSyntaxError
from kg.imports.licences import spdx_iri
from kg.imports.osai import _text, split_links
from kg.imports.records import OLCV, Criterion, Record, slugify
from kg.imports.yamlfile import Mapping, load

COMPONENTS = ("Model architecture", "Data preprocessing code", "Training code",
              "Inference code", "Evaluation code", "Supporting libraries and tools",
              "Model parameters (Final)", "Model parameters (Intermediate)", "Datasets",
              "Evaluation data", "Sample model outputs", "Model card", "Data card",
              "Technical report", "Research paper", "Evaluation results", "Model metadata")
RELEASE_FIELDS = ("version", "date", "type", "architecture", "treatment", "origin",
                  "repository", "contact")


def parse(path: Path, shown: str, source: str, commit: str, date: str) -> Record:
    data = load(path, shown)

    def fail(line: int | None, reason: str) -> SourceSyntaxError:
        return SourceSyntaxError(shown, line, None, reason)

    if not isinstance(data, Mapping) or not isinstance(data.get("release"), Mapping):
        raise fail(getattr(data, "line", None), "a MOT record is a YAML mapping with "
                   "framework and release")
    release = data["release"]
    name = _text(release.get("name"))
    if name is None:
        raise fail(release.line_of("name"), "the release needs a name")
    version = _text(release.get("version"))
    licences = release.get("license") if isinstance(release.get("license"), Mapping) else {}
    distribution = licences.get("distribution") if isinstance(licences, Mapping) else None
    licence_name = _text(distribution.get("name")) if isinstance(distribution, Mapping) else None
    record = Record(file=path.name, slug=slugify(path.stem),
                    name=f"{name} {version}" if version and version not in name else name,
                    source=source, commit=commit, date=date,
                    organisation=_text(release.get("producer")),
                    link=_text(release.get("huggingface")), licence_name=licence_name,
                    licence=spdx_iri(licence_name))
    record.fields = [f"{key}: {_text(release[key])}" for key in RELEASE_FIELDS
                     if _text(release.get(key))]
    for kind, entry in (licences.items() if isinstance(licences, Mapping) else ()):
        if kind != "distribution" and isinstance(entry, Mapping) and _text(entry.get("name")):
            record.fields.append(f"license {kind}: {_text(entry['name'])}")
    framework = data.get("framework")
    if isinstance(framework, Mapping):
        record.fields += [f"framework {key}: {_text(framework[key])}"
                          for key in ("name", "version", "date") if _text(framework.get(key))]
    components = release.get("components") or []
    if not isinstance(components, list):
        raise fail(release.line_of("components"), "components is a list")
    seen: set[str] = set()
    for component in components:
        if not isinstance(component, Mapping):
            raise fail(release.line_of("components"), "each component is a mapping with a name")
        label = _text(component.get("name"))
        if label not in COMPONENTS:
            raise fail(component.line_of("name"), f"unknown component {label!r}; the "
                       f"components of MOF 1.0 are: {', '.join(COMPONENTS)}")
        if label in seen:
            raise fail(component.line_of("name"), f"component {label!r} is listed twice")
        seen.add(label)
        links, texts = split_links([component.get("component_path"),
                                    component.get("license_path")])
        licence = _text(component.get("license"))
        record.criteria.append(Criterion(
            concept=f"{OLCV}mof-{slugify(label)}", key=slugify(label), links=links,
            texts=texts, licence_name=licence, licence=spdx_iri(licence)))
    return record
