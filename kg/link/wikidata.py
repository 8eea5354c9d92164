"""A polite client for Wikidata's SPARQL endpoint, or any stand-in shaped like Wikidata's RDF.

Wikidata's query service limits clients by User-Agent and address: it asks for a descriptive
User-Agent with contact information, answers 429 (or 503) with ``Retry-After`` when a client
is over its limits, and bans clients that ignore it. So: one request at a time, a User-Agent
that says who we are, and retries that wait as long as the server asks (with exponential
back-off when it does not say), up to a bound.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.query import ENTITY, WDQS

#: The knowledge base an olc:noMatchIn record names.
WIKIDATA_SITE = "https://www.wikidata.org/"
USER_AGENT = (f"open-llm-collab-kg/{__version__} (https://w3id.org/olckg; kg link wikidata) "
              f"Python-urllib")
#: Statuses worth retrying: rate limited, or the service briefly unavailable.
RETRY_STATUSES = (429, 502, 503, 504)
MAX_WAIT_S = 120.0


class EndpointError(KgError):
    """The endpoint could not be asked, or kept refusing; the message says what to do."""


def item_iri(qid: str) -> str:
    return ENTITY + qid


def item_page(qid: str) -> str:
    """The human-readable page of an item: where a curator verifies a pairing."""
    return f"https://www.wikidata.org/wiki/{qid}"


def qid_of(iri: str) -> str | None:
    return iri[len(ENTITY):] if iri.startswith(ENTITY) else None


@dataclass
class WikidataClient:
    endpoint: str = WDQS
    timeout_s: float = 60.0
    attempts: int = 5
    sleep: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = lambda message: None

    def select(self, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """Rows of a SELECT answer, each a dict of the bound variables."""
        body = self._request(query)
        try:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            raise EndpointError(f"{self.endpoint} did not answer with SPARQL JSON results "
                                f"({error})") from None
        if isinstance(parsed, ox.QueryBoolean):
            raise EndpointError(f"{self.endpoint} answered a SELECT with a boolean")
        names = [v.value for v in parsed.variables]
        return [{name: row[i] for i, name in enumerate(names) if row[i] is not None}
                for row in parsed]

    def _request(self, query: str) -> bytes:
        data = urllib.parse.urlencode({"query": query}).encode()
        headers = {"Accept": "application/sparql-results+json", "User-Agent": USER_AGENT,
                   "Content-Type": "application/x-www-form-urlencoded"}
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(self.endpoint, data=data, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                detail = _first_line(error.read())
                if error.code not in RETRY_STATUSES or attempt == self.attempts:
                    raise EndpointError(self._refused(error.code, detail, attempt)) from None
                wait = _retry_after(error.headers.get("Retry-After"), attempt)
                self.say(f"{self.endpoint} answered {error.code}; waiting {wait:g} s "
                         f"(try {attempt} of {self.attempts})")
                self.sleep(wait)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                raise EndpointError(
                    f"cannot reach {self.endpoint} ({reason}). Are you offline? "
                    "--endpoint URL points `kg link wikidata` at another endpoint, such as a "
                    "local copy.") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(self, status: int, detail: str, attempt: int) -> str:
        if status in RETRY_STATUSES:
            return (f"{self.endpoint} still answered {status} after {attempt} tries; "
                    "try again later")
        return f"{self.endpoint} answered {status}: {detail or 'no details'}"


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After (seconds or a date), else 2, 4, 8 … s."""
    backoff = float(2 ** attempt)
    if header:
        header = header.strip()
        if header.isdigit():
            return min(max(float(header), 1.0), MAX_WAIT_S)
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return min(backoff, MAX_WAIT_S)
        return min(max(when.timestamp() - time.time(), 1.0), MAX_WAIT_S)
    return min(backoff, MAX_WAIT_S)


def _first_line(body: bytes) -> str:
    """The first line of an error body, bounded (some endpoints send whole HTML pages)."""
    text = body.decode("utf-8", "replace").strip()
    with contextlib.suppress(ValueError, AttributeError):
        text = json.loads(text).get("message", text)
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 200 else line[:199] + "…"
