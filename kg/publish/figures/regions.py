"""The ``map`` view: items in tiles, one per region, placed roughly where the region is on a
world map (as slide 11 places organisations), coloured by ``?colourLabel``, each with its
``?detail`` lines (the projects of an organisation)."""

from __future__ import annotations

from kg.publish.figures.svg import (
    MUTED,
    Palette,
    View,
    clip,
    colour_legend,
    el,
    label,
    text_width,
    wrap,
)
from kg.publish.figures.table import Rows

#: Schematic world layout (column, row): west to east, north to south.
PLACES = {"North America": (0, 0), "Latin America": (0, 1), "South America": (0, 1),
          "Europe": (1, 0), "Africa": (1, 1), "Middle East": (1, 2), "Asia": (2, 0),
          "Oceania": (2, 1)}
TILE_W, GAP = 370, 18


def draw(rows: Rows) -> View:
    item, group, colour, detail = (rows.role("item"), rows.role("group", "groupLabel"),
                                   rows.role("colour", "colourLabel"), rows.role("detail"))
    if item is None:
        raise ValueError("a map view needs an ?item column")
    groups: dict[str, dict[str, dict]] = {}
    for row in rows.rows:
        if not row.get(item):  # nothing to draw: an unbound item
            continue
        region = rows.text(row, group) or "Region not recorded"
        entry = groups.setdefault(region, {}).setdefault(row[item], {
            "label": rows.text(row, item), "colour": rows.text(row, colour), "details": {}})
        if detail and row.get(detail):
            entry["details"][row[detail]] = rows.text(row, detail)
    palette = Palette([e["colour"] for g in groups.values() for e in g.values()])
    places = _places(list(groups))
    body = el(None, "g", class_="view-map", data_view="map")
    heights = {}
    for region, entries in groups.items():
        heights[region] = 44 + sum(_entry_height(e) for e in entries.values())
    rows_h: dict[int, float] = {}
    for region, (_col, r) in places.items():
        rows_h[r] = max(rows_h.get(r, 0), heights[region])
    offsets, y = {}, 0.0
    for r in sorted(rows_h):
        offsets[r] = y
        y += rows_h[r] + GAP
    for region, entries in groups.items():
        col, r = places[region]
        _tile(body, col * (TILE_W + GAP), offsets[r], rows_h[r], region, entries, palette)
    columns = max(c for c, _ in places.values()) + 1
    alt = "; ".join(f"{region}: " + ", ".join(
        e["label"] + (f" ({', '.join(e['details'].values())})" if e["details"] else "")
        for e in entries.values()) for region, entries in groups.items())
    return View(body, (columns * (TILE_W + GAP) - GAP, y - GAP),
                [colour_legend("Organisation type", palette)],
                f"Organisations by region. {alt}.")


def _places(regions: list[str]) -> dict[str, tuple[int, int]]:
    placed: dict[str, tuple[int, int]] = {}
    taken = set()
    for region in regions:
        if region in PLACES and PLACES[region] not in taken:
            placed[region] = PLACES[region]
            taken.add(PLACES[region])
    slot = 0
    for region in regions:
        if region not in placed:
            while (slot % 3, 3 + slot // 3) in taken:
                slot += 1
            placed[region] = (slot % 3, 3 + slot // 3)
            taken.add(placed[region])
    # Close up empty rows, so a world without Oceania has no hole.
    used_rows = sorted({r for _, r in placed.values()})
    return {g: (c, used_rows.index(r)) for g, (c, r) in placed.items()}


def _entry_height(entry: dict) -> float:
    lines = len(wrap(entry["label"], TILE_W - 60, 14, True))
    return 8 + 19 * lines + 17 * len(entry["details"]) + 8


def _tile(parent, x: float, y: float, height: float, region: str, entries: dict,
          palette: Palette) -> None:
    tile = el(parent, "g", class_="group", data_label=region)
    el(tile, "rect", x=x, y=y, width=TILE_W, height=height, rx=10, fill="#f3f5f7",
       stroke="#d3d9df")
    count = len(entries)
    label(tile, x + 16, y + 26, region, 16, bold=True)
    label(tile, x + 22 + text_width(region, 16, True), y + 26,
          f"{count} organisation{'s' if count != 1 else ''}", 12, fill=MUTED)
    cy = y + 44
    for iri, entry in entries.items():
        node = el(tile, "g", class_="node", data_iri=iri)
        projects = ", ".join(entry["details"].values()) or "no project of its own"
        el(node, "title", f"{entry['label']}: {entry['colour']}, {region}; {projects}")
        el(node, "circle", cx=x + 26, cy=cy + 13, r=10, **palette.style(entry["colour"]))
        ty = cy + 18
        for line in wrap(entry["label"], TILE_W - 60, 14, True):
            label(node, x + 44, ty, line, 14, bold=True)
            ty += 19
        for project_iri, project in entry["details"].items():
            member = el(node, "g", class_="member", data_iri=project_iri)
            el(member, "rect", x=x + 46, y=ty - 11, width=8, height=8, fill=MUTED)
            label(member, x + 60, ty - 2, clip(project, TILE_W - 80, 12.5), 12.5, fill="#333333")
            ty += 17
        cy += _entry_height(entry)
