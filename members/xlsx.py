"""Writing Excel rows safely, for every export and report of the portal.

openpyxl stores any text that starts with ``=`` as a formula, so a constituent named
``=HYPERLINK(...)`` (typed by a member, or imported) would become a live formula in the
staff's workbook. ``safe_row`` keeps such text as plain text: the value is unchanged (an
exported file still imports back), only its cell type is forced to string.

A CSV file has no cell types: Excel runs any cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula when it opens the file.
``csv_text`` puts an apostrophe before such text, as OWASP advises: Excel shows the text and
keeps the apostrophe out of sight.
"""

from collections.abc import Iterable

from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING, Cell


def safe_row(sheet, values: Iterable) -> list:
    """``values`` ready for ``sheet.append``: text that would be read as a formula is wrapped
    in a string-typed cell; everything else is passed through."""
    return [_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in values]


def _text_cell(sheet, text: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=text)  # append() places it
    cell.data_type = TYPE_STRING
    return cell


def keep_formulas_as_text(book) -> None:
    """For a workbook built in memory (not write-only): turn every cell openpyxl took for a
    formula back into text. The portal's workbooks never write formulas on purpose."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA:
                    cell.data_type = TYPE_STRING


# What starts a formula when Excel opens a CSV file (OWASP's "CSV injection" list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell Excel will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
