"""Writes ``ordnungsamt_meldungen.xlsx`` (run once; the workbook is committed).

Two sheets as an Ordnungsamt keeps them: "Meldungen" (title row, blank row, header,
Excel date cells, numeric UTM 33 coordinates, one text date, one broken coordinate)
and "Vorjahr" (counts per Gemeinde). Cell values are written by hand below.
"""

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

book = Workbook()
sheet = book.active
sheet.title = "Meldungen"
sheet.append(["Ordnungsamt – Meldungen 1. Quartal 2023"])
sheet.append([])
sheet.append(["Datum", "Kategorie", "Rechtswert", "Hochwert", "Bemerkung"])
sheet.append([dt.datetime(2023, 1, 12, 8, 30), "Wilde Müllablagerung", 353894.0, 5633216.5, "Chemnitz"])
sheet.append([dt.datetime(2023, 2, 3, 22, 5), "Graffiti", 411548.9, 5656098.2, "Dresden"])
sheet.append(["15.03.2023 10:00", "Farbschmiererei", 317684.5, 5691500.6, "Leipzig, Text-Datum"])
sheet.append([dt.datetime(2023, 3, 20, 14, 0), "Graffiti", "k. A.", 5691500.6, "Rechtswert fehlt"])
sheet.append([dt.datetime(2023, 3, 21, 9, 0), "Lärm", 383498.2, 5641335.8, "nicht zugeordnet"])
sheet.cell(row=4, column=1).number_format = "DD.MM.YYYY HH:MM"
sheet.cell(row=5, column=1).number_format = "DD.MM.YYYY HH:MM"

previous = book.create_sheet("Vorjahr")
previous.append(["AGS", "Gemeinde", "Kategorie", "Jahr", "Anzahl"])
previous.append(["14511000", "Chemnitz", "Vermüllung", 2022, 412])
previous.append(["14511000", "Chemnitz", "Graffiti", 2022, 96])
previous.append(["14612000", "Dresden", "Graffiti", 2022, 12.5])

book.save(Path(__file__).with_name("ordnungsamt_meldungen.xlsx"))
