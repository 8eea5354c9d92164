"""Licence names as catalogues write them, to SPDX IRIs: only exact identifiers and unambiguous
spellings of one; anything else keeps its verbatim name and gets no IRI."""

from __future__ import annotations

SPDX = "http://spdx.org/licenses/"
#: SPDX identifiers recognised as written (case-insensitive).
IDENTIFIERS = ("Apache-2.0", "MIT", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
               "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0", "CC0-1.0", "BSD-2-Clause", "BSD-3-Clause",
               "GPL-2.0", "GPL-3.0", "AGPL-3.0", "LGPL-3.0", "MPL-2.0", "Unlicense",
               "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "ODC-By-1.0",
               "ODbL-1.0", "OpenRAIL", "BigScience-OpenRAIL-M", "CreativeML-OpenRAIL-M",
               "BigScience-BLOOM-RAIL-1.0", "Llama2", "Llama3", "Artistic-2.0", "ISC",
               "EPL-2.0", "Zlib")
#: Other spellings that name exactly one of them.
SPELLINGS = {
    "apache 2.0": "Apache-2.0", "apache-2": "Apache-2.0", "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0", "apache 2": "Apache-2.0",
    "mit license": "MIT", "the mit license": "MIT",
    "cc by 4.0": "CC-BY-4.0", "cc-by 4.0": "CC-BY-4.0", "cc by-sa 4.0": "CC-BY-SA-4.0",
    "cc by-nc 4.0": "CC-BY-NC-4.0",
    "creative commons attribution 4.0": "CC-BY-4.0",
    "creative commons attribution non commercial 4.0": "CC-BY-NC-4.0",
    "creative commons attribution non commercial share alike 4.0": "CC-BY-NC-SA-4.0",
    "bigscience-bloom-rail-1.0": "BigScience-BLOOM-RAIL-1.0",
    "gpl-3.0-only": "GPL-3.0", "agpl-3.0-only": "AGPL-3.0",
}
_BY_KEY = {**{i.lower(): i for i in IDENTIFIERS}, **SPELLINGS}


def spdx_iri(name: object) -> str | None:
    """The SPDX IRI a licence name stands for, or None."""
    if not isinstance(name, str):
        return None
    key = " ".join(name.strip().lower().split())
    found = _BY_KEY.get(key)
    return SPDX + found if found else None
