"""The ``bar`` view. With a ``?value`` (or first numeric) column: horizontal bars, one per
``?groupLabel``. Without: a unit chart, one column per group in the answer's order and one
labelled block per ``?item`` (slide 14's models, with their projects); a ``?rank`` column and
the ``low``/``high`` options label an axis under the ranked groups."""

from __future__ import annotations

from kg.publish.figures.svg import (
    MUTED,
    Palette,
    View,
    colour_legend,
    el,
    ink_on,
    label,
    text_width,
    wrap,
)
from kg.publish.figures.table import Rows

COL_W, COL_GAP, UNIT_H = 160, 14, 34


def draw(rows: Rows) -> View:
    value = rows.role("value") or next((c for c in rows.columns if c in rows.numeric
                                        and c != rows.role("rank")), None)
    if rows.role("item") and not rows.options.get("value"):
        return _units(rows)
    if value is None:
        raise ValueError("a bar view needs a numeric ?value column or an ?item column")
    return _bars(rows, value)


def _group_column(rows: Rows) -> str:
    group = rows.role("group", "groupLabel") or next(
        (c for c in rows.columns if c not in rows.numeric), None)
    if group is None:
        raise ValueError("a bar view needs a ?groupLabel column")
    return group


def _units(rows: Rows) -> View:
    item, group = rows.role("item"), _group_column(rows)
    colour, rank = rows.role("colour", "colourLabel"), rows.role("rank")
    groups: dict[str, dict] = {}
    for row in rows.rows:
        if not row.get(item):  # nothing to draw: an unbound item
            continue
        name = rows.text(row, group) or "not recorded"
        entry = groups.setdefault(name, {"rank": row.get(rank, "") if rank else "",
                                         "items": {}})
        entry["items"].setdefault(row[item], (rows.text(row, item), rows.text(row, colour)))
    palette = Palette([c for g in groups.values() for _, c in g["items"].values()])
    body = el(None, "g", class_="view-bar", data_view="bar")
    head_h = max(len(wrap(name, COL_W - 16, 13, True)) for name in groups) * 17 + 34
    def unit_h(text: str) -> float:
        return max(UNIT_H, 14 * len(wrap(text, COL_W - 28, 12)) + 12)

    tallest = max(sum(unit_h(t) + 8 for t, _ in g["items"].values()) for g in groups.values())
    for index, (name, entry) in enumerate(groups.items()):
        x = index * (COL_W + COL_GAP)
        column = el(body, "g", class_="category", data_label=name)
        el(column, "rect", x=x, y=0, width=COL_W, height=head_h + tallest + 8,
           rx=8, fill="#f3f5f7", stroke="#d3d9df")
        ty = 22
        if entry["rank"]:
            label(column, x + COL_W / 2, ty, f"rank {entry['rank']}", 12, anchor="middle",
                  fill=MUTED)
        ty += 20
        for line in wrap(name, COL_W - 16, 13, True):
            label(column, x + COL_W / 2, ty, line, 13, bold=True, anchor="middle")
            ty += 17
        uy = head_h
        for iri, (text, kind) in entry["items"].items():
            unit = el(column, "g", class_="unit", data_iri=iri)
            el(unit, "title", f"{text}: {name}" + (f" ({kind})" if kind else ""))
            style = palette.style(kind)
            h = unit_h(text)
            el(unit, "rect", x=x + 8, y=uy, width=COL_W - 16, height=h, rx=6, **style)
            lines = wrap(text, COL_W - 28, 12)
            for n, line in enumerate(lines):
                label(unit, x + COL_W / 2, uy + h / 2 + 4 - 7 * (len(lines) - 1) + 14 * n,
                      line, 12, anchor="middle", fill=ink_on(style["fill"]))
            uy += h + 8
    height = head_h + tallest + 8
    width = len(groups) * (COL_W + COL_GAP) - COL_GAP
    ranked = [i for i, g in enumerate(groups.values()) if g["rank"]]
    low, high = rows.options.get("low"), rows.options.get("high")
    if ranked and low and high:
        x1, x2 = ranked[0] * (COL_W + COL_GAP) + 10, (ranked[-1] + 1) * (COL_W + COL_GAP) - 24
        axis = el(body, "g", class_="axis")
        y = height + 22
        el(axis, "line", x1=x1, y1=y, x2=x2, y2=y, stroke=MUTED, stroke_width=2)
        el(axis, "path", d=f"M{x2 + 10} {y} l-12 -6 v12 z", fill=MUTED)
        el(axis, "path", d=f"M{x1 - 10} {y} l12 -6 v12 z", fill=MUTED)
        label(axis, x1, y + 20, low, 13, fill=MUTED)
        label(axis, x2, y + 20, high, 13, anchor="end", fill=MUTED)
        height += 50
    alt = "; ".join(f"{name}: {', '.join(t for t, _ in g['items'].values())}"
                    for name, g in groups.items())
    title = rows.options.get("legend", "Colour")
    return View(body, (width, height), [colour_legend(title, palette)], alt + ".")


def _bars(rows: Rows, value: str) -> View:
    group, colour = _group_column(rows), rows.role("colour", "colourLabel")
    data = []
    for row in rows.rows:
        try:
            number = float(row.get(value) or 0)
        except ValueError:
            number = 0.0
        data.append((rows.text(row, group), number, rows.text(row, colour),
                     row.get(rows.role("item") or group, "")))
    palette = Palette([c for _, _, c, _ in data if c])
    left = max([text_width(g, 13) for g, *_ in data] + [40]) + 12
    top = max([n for _, n, _, _ in data] + [1])
    span = 560
    body = el(None, "g", class_="view-bar", data_view="bar")
    for index, (name, number, kind, key) in enumerate(data):
        y = index * 30
        bar = el(body, "g", class_="bar", data_label=name, data_value=f"{number:g}",
                 data_iri=key or None)
        el(bar, "title", f"{name}: {number:g}")
        label(bar, left - 10, y + 17, name, 13, anchor="end")
        style = palette.style(kind) if kind else {"fill": "#0072B2"}
        el(bar, "rect", x=left, y=y + 3, width=max(2.0, span * number / top), height=22, **style)
        label(bar, left + span * number / top + 6, y + 19, f"{number:g}", 12, fill=MUTED)
    legends = [colour_legend("Colour", palette)] if palette.order else []
    alt = "; ".join(f"{name}: {number:g}" for name, number, _, _ in data)
    return View(body, (left + span + 60, len(data) * 30), legends,
                f"Bars of {value} by {group.removesuffix('Label')}: {alt}.")
