"""The three jobs of `kg link wikidata`: propose candidates, check links, record links."""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlencode

import click

from kg.errors import KgError, QueryError
from kg.link.candidates import Entity, candidates, check_links, describe_items, entities
from kg.link.wikidata import WIKIDATA_SITE, WikidataClient, item_iri, item_page, qid_of
from kg.link.writeback import LinkRecord, record

BATCH = 10  # entities per candidate request: few requests, each small enough for WDQS
_QID = re.compile(r"^Q[1-9][0-9]*$")


def _entities(env):
    """The linkable entities of the live build, and the compactor for showing them."""
    build = env.live_build()
    return entities(build.open()), env.compactor(build)


def run_candidates(env, client: WikidataClient, kinds: set[str], limit: int, fmt: str) -> None:
    everything, compactor = _entities(env)
    todo = [e for e in everything if not e.links and not e.no_item
            and (not kinds or any(k.name in kinds for k in e.kinds))]
    found: dict[str, list] = {}
    for start in range(0, len(todo), BATCH):
        found.update(candidates(client, todo[start:start + BATCH], limit))
    if fmt == "json":
        click.echo(json.dumps([{
            "entity": e.iri, "label": e.label, "kind": e.kinds[0].name,
            "candidates": [{"qid": c.qid, "iri": item_iri(c.qid), "label": c.label,
                            "description": c.description, "matched": c.matched,
                            "types": list(c.types), "score": c.score}
                           for c in found.get(e.iri, [])]} for e in todo],
            indent=2, ensure_ascii=False))
        return
    with_candidates = 0
    for entity in todo:
        items = found.get(entity.iri, [])
        with_candidates += bool(items)
        click.echo(f"{compactor.iri(entity.iri)}  {entity.label} ({entity.kinds[0].name})")
        for c in items:
            types = f" [{', '.join(c.types)}]" if c.types else ""
            description = f" — {c.description}" if c.description else ""
            click.echo(f"    {c.qid:<11} {c.label}{description}{types} "
                       f"({c.matched} match, score {c.score})")
        if not items:
            click.echo("    no item with this label or alias")
    click.echo(f"\n{len(todo)} entities without a Wikidata link or a record that it has none; "
               f"{with_candidates} with candidates. Record one with --write SLUG=QID, or "
               "--write SLUG=none when Wikidata has no item for it.")


def run_check(env, client: WikidataClient, fmt: str) -> None:
    everything, compactor = _entities(env)
    linked = [e for e in everything if e.links]
    checks = check_links(client, linked)
    if fmt == "json":
        click.echo(json.dumps([{"entity": c.entity.iri, "qid": c.qid, "status": c.status,
                                "detail": c.detail} for c in checks], indent=2,
                              ensure_ascii=False))
    else:
        width = max((len(compactor.iri(c.entity.iri)) for c in checks), default=0)
        for c in checks:
            click.echo(f"{c.status:<13} {compactor.iri(c.entity.iri):<{width}}  {c.qid:<11} "
                       f"{c.detail}")
        broken = sum(not c.ok for c in checks)
        click.echo(f"\n{len(checks)} links checked against {client.endpoint}: "
                   f"{len(checks) - broken} ok, {broken} to fix")
    if any(not c.ok for c in checks):
        raise SystemExit(1)


def run_writes(env, client: WikidataClient, writes: tuple[str, ...]) -> None:
    pairs = []
    for item in writes:
        slug, sep, qid = item.partition("=")
        qid = qid.strip()
        if not sep or not slug.strip() or not (_QID.match(qid) or qid == "none"):
            raise click.BadParameter(f"{item!r} is not SLUG=QID (such as ai2=Q123) or "
                                     "SLUG=none", param_hint="--write")
        pairs.append((slug.strip(), qid))
    everything, compactor = _entities(env)
    resolved = [(_resolve(everything, slug, compactor), qid) for slug, qid in pairs]
    items = describe_items(client, [qid for _, qid in resolved if qid != "none"])
    today = date.today()
    links, shown = [], []
    for entity, qid in resolved:
        link = (_absence(client, entity, today) if qid == "none"
                else _link(entity, qid, items[qid], today))
        if link is None:
            click.echo(f"{compactor.iri(entity.iri)} already links to {qid}; nothing to do")
            continue
        links.append(link)
        shown.append((entity, "no Wikidata item" if qid == "none" else qid))
    if not links:
        return
    paths = record(env.project, links)
    for (entity, what), path in zip(shown, paths, strict=True):
        click.echo(f"recorded {compactor.iri(entity.iri)} → {what} in "
                   f"{path.relative_to(env.project.root)}")


def _resolve(everything: list[Entity], slug: str, compactor) -> Entity:
    for entity in everything:
        if slug in (entity.iri, compactor.iri(entity.iri)) or entity.iri.endswith("/" + slug):
            return entity
    raise QueryError(f"no linkable entity {slug!r}: give the slug of an organisation, model "
                     "family, dataset, benchmark, framework, platform, licence, study, country "
                     "or region (as in olcd:SLUG or olcv:SLUG)")


def _link(entity: Entity, qid: str, item: dict, today: date) -> LinkRecord | None:
    if item_iri(qid) in entity.links:
        return None
    if entity.links:
        raise KgError(f"{entity.label} already links to {', '.join(entity.links)}; remove that "
                      "link first if it is wrong (one Wikidata item per entity)")
    if entity.no_item:
        raise KgError(f"{entity.label} is recorded as having no Wikidata item (olc:noMatchIn); "
                      "remove that record first")
    if item["target"]:
        raise KgError(f"{qid} redirects to {item['target']}; link {item['target']} instead")
    if not item["exists"]:
        raise KgError(f"{qid} does not exist on the endpoint (deleted, or a typo?)")
    label = item["labels"][0] if item["labels"] else ""
    return LinkRecord(
        subject=entity.iri, predicate=entity.predicate, value=item_iri(qid),
        source=item_page(qid), source_title=f"Wikidata item {qid}" + (f" ({label})" if label
                                                                      else ""),
        source_kind="https://w3id.org/olckg/vocab/source-knowledge-base", status="stated",
        accessed=today, quotation=label or None,
        comment=f"Linked with `kg link wikidata --write` on {today.isoformat()}.")


def _absence(client: WikidataClient, entity: Entity, today: date) -> LinkRecord:
    if entity.links:
        raise KgError(f"{entity.label} links to {', '.join(qid_of(x) or x for x in entity.links)}"
                      "; remove that link before recording that Wikidata has no item")
    found = candidates(client, [entity]).get(entity.iri, [])
    judged = (f"; the curator judged its {len(found)} candidate(s) by label "
              f"({', '.join(c.qid for c in found)}) to be other things" if found else "")
    search = "https://www.wikidata.org/w/index.php?" + urlencode(
        {"search": entity.label, "title": "Special:Search"})
    return LinkRecord(
        subject=entity.iri, predicate="https://w3id.org/olckg/ontology#noMatchIn",
        value=WIKIDATA_SITE, source=search,
        source_title=f"Wikidata search for \u201c{entity.label}\u201d",
        source_kind="https://w3id.org/olckg/vocab/source-knowledge-base", status="inferred",
        accessed=today,
        reason=f"No Wikidata item had the label or alias {entity.label!r} on {client.endpoint}"
               f" on {today.isoformat()}{judged}.",
        comment=f"Recorded with `kg link wikidata --write ...=none` on {today.isoformat()}.")
