"""Writes field-team-demo.ods from field-team-demo.csv (the same invented demo rows) as
LibreOffice saves a sheet: numbers as float cells, "Verificado el" as a date cell.

    pip install odfpy && python3 data/samples/make_ods.py
"""
import csv
import pathlib

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

here = pathlib.Path(__file__).parent
rows = list(csv.reader(open(here / "field-team-demo.csv", encoding="utf-8")))
header, body = rows[0], rows[1:]

doc = OpenDocumentSpreadsheet()
table = Table(name="Lugares")


def text_cell(value):
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=value))
    return cell


row = TableRow()
for name in header:
    row.addElement(text_cell(name))
table.addElement(row)
for values in body:
    row = TableRow()
    for name, value in zip(header, values):
        if name in ("Lat", "Lon"):
            cell = TableCell(valuetype="float", value=value)
            cell.addElement(P(text=value))
        elif name == "Verificado el":
            cell = TableCell(valuetype="date", datevalue=value)
            cell.addElement(P(text=value))
        elif value == "":
            cell = TableCell()
        else:
            cell = text_cell(value)
        row.addElement(cell)
    table.addElement(row)
doc.spreadsheet.addElement(table)
doc.save(str(here / "field-team-demo.ods"))
