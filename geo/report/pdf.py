"""The report as a PDF (A4, fpdf2, no browser): DejaVu Sans embedded, images from the same PNGs.

DejaVu Sans is the font matplotlib ships (``mpl-data/fonts/ttf``), so the PDF needs no
system fonts and shows every character of the German text (ä, ß, „“, –, ≥, ²).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from geo.report.document import Block, Report

DEMO_LABEL = "Demodaten (synthetisch)"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_ACCENT = (217, 95, 2)
_TEXT_W = 178.0  # mm between margins (A4 210 mm − 2 × 16 mm)
IMAGE_W = 150.0


class _ReportPDF(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.set_margins(16, 18, 16)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(_FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_title(report.title)
        self.set_lang("de")
        self.set_creator("Präventionsatlas Sachsen")
        # fpdf puts the page count for its alias in every text; a name from data may hold "{nb}": use an
        # alias that no text of the report holds.
        alias, text = "{nb}", report.text()
        while alias in text:
            alias = "{" + alias + "}"
        self.alias_nb_pages(alias)

    def header(self) -> None:
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(110, 110, 110)
        self.set_xy(16, 8)
        self.cell(120, 5, self.report.title)
        if self.report.demo:
            self.set_font("DejaVu", "B", 8.5)
            self.set_text_color(255, 255, 255)
            self.set_fill_color(*_ACCENT)
            self.set_xy(210 - 16 - 48, 7.5)
            self.cell(48, 6, DEMO_LABEL, align="C", fill=True)
        self.set_text_color(34, 34, 34)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"Seite {self.page_no()} von {self.str_alias_nb_pages}", align="C")


def _table(pdf: _ReportPDF, b: Block) -> None:
    pdf.set_font("DejaVu", "", 8)
    widths = b.widths or tuple([1.0] * len(b.header))
    total = sum(widths)
    with pdf.table(
        col_widths=tuple(_TEXT_W * w / total for w in widths),
        width=_TEXT_W,
        headings_style=FontFace(emphasis="BOLD", fill_color=(238, 238, 238)),
        line_height=4.2,
        padding=1,
        first_row_as_headings=True,
        text_align="LEFT",
    ) as table:
        for row in (b.header, *b.rows):
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(2)


def _image_height(png: bytes, width: float) -> float:
    with Image.open(io.BytesIO(png)) as img:
        return width * img.height / img.width


def _keep_with_next(pdf: _ReportPDF, nxt: Block | None) -> None:
    """Start a new page if a heading would stand alone at the bottom (before an image or table)."""
    need = 40.0
    if nxt is not None and nxt.kind == "image":
        need = _image_height(nxt.png, IMAGE_W) + 22
    if pdf.get_y() + need > 297 - 18:
        pdf.add_page()


def _block(pdf: _ReportPDF, b: Block, nxt: Block | None = None) -> None:
    if b.kind in ("h1", "h2"):
        _keep_with_next(pdf, nxt)
    if b.kind == "h1":
        if pdf.get_y() > 230:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 7, b.text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(150, 150, 150)
        pdf.line(16, pdf.get_y(), 210 - 16, pdf.get_y())
        pdf.ln(2)
    elif b.kind == "h2":
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, b.text, new_x="LMARGIN", new_y="NEXT")
    elif b.kind in ("p", "note"):
        pdf.set_font("DejaVu", "I" if b.kind == "note" else "", 8 if b.kind == "note" else 9.5)
        pdf.multi_cell(0, 4.2 if b.kind == "note" else 4.8, b.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    elif b.kind == "placeholder":
        pdf.set_font("DejaVu", "", 9)
        pdf.set_draw_color(*_ACCENT)
        pdf.set_fill_color(255, 246, 238)
        pdf.set_text_color(122, 59, 0)
        pdf.multi_cell(0, 5, b.text, border=1, fill=True, padding=3, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(34, 34, 34)
        pdf.ln(3)
    elif b.kind == "table":
        _table(pdf, b)
    elif b.kind == "image":
        if pdf.get_y() + _image_height(b.png, IMAGE_W) + 8 > 297 - 18:
            pdf.add_page()
        pdf.image(io.BytesIO(b.png), x=16 + (_TEXT_W - IMAGE_W) / 2, w=IMAGE_W)
        pdf.set_font("DejaVu", "I", 8)
        pdf.multi_cell(0, 4, b.text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    else:
        msg = f"unknown block kind {b.kind!r}"
        raise ValueError(msg)


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4 portrait); the demo label is in the header of every page."""
    pdf = _ReportPDF(report)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(85, 85, 85)
    pdf.multi_cell(0, 6, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(34, 34, 34)
    pdf.ln(3)
    for block, nxt in zip(report.blocks, [*report.blocks[1:], None], strict=True):
        _block(pdf, block, nxt)
    return bytes(pdf.output())
