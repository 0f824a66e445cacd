"""The report as one self-contained HTML file: inline CSS, images as data URLs, printable on A4."""

from __future__ import annotations

import base64
from html import escape

from geo.report.document import Block, Report

_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222; max-width: 178mm;
       margin: 0 auto; line-height: 1.35; }
h1 { font-size: 15pt; margin: 16pt 0 6pt; border-bottom: 1px solid #999; page-break-after: avoid; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; page-break-after: avoid; }
.title { font-size: 20pt; margin: 8pt 0 2pt; border: none; }
.subtitle { color: #555; margin-bottom: 12pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; font-size: 9pt; }
th { background: #eee; }
figure { margin: 6pt 0 10pt; page-break-inside: avoid; }
figure img { width: 100%; }
figcaption { font-size: 8.5pt; color: #555; }
.note { font-size: 8.5pt; color: #444; }
.placeholder { border: 1.5px dashed #d95f02; background: #fff6ee; padding: 8pt; margin: 6pt 0 10pt;
               color: #7a3b00; min-height: 30pt; }
.demo { position: fixed; top: 0; right: 0; background: #d95f02; color: #fff; font-weight: bold;
        padding: 2pt 6pt; font-size: 9pt; }
.demo-inline { color: #d95f02; font-weight: bold; }
"""


def _block(b: Block) -> str:
    if b.kind in ("h1", "h2"):
        return f"<{b.kind}>{escape(b.text)}</{b.kind}>"
    if b.kind == "p":
        return f"<p>{escape(b.text)}</p>"
    if b.kind == "note":
        return f'<p class="note">{escape(b.text)}</p>'
    if b.kind == "placeholder":
        return f'<div class="placeholder">{escape(b.text)}</div>'
    if b.kind == "image":
        data = base64.b64encode(b.png).decode("ascii")
        return (
            f'<figure><img alt="{escape(b.text)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(b.text)}</figcaption></figure>"
        )
    if b.kind == "table":
        total = sum(b.widths) if b.widths else 0
        cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in b.widths) if total else ""
        head = "".join(f"<th>{escape(h)}</th>" for h in b.header)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in b.rows)
        return (
            f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    msg = f"unknown block kind {b.kind!r}"
    raise ValueError(msg)


def render_html(report: Report) -> bytes:
    """The report as UTF-8 HTML bytes; nothing is loaded from outside the file."""
    demo = '<div class="demo">Demodaten (synthetisch)</div>' if report.demo else ""
    demo_line = '<p class="demo-inline">Demodaten (synthetisch)</p>' if report.demo else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>",
        demo,
        f'<h1 class="title">{escape(report.title)}</h1>',
        f'<div class="subtitle">{escape(report.subtitle)}</div>',
        demo_line,
        *(_block(b) for b in report.blocks),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p).encode("utf-8")
