"""Read an uploaded CSV as text: find its encoding, delimiter and decimal mark, within bounds.

Spreadsheets write "CSV" in more than one way. Excel in France or Germany saves semicolons
between fields, a comma as the decimal mark and the Windows code page (cp1252) rather than
UTF-8; "CSV UTF-8" adds a byte-order mark; "Unicode text" is UTF-16 with tabs. So:

- the encoding is UTF-8 (with or without the mark), UTF-16 when its mark says so, else
  Windows-1252, else Latin-1 (which reads any byte). A file that is UTF-8 but for a stray byte
  is refused with the line and character, rather than read as the wrong code page;
- the delimiter is the one `csv.Sniffer` finds in a sample, as sqlite-utils does, unless the
  header line says otherwise (Sniffer prefers "," when commas in decimals line up too);
- the decimal mark is "," when the file is not comma-separated and its first rows hold numbers
  such as 12,5 or 1.234,5.

Every cell is kept as text, so that the checks in upload.py, not a parser, decide what a bad
number looks like, and rows keep the numbers a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from carelab.indicators.errors import UploadError

MAX_BYTES = 10_000_000
# A monthly indicator for every NHS trust over ten years is about 30,000 rows; NHS England's
# A&E file is 12,765. A 10 MB file of short rows can hold 300,000, which takes about 3.4 s
# to read and check here, so that is the bound.
MAX_ROWS = 300_000
MAX_COLUMNS = 1_000
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
# Sniffer's regular expressions slow down on long samples; 8 kB is dozens of rows.
SNIFF_BYTES = 8_192
DECIMAL_SAMPLE_ROWS = 1_000
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")


@dataclass(frozen=True)
class CsvFormat:
    """How a file was written: its encoding, delimiter and decimal mark."""

    encoding: str
    delimiter: str = ","
    decimal: str = "."

    def describe(self) -> str:
        """Say how the file was read, e.g. 'UTF-8 text, semicolon-separated, decimal comma'."""
        parts = [f"{self.encoding} text", f"{DELIMITER_NAMES[self.delimiter]}-separated"]
        if self.decimal == ",":
            parts.append("decimal comma")
        return ", ".join(parts)


def read_csv_bytes(
    data: bytes, name: str, max_bytes: int = MAX_BYTES, max_rows: int | None = MAX_ROWS
) -> pd.DataFrame:
    """Parse an uploaded CSV into text columns, indexed by spreadsheet row number.

    The frame's `attrs["format"]` is the CsvFormat it was read with.
    """
    if len(data) > max_bytes:
        raise UploadError([f"{name} is {_size(len(data))}; the limit is {_size(max_bytes)}"])
    _refuse_workbooks(data, name)
    text, encoding = decode(data, name)
    if not text.strip():
        raise UploadError([f"{name} is empty"])
    delimiter = sniff_delimiter(text)
    frame = _frame(_records(text, name, delimiter, max_rows), name)
    frame.attrs["format"] = CsvFormat(encoding, delimiter, _decimal_mark(frame, delimiter))
    return frame


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1_000:.1f} kB" if size >= 1_000 else f"{size} bytes"


def _refuse_workbooks(data: bytes, name: str) -> None:
    """Name a spreadsheet saved in its own format; it would otherwise read as noise."""
    if data.startswith(b"PK\x03\x04"):  # .xlsx and .ods are zip files
        raise UploadError([f"{name} is an Excel workbook, not CSV; save it as 'CSV UTF-8'"])
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the OLE2 container of .xls
        raise UploadError([f"{name} is an Excel 97-2003 workbook, not CSV; save it as 'CSV UTF-8'"])


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return the text and the name of the encoding it was read with."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UploadError(
                [f"{name} starts as UTF-16 text but is not; save the file as 'CSV UTF-8'"]
            ) from None
    if b"\x00" in data:
        raise UploadError([f"{name} is not a text file; save it as 'CSV UTF-8'"])
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        _refuse_broken_utf8(data, name, exc)
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte to a character.
        return data.decode("latin-1"), "Latin-1"


def _refuse_broken_utf8(data: bytes, name: str, exc: UnicodeDecodeError) -> None:
    """A file whose other non-ASCII text is UTF-8 is UTF-8 with a bad byte, not cp1252."""
    text = data.decode("utf-8-sig", errors="replace")
    if not any(ord(c) > 127 and c != "\ufffd" for c in text):
        return
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    start_of_line = before[before.rfind(b"\n") + 1 :]
    column = len(start_of_line.decode("utf-8-sig", errors="replace")) + 1
    raise UploadError(
        [
            f"{name} is UTF-8 text but for line {line}, character {column}, which is byte "
            f"0x{data[exc.start]:02x}; save the file as 'CSV UTF-8'"
        ]
    )


def sniff_delimiter(text: str) -> str:
    """Return the delimiter: Sniffer's choice on a sample, unless the header disagrees."""
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    in_header = {d: header.count(d) for d in DELIMITERS if d in header}
    if sniffed and (sniffed in in_header or not in_header):
        return sniffed
    # A header with no sniffed delimiter in it would be one column: trust the header.
    return max(in_header, key=in_header.__getitem__) if in_header else ","


