"""Excel import of members and constituents: templates, row-by-row validation, all-or-nothing.

An upload is read once, every row is cleaned (full-width characters, stray spaces, phone
formats) and checked (required cells, unknown sector / committee / member names, duplicates
within the file and against the database). Any error → nothing is written and the page
lists every error with its row and column. No error → every row is written in one
transaction.

A name written in traditional characters (工商聯) that matches nothing as written is matched
by its simplified form (工商联), and the report notes it. A file is refused before it is read
if it unpacks to more than ``IMPORT_MAX_UNCOMPRESSED_BYTES`` or its sheet claims more than
``MAX_SHEET_ROWS`` rows or ``MAX_COLUMNS`` columns: openpyxl would otherwise hand out every
empty cell of a sheet that claims the whole grid (A1:XFD1048576) from a file of a few KB.

The header names are Chinese literals on purpose: they are the format of a file that
staff fill in, not UI text, and a file must import the same whatever language the
portal is shown in.

Modules: ``columns`` (the file format and the template), ``reading`` (opening, cleaning,
finding names, the report), ``rosters`` (the two imports).
"""

from members.imports.columns import (
    CONSTITUENT_COLUMNS,
    CONSTITUENT_EXPORT_ONLY,
    GENDERS,
    MEMBER_COLUMNS,
    MEMBER_EXPORT_ONLY,
    Column,
    template_workbook,
)
from members.imports.reading import ImportReport, RowError
from members.imports.rosters import constituents_import, members_import

__all__ = [
    "CONSTITUENT_COLUMNS",
    "CONSTITUENT_EXPORT_ONLY",
    "GENDERS",
    "MEMBER_COLUMNS",
    "MEMBER_EXPORT_ONLY",
    "Column",
    "ImportReport",
    "RowError",
    "constituents_import",
    "members_import",
    "template_workbook",
]
