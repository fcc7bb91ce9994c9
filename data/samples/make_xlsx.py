"""Writes field-team-demo.xlsx from field-team-demo.csv (the same invented demo rows), with
typed cells as a person's spreadsheet has them (numbers for lat/lon, a date for "Verificado
el"), and a second sheet "Errores (demo)" of rows with mistakes for the tests.

    pip install openpyxl && python3 data/samples/make_xlsx.py
"""
import csv
import datetime
import pathlib

import openpyxl

here = pathlib.Path(__file__).parent
rows = list(csv.reader(open(here / "field-team-demo.csv", encoding="utf-8")))
header, body = rows[0], rows[1:]

book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Lugares"
sheet.append(header)
for row in body:
    cells = []
    for name, value in zip(header, row):
        if name in ("Lat", "Lon"):
            cells.append(float(value))
        elif name == "Verificado el":
            cells.append(datetime.date.fromisoformat(value))
        else:
            cells.append(value)
    sheet.append(cells)
    sheet.cell(row=sheet.max_row, column=header.index("Verificado el") + 1).number_format = "yyyy-mm-dd"

# Mistakes a field team makes: every one must be reported with its row and column.
bad = book.create_sheet("Errores (demo)")
bad.append(["id", "kind", "name_es", "country", "lat", "lon", "phones", "hours", "free", "color"])
bad.append(["demo:bad-01", "bakery", "Panadería (demo)", "MX", 14.9, -92.26, "+1 201 555 0106", "Lun-Vie 9-17", "yes", "red"])
bad.append(["demo:bad-02", "health", "Clínica (demo)", "MX", 14.9, 92.26, "12", "a veces", "maybe", ""])
bad.append(["demo:bad-03", "shelter", "", "GT", 14.63, -90.5, "", "Lun-Vie 9-17", "sí", ""])
book.save(here / "field-team-demo.xlsx")