def _records(text: str, name: str, delimiter: str, max_rows: int | None) -> list[list[str]]:
    """Every record, blank lines included, so that positions match the spreadsheet's rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if max_rows is not None and len(records) > max_rows + 1:
                raise UploadError(
                    [
                        f"{name} has more than {max_rows:,} rows, the most CareLab reads; "
                        "add the rows up by period or provider first, or leave out old periods"
                    ]
                )
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            start = _line_after(records, text, delimiter)
            problem = f"{name}, line {start}: a quoted value starts here and is never closed"
        else:
            problem = f"{name}, line {reader.line_num}: not valid CSV ({exc})"
        raise UploadError([problem]) from None
    return records


def _line_after(records: list[list[str]], text: str, delimiter: str) -> int:
    """The line on which the record after `records` starts (fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for _ in records:
        next(reader)
    return reader.line_num + 1


def _frame(records: list[list[str]], name: str) -> pd.DataFrame:
    header = _header(records[0], name)
    width = len(header)
    problems = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    for position, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue  # Blank rows (often trailing ones from a spreadsheet) carry nothing.
        if len(cells) < width or any(cells[width:]):
            problems.append(
                f"{name}, row {position}: {_plural(len(cells), 'value')} "
                f"but the header has {_plural(width, 'column')}"
            )
            continue
        rows.append(cells[:width])
        numbers.append(position)
    if problems:
        raise UploadError(problems)
    return pd.DataFrame(rows, columns=header, dtype=str, index=pd.Index(numbers, name="row"))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _header(cells: list[str], name: str) -> list[str]:
    """Stripped column names; blank ones become 'column N'; duplicates are refused."""
    if len(cells) > MAX_COLUMNS:
        raise UploadError([f"{name} has {len(cells):,} columns; the limit is {MAX_COLUMNS:,}"])
    names = [cell.strip() or f"column {i}" for i, cell in enumerate(cells, start=1)]
    seen: dict[str, int] = {}
    problems = []
    for i, column in enumerate(names, start=1):
        if column in seen:
            problems.append(
                f"{name}: the header names column '{column}' twice (columns {seen[column]} and {i})"
            )
        seen.setdefault(column, i)
    if problems:
        raise UploadError(problems)
    return names


def _decimal_mark(frame: pd.DataFrame, delimiter: str) -> str:
    """',' when a file not separated by commas writes numbers such as 12,5 in its first rows."""
    if delimiter == ",":
        return "."
    sample = frame.head(DECIMAL_SAMPLE_ROWS)
    for column in sample.columns:
        if any(_DECIMAL_COMMA.fullmatch(text) for text in sample[column]):
            return ","
    return "."
