"""The two catalogues: where their records are, what they are called, whom to credit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.imports import mot, osai
from kg.imports.records import ID, Record


@dataclass(frozen=True)
class Catalogue:
    name: str  # the command's argument, the folder under data/external/, the IRI prefix
    title: str
    agent: str  # the catalogue as prov:Agent (described in data/external/catalogues.ttl)
    repository: str  # upstream repository on GitHub
    records_in: str  # the folder of the records inside the repository ('' for its root)
    suffixes: tuple[str, ...]
    skip: frozenset[str]  # files in the folder that are not records
    licence: str
    attribution: str
    parse: Callable[[Path, str, str, str, str], Record]  # path, shown, source, commit, date

    def source(self, commit: str, file: str) -> str:
        """A record's stable source IRI: its file on the upstream repository at the commit."""
        from urllib.parse import quote

        path = f"{self.records_in}/{file}" if self.records_in else file
        return f"{self.repository}/blob/{commit}/{quote(path)}"


CATALOGUES = {c.name: c for c in (
    Catalogue("osai", "European Open Source AI Index", ID + "osai-index",
              "https://github.com/Language-Technology-Assessment/main-database", "",
              (".yaml", ".yml"), frozenset({"a_submission_template.yaml"}),
              "CC BY 4.0",
              "European Open Source AI Index, https://osai-index.eu/ (CC BY 4.0). Liesenfeld, "
              "A. and Dingemanse, M., 2024. Rethinking open source generative AI: open-washing "
              "and the EU AI Act. FAccT '24, pp. 1774-1787. doi:10.1145/3630106.3659005",
              osai.parse),
    Catalogue("mot", "Model Openness Tool", ID + "model-openness-tool",
              "https://github.com/lfai/model_openness_tool", "models", (".yml", ".yaml"),
              frozenset(),
              "MIT",
              "LF AI & Data Model Openness Tool, https://mot.isitopen.ai (MIT). White et al., "
              "The Model Openness Framework, arXiv:2403.13784",
              mot.parse),
)}
