"""A few helpers to build SVG with :mod:`xml.etree.ElementTree` (escaping and well-formedness for free)."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Helvetica, Arial, sans-serif"
# Average advance of a sans-serif glyph relative to the font size: for fitting labels, not typesetting.
CHAR_WIDTH = 0.6


def num(value: float) -> str:
    """A coordinate without float noise: 12, 12.5, 12.34."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def document(width: float, height: float, title: str, style: str = "") -> ET.Element:
    """An ``<svg>`` root sized in pixels with a ``viewBox``, a document ``<title>`` and optional CSS."""
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": num(width),
            "height": num(height),
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "font-family": FONT,
        },
    )
    add(root, "title", title)
    if style:
        add(root, "style", style)
    add(root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    return root


def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str | float) -> ET.Element:
    """Append ``<tag>`` with attributes (``stroke_width`` becomes ``stroke-width``; numbers formatted)."""
    element = ET.SubElement(parent, tag)
    for key, value in attrs.items():
        name = key.rstrip("_").replace("_", "-")
        element.set(name, num(value) if isinstance(value, int | float) else value)
    if text is not None:
        element.text = text
    return element


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def to_text(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
