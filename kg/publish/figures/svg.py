"""SVG building blocks: the palette, text measurement, wrapping, and the figure's frame.

Built with ``xml.etree`` (stdlib): the figures are small, so hand-placed shapes give exact
control over label placement, and the output is plain SVG any browser shows without script.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK, MUTED, RULE, PAPER = "#1b1b1b", "#555555", "#c8c8c8", "#ffffff"

#: Okabe & Ito's colour-blind-safe palette (Color Universal Design), black left out: it is the
#: ink. Categories take these in the order of their labels.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442")
#: What a category that says "we do not know" looks like: never a palette colour.
UNKNOWN_FILL, OTHER_FILL = "#ffffff", "#bdbdbd"
_UNKNOWN = re.compile(r"unknown|not recorded|^no ", re.IGNORECASE)
_OTHER = re.compile(r"^other\b", re.IGNORECASE)

ET.register_namespace("", SVG_NS)


def is_unknown(label: str) -> bool:
    return bool(_UNKNOWN.search(label))


@dataclass
class Palette:
    """Colours for the categories of one figure: stable, and explained by the legend."""

    labels: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.labels = [lb for lb in self.labels if lb]
        known = sorted({lb for lb in self.labels if not is_unknown(lb) and not _OTHER.search(lb)})
        rest = sorted({lb for lb in self.labels if lb not in known})
        self.order = known + rest
        self.colours = {lb: OKABE_ITO[i % len(OKABE_ITO)] for i, lb in enumerate(known)}
        for label in rest:
            self.colours[label] = UNKNOWN_FILL if is_unknown(label) else OTHER_FILL

    def fill(self, label: str) -> str:
        return self.colours.get(label, OTHER_FILL)

    def style(self, label: str) -> dict[str, str]:
        """Fill and outline; unknowns are white with a dashed outline, so they read as gaps."""
        if not label:
            return {"fill": "#0072B2", "stroke": "#333333", "stroke-width": "1"}
        if is_unknown(label):  # "not recorded" (nobody looked) is dashed, "unknown" dotted
            dots = "unknown" in label.lower()
            return {"fill": "#ececec" if dots else UNKNOWN_FILL, "stroke": MUTED,
                    "stroke-dasharray": "1.5 2.5" if dots else "4 3", "stroke-width": "1.5"}
        return {"fill": self.fill(label), "stroke": "#333333", "stroke-width": "1"}


_NARROW = set("ijlI.,:;'|!()[]/ ftr")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of the rendered width (DejaVu Sans metrics, rounded up): enough to keep
    labels apart without a font library."""
    units = 0.0
    for char in text:
        if char in _NARROW:
            units += 0.36
        elif char in _WIDE:
            units += 0.9
        elif char.isupper() or char.isdigit():
            units += 0.7
        else:
            units += 0.6
    return units * size * (1.15 if bold else 1.0)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def clip(text: str, width: float, size: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: object
       ) -> ET.Element:
    """An SVG element; attribute names use ``_`` for ``-`` (``font_size`` -> font-size)."""
    values = {k.rstrip("_").replace("_", "-"): _num(v) for k, v in attrs.items()
              if v is not None}
    node = ET.Element(tag, values) if parent is None else ET.SubElement(parent, tag, values)
    if text is not None:
        node.text = text
    return node


