"""The register's CSV format: reading an organiser's spreadsheet and writing an export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.model.assets import Asset
from bot.spreadsheet import unguard, write_csv
from config import request_texts

COLUMNS: tuple[str, ...] = (
    "id",
    "neighbourhood",
    "kind",
    "title",
    "description",
    "tags",
    "availability",
    "visibility",
    "status",
    "contact_name",
    "contact_details",
    "verified_on",
)
REQUIRED = ("title", "kind")
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000


class MalformedCsvError(ValueError):
    """The file cannot be read as a register CSV; the message says why, in plain words."""


@dataclass(frozen=True)
class CsvRow:
    """One data row: its first line number in the file and its cells by column name."""

    line: int
    cells: dict[str, str]
    extra_cells: bool = False


@dataclass(frozen=True)
class CsvFile:
    """A readable file: its rows and the header's columns the register does not know."""

    rows: list[CsvRow]
    ignored_columns: list[str]


def _column_name(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _unquote(value: str) -> str:
    """Undo the export's formula guard ('=x -> =x, bot.spreadsheet) and trim."""
    return unguard(value.strip()).strip()


def parse(data: bytes) -> CsvFile:
    """Read a register CSV; raises MalformedCsvError if any part of the file is unreadable."""
    if len(data) > MAX_BYTES:
        raise MalformedCsvError(request_texts.CSV_TOO_LARGE.format(kilobytes=MAX_BYTES // 1000))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedCsvError(request_texts.CSV_NOT_UTF8) from error
    if "\x00" in text:
        raise MalformedCsvError(request_texts.CSV_BINARY)
    # Some spreadsheets write ';' or tabs: take the delimiter from the header, quoting as Excel.
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise MalformedCsvError(request_texts.CSV_EMPTY)
        names = [_column_name(h) for h in header]
        known = [n for n in names if n in COLUMNS]
        if len(set(known)) != len(known):
            raise MalformedCsvError(request_texts.CSV_COLUMN_TWICE)
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            columns = request_texts.CSV_COLUMNS_OR.join(missing)
            raise MalformedCsvError(request_texts.CSV_MISSING_COLUMNS.format(columns=columns))
        rows: list[CsvRow] = []
        line = reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                raise MalformedCsvError(request_texts.CSV_TOO_MANY_ROWS.format(rows=MAX_ROWS))
            cells = {n: _unquote(v) for n, v in zip(names, record, strict=False) if n in COLUMNS}
            rows.append(CsvRow(start, cells, extra_cells=len(record) > len(names)))
    except csv.Error as error:
        problem = request_texts.CSV_BAD_LINE.format(line=reader.line_num, error=error)
        raise MalformedCsvError(problem) from error
    ignored = [h.strip() for h, n in zip(header, names, strict=True) if n not in COLUMNS and n]
    return CsvFile(rows, ignored)


def export(register: list[Asset]) -> bytes:
    """The assets as a CSV document, every text cell guarded against formulas."""
    return write_csv(
        COLUMNS,
        (
            (
                str(asset.id),
                asset.neighbourhood_name,
                asset.kind,
                asset.title,
                asset.description,
                asset.tags,
                asset.availability,
                asset.visibility,
                asset.status,
                asset.contact_name,
                asset.contact_details,
                asset.verified_at.date().isoformat() if asset.verified_at else "",
            )
            for asset in register
        ),
    )
