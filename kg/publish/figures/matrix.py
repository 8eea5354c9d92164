"""The ``matrix`` view: ``?row`` by ``?column`` cells, one panel per ``?groupLabel`` (a
catalogue), each cell split among the ``?value``s the rows give it (with ``?records``, how
many records say it), coloured by ``?colourLabel``; a cell no row names is left blank
("not assessed"), never filled in."""

from __future__ import annotations

from kg.publish.figures.svg import (
    MUTED,
    Legend,
    Palette,
    View,
    clip,
    colour_legend,
    el,
    ink_on,
    label,
    text_width,
    wrap,
)
from kg.publish.figures.table import Rows

CELL_W, CELL_H, PANEL_GAP = 112, 30, 28


def draw(rows: Rows) -> View:
    row_col, column_col = rows.role("row"), rows.role("column")
    if row_col is None or column_col is None:
        raise ValueError("a matrix view needs ?row and ?column columns")
    group, colour = rows.role("group", "groupLabel"), rows.role("colour", "colourLabel")
    value, records = rows.role("value"), rows.role("records")
    lines: dict[str, str] = {}
    columns: dict[str, str] = {}
    panels: dict[str, dict[tuple[str, str], list[tuple[str, str, str]]]] = {}
    for row in rows.rows:
        if not row.get(row_col) or not row.get(column_col):
            continue
        lines.setdefault(row[row_col], rows.text(row, row_col))
        columns.setdefault(row[column_col], rows.text(row, column_col))
        cell = panels.setdefault(rows.text(row, group), {}).setdefault(
            (row[row_col], row[column_col]), [])
        cell.append((rows.text(row, value) if value else "", rows.text(row, colour),
                     row.get(records, "") if records else ""))
    palette = Palette([c for p in panels.values() for cell in p.values() for _, c, _ in cell])
    left = max(text_width(t, 13, True) for t in lines.values()) + 16
    head = max(len(wrap(t, CELL_W - 8, 12, True)) for t in columns.values()) * 15 + 34
    body = el(None, "g", class_="view-matrix", data_view="matrix")
    panel_w = len(columns) * CELL_W
    for r, (iri, text) in enumerate(lines.items()):
        y = head + r * CELL_H
        if r % 2 == 0:
            el(body, "rect", x=0, y=y, width=left + len(panels) * (panel_w + PANEL_GAP) - PANEL_GAP,
               height=CELL_H, fill="#f3f5f7")
        label(body, left - 10, y + 20, text, 13, bold=True, anchor="end", data_iri=iri)
    for p, (name, cells) in enumerate(panels.items()):
        x0 = left + p * (panel_w + PANEL_GAP)
        panel = el(body, "g", class_="group", data_label=name)
        label(panel, x0 + panel_w / 2, 14, name, 14, bold=True, anchor="middle")
        for c, (column_iri, column_text) in enumerate(columns.items()):
            for n, part in enumerate(wrap(column_text, CELL_W - 8, 12, True)):
                label(panel, x0 + c * CELL_W + CELL_W / 2, 34 + 15 * n, part, 12, bold=True,
                      anchor="middle", fill=MUTED)
            for r, row_iri in enumerate(lines):
                entries = cells.get((row_iri, column_iri), [])
                x, y = x0 + c * CELL_W, head + r * CELL_H
                cell = el(panel, "g", class_="cell", data_row=row_iri, data_column=column_iri)
                if not entries:
                    el(cell, "rect", x=x + 2, y=y + 3, width=CELL_W - 4, height=CELL_H - 6,
                       fill="none", stroke="#d3d9df")
                    el(cell, "title", f"{lines[row_iri]}, {column_text}: not assessed in {name}")
                    continue
                width = (CELL_W - 4) / len(entries)
                for k, (text, kind, count) in enumerate(entries):
                    part = el(cell, "g", class_="value", data_value=text, data_colour=kind)
                    say = f"{text} ({count} record{'s' if count != '1' else ''})" if count else text
                    el(part, "title", f"{lines[row_iri]}, {column_text}, {name}: {say}")
                    style = palette.style(kind)
                    el(part, "rect", x=x + 2 + k * width, y=y + 3, width=width - 2,
                       height=CELL_H - 6, rx=4, **style)
                    shown = clip(text, width - 10, 11)
                    label(part, x + 2 + k * width + (width - 2) / 2, y + 19, shown, 11,
                          anchor="middle", fill=ink_on(style["fill"]))
    empty = Legend("")
    empty.add({"fill": "none", "stroke": "#d3d9df"}, "not assessed")
    legend = colour_legend(rows.options.get("legend", "Value"), palette)
    legend.entries.extend(empty.entries)
    alt = "; ".join(f"{name}: " + ", ".join(
        f"{lines[r]} {columns[c]} {'/'.join(t for t, _, _ in entries)}"
        for (r, c), entries in cells.items()) for name, cells in panels.items())
    return View(body, (left + len(panels) * (panel_w + PANEL_GAP) - PANEL_GAP,
                       head + len(lines) * CELL_H + 6), [legend], alt + ".")