def _num(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def label(parent: ET.Element, x: float, y: float, text: str, size: float = 13,
          bold: bool = False, anchor: str = "start", fill: str = INK, **attrs: object
          ) -> ET.Element:
    return el(parent, "text", text, x=x, y=y, font_size=size, text_anchor=anchor, fill=fill,
              font_weight="bold" if bold else None, **attrs)


def halo_label(parent: ET.Element, x: float, y: float, text: str, size: float = 12,
               **attrs: object) -> ET.Element:
    """Text with a white outline, readable over lines."""
    return label(parent, x, y, text, size, stroke=PAPER, stroke_width=4, paint_order="stroke",
                 stroke_linejoin="round", **attrs)


@dataclass
class Legend:
    """Swatches (fill style or line style) with their meaning, laid out in rows."""

    title: str
    #: (style, "swatch" or "line", text)
    entries: list[tuple[dict[str, str], str, str]] = field(default_factory=list)

    def add(self, style: dict[str, str], text: str, kind: str = "swatch") -> None:
        self.entries.append((style, kind, text))

    def draw(self, parent: ET.Element, x: float, y: float, width: float) -> float:
        """Draws at (x, y), returns the height used."""
        if not self.entries:
            return 0
        group = el(parent, "g", class_="legend")
        label(group, x, y + 14, self.title, 13, bold=True)
        cx, cy = x + text_width(self.title, 13, True) + 16, y
        for style, kind, text in self.entries:
            need = 30 + text_width(text, 13) + 22
            if cx + need > x + width and cx > x + 120:
                cx, cy = x + text_width(self.title, 13, True) + 16, cy + 24
            item = el(group, "g", class_="legend-item")
            if kind == "line":
                el(item, "line", x1=cx, y1=cy + 10, x2=cx + 26, y2=cy + 10, **style)
            else:
                el(item, "rect", x=cx + 4, y=cy + 2, width=16, height=16, rx=8, **style)
            label(item, cx + 32, cy + 14, text, 13)
            cx += need
        return cy - y + 24


@dataclass
class FigureLinks:
    """Where the figure's query, table and data are: shown in the footer and the <desc>."""

    query: str
    table: str
    csv: str


def frame(name: str, title: str, caption: str, body: ET.Element, body_size: tuple[float, float],
          legends: list[Legend], links: FigureLinks, alt: str, rows: int) -> ET.Element:
    """The whole figure: title, caption, the drawing, legends and a footer of links."""
    body_w, body_h = body_size
    width = max(body_w + 48, 760)
    inner = width - 48
    svg = el(None, "svg", xmlns=SVG_NS, width=round(width), role="img",
             font_family=FONT, class_=f"kg-figure view-{body.get('data-view', '')}",
             aria_labelledby=f"{name}-title {name}-desc", data_query=name)
    el(svg, "title", title, id=f"{name}-title")
    data = (f"The data: {links.table} (table), {links.csv} (CSV)." if links.table
            else "The data: the table of the answer beside the figure.")
    el(svg, "desc", f"{alt} {data}", id=f"{name}-desc")
    el(svg, "rect", x=0, y=0, width="100%", height="100%", fill=PAPER)
    y = 34.0
    for line in wrap(title, inner, 19, True):
        label(svg, 24, y, line, 19, bold=True)
        y += 25
    for line in wrap(caption, inner, 13)[:4]:
        label(svg, 24, y, line, 13, fill=MUTED)
        y += 18
    y += 14
    body.set("transform", f"translate(24 {y:.0f})")
    svg.append(body)
    y += body_h + 16
    for legend in legends:
        y += legend.draw(svg, 24, y, inner) + 8
    footer = el(svg, "g", class_="footer")
    el(footer, "line", x1=24, y1=y + 4, x2=width - 24, y2=y + 4, stroke=RULE)
    y += 24
    x = 24.0
    counted = f"{rows} row" + ("" if rows == 1 else "s")
    parts = [(f"Drawn from the catalog query {name} ({counted}):", None),
             ("the query", links.query), ("the table", links.table), ("the data (CSV)", links.csv)]
    if not links.query:  # an answer from the SPARQL editor: its table is beside the figure
        parts = [(f"Drawn from the SPARQL editor's answer ({counted}).", None)]
    elif links.table == links.csv:
        del parts[2]
    for text, href in parts:
        if href:
            anchor = el(footer, "a", href=href, class_="footer-link")
            label(anchor, x, y, text, 12, fill="#0b5cad", text_decoration="underline")
        else:
            label(footer, x, y, text, 12, fill=MUTED)
        x += text_width(text, 12) + 14
    height = y + 18
    svg.set("height", str(round(height)))
    svg.set("viewBox", f"0 0 {round(width)} {round(height)}")
    return svg


def serialise(svg: ET.Element) -> str:
    ET.indent(svg, space=" ")
    return ET.tostring(svg, encoding="unicode", xml_declaration=False) + "\n"


@dataclass
class View:
    """What a view draws: the body (placed by :func:`frame`), its size, legends, and the
    text alternative (what the figure shows, in words)."""

    body: ET.Element
    size: tuple[float, float]
    legends: list[Legend]
    alt: str


def ink_on(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (WCAG relative luminance)."""
    if not fill.startswith("#") or len(fill) != 7:
        return INK
    channels = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lum = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return INK if luminance > 0.18 else PAPER


def colour_legend(title: str, palette: Palette) -> Legend:
    legend = Legend(title)
    for name in palette.order:
        legend.add(palette.style(name), name)
    return legend
