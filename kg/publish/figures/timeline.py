"""The ``timeline`` view: one lane per ``?groupLabel``, each ``?item`` a mark at its ``?date``
coloured by ``?colourLabel``; items without a date are listed at the end of their lane, in a
panel of their own, never placed at a guessed date (``?dateNote`` says why there is none)."""

from __future__ import annotations

import datetime as dt
import re

from kg.publish.figures.svg import (
    MUTED,
    RULE,
    Palette,
    View,
    clip,
    colour_legend,
    el,
    ink_on,
    label,
    text_width,
)
from kg.publish.figures.table import Rows

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
SPAN_W, PANEL_W, ROW_H, CHIP_H = 520, 470, 26, 20


def parse_date(text: str) -> dt.date | None:
    """xsd:date, xsd:gYearMonth or xsd:gYear (a month or year placed at its start)."""
    match = _DATE.match(text or "")
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def draw(rows: Rows) -> View:
    item, date_col = rows.role("item"), rows.role("date")
    group, colour = rows.role("group", "groupLabel"), rows.role("colour", "colourLabel")
    note = rows.role("note", "dateNote")
    if item is None or date_col is None:
        raise ValueError("a timeline view needs ?item and ?date columns")
    lanes: dict[str, list[dict]] = {}
    for row in rows.rows:
        if not row.get(item):  # nothing to draw: an unbound item
            continue
        lanes.setdefault(rows.text(row, group) or "", []).append({
            "iri": row[item], "label": rows.text(row, item), "colour": rows.text(row, colour),
            "date": parse_date(row.get(date_col, "")), "raw": row.get(date_col, ""),
            "note": rows.text(row, note) if note else ""})
    palette = Palette([m["colour"] for lane in lanes.values() for m in lane])
    dated = [m["date"] for lane in lanes.values() for m in lane if m["date"]]
    start = dt.date(min(dated).year, 1, 1) if dated else dt.date(2020, 1, 1)
    end = dt.date(max(dated).year + 1, 1, 1) if dated else dt.date(2021, 1, 1)
    lane_w = max([text_width(name, 13, True) for name in lanes] + [60]) + 16
    x0 = lane_w + 10

    def x_of(day: dt.date) -> float:
        return x0 + SPAN_W * (day - start).days / max(1, (end - start).days)

    y = 40.0
    layout, right = [], x0 + SPAN_W
    for name, marks in lanes.items():
        placed, rows_used, reach = _place_dated([m for m in marks if m["date"]], x_of)
        chips, chip_rows = _place_chips([m for m in marks if not m["date"]])
        height = max(rows_used * ROW_H, chip_rows * (CHIP_H + 6), ROW_H) + 10
        layout.append((name, y, height, placed, chips))
        right = max(right, reach)
        y += height
    panel_x = right + 40
    body = el(None, "g", class_="view-timeline", data_view="timeline")
    label(body, x0, 14, "Released on", 13, bold=True)
    label(body, panel_x, 14, "No release date recorded", 13, bold=True)
    for index, (_name, top, height, _placed, _chips) in enumerate(layout):
        if index % 2 == 0:
            el(body, "rect", x=0, y=top, width=panel_x + PANEL_W, height=height,
               fill="#f3f5f7", class_="lane-band")
    axis = el(body, "g", class_="axis")
    year = start.year
    while dt.date(year, 1, 1) <= end:
        x = x_of(dt.date(year, 1, 1))
        el(axis, "line", x1=x, y1=30, x2=x, y2=y, stroke=RULE)
        label(axis, x, y + 18, str(year), 12, anchor="middle", fill=MUTED)
        year += 1
    for name, top, _height, placed, chips in layout:
        lane = el(body, "g", class_="lane", data_label=name)
        label(lane, lane_w, top + 19, name, 13, bold=True, anchor="end")
        for mark, sub in placed:
            cx, cy = x_of(mark["date"]), top + 14 + sub * ROW_H
            group_el = el(lane, "g", class_="mark", data_iri=mark["iri"], data_date=mark["raw"])
            el(group_el, "title", f"{mark['label']} ({name}): released {mark['raw']}; "
                                  f"{mark['colour']}")
            el(group_el, "circle", cx=cx, cy=cy, r=7, **palette.style(mark["colour"]))
            label(group_el, cx + 11, cy + 4, _mark_text(mark), 12)
        for mark, (cx, sub) in chips:
            cy = top + 5 + sub * (CHIP_H + 6)
            chip = el(lane, "g", class_="mark", data_iri=mark["iri"], data_date="")
            el(chip, "title", f"{mark['label']} ({name}): release date "
                              f"{mark['note'] or 'not recorded'}; {mark['colour']}")
            style = palette.style(mark["colour"])
            width = text_width(mark["label"], 11.5) + 14
            el(chip, "rect", x=panel_x + cx, y=cy, width=width, height=CHIP_H, rx=10, **style)
            label(chip, panel_x + cx + 7, cy + 14, mark["label"], 11.5,
                  fill=ink_on(style["fill"]))
    dated_alt = "; ".join(f"{m['label']} ({name}) {m['raw']}"
                          for name, _, _, placed, _ in layout for m, _ in placed)
    undated = sum(len(chips) for *_, chips in layout)
    alt = (f"Releases by date. Dated: {dated_alt or 'none'}. {undated} releases have no date "
           "in the sources.")
    return View(body, (panel_x + PANEL_W, y + 26), [colour_legend("Licence", palette)], alt)


def _mark_text(mark: dict) -> str:
    return f"{mark['label']} · {mark['raw']}"


def _place_dated(marks: list[dict], x_of) -> tuple[list[tuple[dict, int]], int, float]:
    """Each mark in the first sub-row where its label overlaps no other: no label collides."""
    ends: list[float] = []
    placed = []
    for mark in sorted(marks, key=lambda m: (m["date"], m["label"])):
        x = x_of(mark["date"])
        right = x + 11 + text_width(_mark_text(mark), 12)
        for sub, end in enumerate(ends):
            if x - 9 > end:
                ends[sub] = right
                break
        else:
            sub = len(ends)
            ends.append(right)
        placed.append((mark, sub))
    return placed, max(1, len(ends)), max(ends, default=0.0)


def _place_chips(marks: list[dict]) -> tuple[list[tuple[dict, tuple[float, int]]], int]:
    x, sub, placed = 0.0, 0, []
    for mark in marks:
        mark["label"] = clip(mark["label"], PANEL_W - 20, 11.5)
        width = text_width(mark["label"], 11.5) + 14
        if x and x + width > PANEL_W:
            x, sub = 0.0, sub + 1
        placed.append((mark, (x, sub)))
        x += width + 6
    return placed, sub + 1 if marks else 0
