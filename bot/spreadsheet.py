"""The one CSV writer for every export, with the guard against spreadsheet formulas.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with =, +, - or @ as
a formula, and some read a leading tab or carriage return past that check. A text cell that
starts with one of them is written with a leading apostrophe, which spreadsheets show as
text; the asset import (bot.directory.csv_files) takes it off again when it reads a file the bot
wrote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# What spreadsheets treat as the start of a formula (OWASP's list: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard(value: str) -> str:
    """The text as a cell no spreadsheet runs: a leading apostrophe before a formula start.

    A text that already looks guarded ('=…) gets one more, so unguard() gives it back exactly.
    """
    risky = value.startswith(FORMULA_STARTS)
    looks_guarded = value.startswith(GUARD) and value[1:2].startswith(FORMULA_STARTS)
    return GUARD + value if risky or looks_guarded else value


def unguard(value: str) -> str:
    """Undo guard(): drop the apostrophe the export put before a formula start."""
    if value.startswith(GUARD) and guard(value[1:]) == value:
        return value[1:]
    return value


def cell(value: object) -> object:
    """A value as a CSV cell: text guarded, None empty, numbers kept as numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV document (UTF-8 with a BOM, so spreadsheets read it) with every cell guarded."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")
