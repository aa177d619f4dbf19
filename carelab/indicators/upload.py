"""Bring your own data: check a quality lead's CSV and shape it for funnels and charts.

Pure pandas. reading.py reads every cell as text so that we, not a parser, decide what a bad
number looks like, and every problem is reported at once with the row and column a
spreadsheet shows: the header is row 1 and the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd

from carelab.csv_safety import safe_cell
from carelab.indicators.errors import MAX_PROBLEMS, UploadError
from carelab.indicators.reading import CsvFormat, read_csv_bytes

__all__ = [
    "MAX_PROBLEMS",
    "ColumnMapping",
    "CsvFormat",
    "CsvSummary",
    "UploadError",
    "aggregate",
    "clean",
    "clean_values",
    "guess_mapping",
    "prepare",
    "read_and_clean",
    "read_csv_bytes",
    "to_csv_bytes",
]

Kind = Literal["proportion", "ratio"]
KINDS: tuple[str, ...] = ("proportion", "ratio")
# With a decimal comma, a full stop may only group thousands: 1.234,5 is 1234.5.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?")
# Period labels we can put in time order; UK day-first, as NHS spreadsheets write dates.
PERIOD_FORMATS = ("%Y-%m-%d", "%Y-%m", "%b %Y", "%B %Y", "%d/%m/%Y", "%m/%Y")

# Column names we recognise, best first; compared lower-case with spaces and hyphens as "_".
PROVIDER_NAMES = ("provider", "org_code", "trust", "organisation", "organization", "org", "code")
NUMERATOR_NAMES = {
    "proportion": ("numerator", "breaches", "deaths", "events", "observed"),
    "ratio": ("observed", "deaths", "numerator", "o"),
}
DENOMINATOR_NAMES = {
    "proportion": ("denominator", "attendances", "patients", "operations", "total", "n"),
    "ratio": ("expected", "denominator", "e"),
}
PERIOD_NAMES = ("period", "month", "date", "quarter", "year", "week")
GROUP_NAMES = ("group", "type", "category")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what; for ratios numerator is observed and denominator expected."""

    kind: Kind
    provider: str
    numerator: str
    denominator: str
    period: str | None = None
    group: str | None = None

    def roles(self) -> dict[str, str | None]:
        """Each role's name as a user knows it, mapped to its column."""
        top, bottom = (
            ("numerator", "denominator") if self.kind == "proportion" else ("observed", "expected")
        )
        return {
            "provider": self.provider,
            top: self.numerator,
            bottom: self.denominator,
            "period": self.period,
            "group": self.group,
        }


# --- Reading, as an upload worker does it -----------------------------------------------------


@dataclass(frozen=True)
class CsvSummary:
    """What the page needs before the user maps columns: names, row count and format."""

    columns: tuple[str, ...]
    rows: int
    format: CsvFormat


def prepare(
    data: bytes, name: str, kind: Kind = "proportion"
) -> tuple[CsvSummary, ColumnMapping, pd.DataFrame | UploadError]:
    """Read a file once: its summary, the mapping its column names suggest, and the data
    checked with that mapping, or why they cannot be (the page's first job for a new file)."""
    raw = read_csv_bytes(data, name)
    summary = CsvSummary(tuple(raw.columns), len(raw), raw.attrs["format"])
    guess = guess_mapping(raw.columns, kind)
    try:
        return summary, guess, clean(raw, guess)
    except UploadError as exc:
        return summary, guess, exc


def read_and_clean(data: bytes, name: str, mapping: ColumnMapping) -> pd.DataFrame:
    """Read and check a file in one call, from its bytes: the job an upload worker runs."""
    return clean(read_csv_bytes(data, name), mapping)


# --- Mapping -------------------------------------------------------------------------------


def guess_mapping(columns: Iterable[str], kind: Kind) -> ColumnMapping:
    """Propose a mapping from common column names; a role with no match gets ''."""
    available = list(columns)
    taken: set[str] = set()

    def pick(candidates: Sequence[str]) -> str | None:
        for candidate in candidates:
            for column in available:
                if column not in taken and _normal(column) == candidate:
                    taken.add(column)
                    return column
        return None

    provider = pick(PROVIDER_NAMES) or ""
    numerator = pick(NUMERATOR_NAMES[kind]) or ""
    denominator = pick(DENOMINATOR_NAMES[kind]) or ""
    return ColumnMapping(
        kind, provider, numerator, denominator, pick(PERIOD_NAMES), pick(GROUP_NAMES)
    )


def _normal(column: str) -> str:
    return column.strip().lower().replace(" ", "_").replace("-", "_")


# --- Validation ----------------------------------------------------------------------------

# (row, column position, message): sorting them reads the file top to bottom, left to right.
Problem = tuple[int, int, str]


def clean(df: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """Check every row and return typed provider, numerator, denominator (and period, group)."""
    _check_mapping(df, mapping)
    if df.empty:
        raise UploadError(["the file has a header but no data rows"])
    rows = _row_numbers(df)
    problems: list[Problem] = []
    out = pd.DataFrame(index=range(len(df)))
    out["provider"] = _labels(df, mapping.provider, rows, problems)
    whole_denominator = mapping.kind == "proportion"
    out["numerator"] = _counts(df, mapping.numerator, rows, problems, whole=True)
    out["denominator"] = _counts(df, mapping.denominator, rows, problems, whole=whole_denominator)
    _check_positive(df, mapping.denominator, out["denominator"], rows, problems)
    if mapping.kind == "proportion":
        _check_not_above(df, mapping, out, rows, problems)
    for role in ("period", "group"):
        column = getattr(mapping, role)
        if column is not None:
            out[role] = _labels(df, column, rows, problems)
    _check_duplicates(df, mapping, out, rows, problems)
    if problems:
        raise UploadError([message for _, _, message in sorted(problems)])
    return _typed(out, mapping)


def _check_mapping(df: pd.DataFrame, mapping: ColumnMapping) -> None:
    """Every chosen column exists and no column plays two roles."""
    if mapping.kind not in KINDS:
        raise UploadError([f"kind must be 'proportion' or 'ratio', not '{mapping.kind}'"])
    roles = mapping.roles()
    problems = [
        f"no column chosen for the {role}" for role, column in roles.items() if column == ""
    ]
    chosen = [column for column in roles.values() if column]
    missing = [column for column in dict.fromkeys(chosen) if column not in df.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        existing = ", ".join(f"'{c}'" for c in df.columns)
        problems.append(f"missing {noun} {_quoted_list(missing)}; the file has {existing}")
    doubled = [c for c in dict.fromkeys(chosen) if chosen.count(c) > 1]
    for column in doubled:
        which = [role for role, c in roles.items() if c == column]
        problems.append(f"column '{column}' is chosen for both the {' and the '.join(which)}")
    if problems:
        raise UploadError(problems)


def _quoted_list(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _row_numbers(df: pd.DataFrame) -> list[int]:
    """Spreadsheet rows: the index read_csv_bytes set, else header row 1 and data from row 2."""
    if df.index.name == "row":
        return [int(r) for r in df.index]
    return list(range(2, len(df) + 2))


def _texts(df: pd.DataFrame, column: str) -> list[str]:
    series = df[column]
    return ["" if pd.isna(v) else str(v).strip() for v in series.astype(object)]


def _labels(df: pd.DataFrame, column: str, rows: list[int], problems: list[Problem]) -> list[str]:
    texts = _texts(df, column)
    position = df.columns.get_loc(column)
    for row, text in zip(rows, texts, strict=True):
        if text == "":
            problems.append((row, position, f"row {row}, column '{column}' is blank"))
    return texts


def _counts(
    df: pd.DataFrame, column: str, rows: list[int], problems: list[Problem], *, whole: bool
) -> list[float]:
    """Parse a count column; a cell that is not a usable count becomes NaN and a problem."""
    position = df.columns.get_loc(column)
    decimal = _decimal(df)
    values = []
    for row, text in zip(rows, _texts(df, column), strict=True):
        value, problem = _number(text, whole=whole, decimal=decimal)
        if problem:
            problems.append((row, position, f"row {row}, column '{column}'{problem}"))
        values.append(value)
    return values


def _decimal(df: pd.DataFrame) -> str:
    """The decimal mark reading.py found for this file ('.' for a frame it did not read)."""
    found = df.attrs.get("format")
    return found.decimal if isinstance(found, CsvFormat) else "."


def _number(
    text: str, *, whole: bool, signed: bool = False, decimal: str = "."
) -> tuple[float, str]:
    """One cell as a number, or NaN and what is wrong with it (worded to follow the column)."""
    if text == "":
        return math.nan, " is blank"
    try:
        value = float(_with_decimal_point(text) if decimal == "," else text)
    except ValueError:
        if decimal == "," and "." in text:
            return math.nan, f": '{text}' is not a number (this file writes decimals as 12,5)"
        return math.nan, f": '{text}' is not a number"
    if not math.isfinite(value):
        return math.nan, f": '{text}' is not a number"
    if value < 0 and not signed:
        return math.nan, f": {text} is negative"
    if whole and not value.is_integer():
        return math.nan, f": {text} is not a whole number"
    return value, ""


def _with_decimal_point(text: str) -> str:
    """'1.234,5' -> '1234.5'; a full stop that does not group thousands is not a number."""
    if "." in text:
        if not _GROUPED.fullmatch(text):
            raise ValueError(text)
        text = text.replace(".", "")
    return text.replace(",", ".")


def _check_positive(
    df: pd.DataFrame, column: str, values: pd.Series, rows: list[int], problems: list[Problem]
) -> None:
    position = df.columns.get_loc(column)
    for row, value in zip(rows, values, strict=True):
        if value == 0:
            problems.append(
                (row, position, f"row {row}, column '{column}' is 0; it must be above 0")
            )


def _check_not_above(
    df: pd.DataFrame,
    mapping: ColumnMapping,
    out: pd.DataFrame,
    rows: list[int],
    problems: list[Problem],
) -> None:
    """A proportion's numerator cannot exceed its denominator (NaN never compares above)."""
    position = df.columns.get_loc(mapping.numerator)
    tops, bottoms = _texts(df, mapping.numerator), _texts(df, mapping.denominator)
    pairs = zip(rows, out["numerator"], out["denominator"], tops, bottoms, strict=True)
    for row, top, bottom, top_text, bottom_text in pairs:
        if top > bottom:
            where = f"row {row}, column '{mapping.numerator}'"
            message = f"{top_text} is more than the {bottom_text} in column '{mapping.denominator}'"
            problems.append((row, position, f"{where}: {message}"))


def _check_duplicates(
    df: pd.DataFrame,
    mapping: ColumnMapping,
    out: pd.DataFrame,
    rows: list[int],
    problems: list[Problem],
) -> None:
    """One row per provider within a period and group, else sums would silently double."""
    keys = [k for k in ("period", "group") if k in out.columns]
    position = df.columns.get_loc(mapping.provider)
    # Plain lists: per-cell pandas access makes a 10 MB file take seconds.
    columns = [out["provider"].tolist(), *(out[k].tolist() for k in keys)]
    first_row: dict[tuple[str, ...], int] = {}
    for row, key in zip(rows, zip(*columns, strict=True), strict=True):
        if key[0] == "":
            continue
        if key not in first_row:
            first_row[key] = row
            continue
        same = " and ".join(
            f"{getattr(mapping, k)} '{v}'" for k, v in zip(keys, key[1:], strict=True)
        )
        suffix = f" with {same}" if same else ""
        where = f"row {row}, column '{mapping.provider}'"
        message = f"'{key[0]}' already appears on row {first_row[key]}{suffix}"
        problems.append((row, position, f"{where}: {message}"))


def _typed(out: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    out["numerator"] = out["numerator"].astype("int64")
    if mapping.kind == "proportion":
        out["denominator"] = out["denominator"].astype("int64")
    else:
        out["denominator"] = out["denominator"].astype("float64")
    out.attrs["kind"] = mapping.kind
    return out


def clean_values(df: pd.DataFrame, period: str = "period", value: str = "value") -> pd.DataFrame:
    """Check a period,value series (any real numbers) and return it sorted by period."""
    missing = [c for c in (period, value) if c not in df.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        existing = ", ".join(f"'{c}'" for c in df.columns)
        raise UploadError([f"missing {noun} {_quoted_list(missing)}; the file has {existing}"])
    if df.empty:
        raise UploadError(["the file has a header but no data rows"])
    rows = _row_numbers(df)
    problems: list[Problem] = []
    labels = _labels(df, period, rows, problems)
    values = _reals(df, value, rows, problems)
    seen: dict[str, int] = {}
    position = df.columns.get_loc(period)
    for row, label in zip(rows, labels, strict=True):
        if label and label in seen:
            message = (
                f"row {row}, column '{period}': '{label}' already appears on row {seen[label]}"
            )
            problems.append((row, position, message))
        seen.setdefault(label, row)
    if problems:
        raise UploadError([message for _, _, message in sorted(problems)])
    series = pd.DataFrame({"period": labels, "value": values})
    return _sorted_by_period(series)


def _reals(df: pd.DataFrame, column: str, rows: list[int], problems: list[Problem]) -> list[float]:
    position = df.columns.get_loc(column)
    decimal = _decimal(df)
    values = []
    for row, text in zip(rows, _texts(df, column), strict=True):
        # A measured value, unlike a count, may be below 0 or fractional.
        value, problem = _number(text, whole=False, signed=True, decimal=decimal)
        if problem:
            problems.append((row, position, f"row {row}, column '{column}'{problem}"))
        values.append(value)
    return values


# --- Shaping -------------------------------------------------------------------------------


def groups(df: pd.DataFrame) -> list[str]:
    """The group labels in a cleaned table, sorted; empty when there is no group column."""
    return sorted(df["group"].unique()) if "group" in df.columns else []


def periods(df: pd.DataFrame) -> list[str]:
    """The period labels in a cleaned table, in time order; empty when there is no period column."""
    return sort_periods(df["period"].unique()) if "period" in df.columns else []


def sort_periods(labels: Iterable[str]) -> list[str]:
    """Labels in time order: as numbers or dates when they all read as one, else as text."""
    labels = list(labels)
    for key in (float, *(_date_reader(f) for f in PERIOD_FORMATS)):
        try:
            return sorted(labels, key=key)
        except ValueError:
            continue
    return sorted(labels)


def _date_reader(fmt: str) -> Callable[[str], datetime]:
    return lambda label: datetime.strptime(label, fmt)


def _sorted_by_period(table: pd.DataFrame) -> pd.DataFrame:
    order = {label: i for i, label in enumerate(sort_periods(table["period"].unique()))}
    return table.sort_values("period", key=lambda s: s.map(order)).reset_index(drop=True)


def _select(
    df: pd.DataFrame, groups: Sequence[str] | None, periods: Sequence[str] | None
) -> pd.DataFrame:
    keep = pd.Series(True, index=df.index)
    if groups is not None and "group" in df.columns:
        keep &= df["group"].isin(list(groups))
    if periods is not None and "period" in df.columns:
        keep &= df["period"].isin(list(periods))
    return df[keep]


def aggregate(
    df: pd.DataFrame, groups: Sequence[str] | None = None, periods: Sequence[str] | None = None
) -> pd.DataFrame:
    """Sum numerator and denominator per provider over the chosen groups and periods."""
    chosen = _select(df, groups, periods)
    summed = chosen.groupby("provider", sort=True)[["numerator", "denominator"]].sum()
    return summed.reset_index()[["provider", "numerator", "denominator"]]


def period_series(
    df: pd.DataFrame, provider: str | None = None, groups: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-period proportion (or O/E) for one provider, or pooled over all, in time order."""
    if "period" not in df.columns:
        raise UploadError(["the data have no period column; choose one to see a run chart"])
    chosen = _select(df, groups, None)
    if provider is not None:
        chosen = chosen[chosen["provider"] == provider]
    summed = chosen.groupby("period", sort=False)[["numerator", "denominator"]].sum()
    series = pd.DataFrame(
        {"period": summed.index.astype(str), "value": summed["numerator"] / summed["denominator"]}
    )
    return _sorted_by_period(series.reset_index(drop=True))


# --- Writing -------------------------------------------------------------------------------


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """Write a results table as UTF-8 CSV, defusing text cells a spreadsheet would run."""
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    rows = [[_defuse(str(c)) for c in table.columns]]
    for values in table.itertuples(index=False):
        cells = zip(values, numeric, strict=True)
        rows.append([_blank_if_missing(v) if num else _defuse(v) for v, num in cells])
    return "".join(_csv_lines(rows)).encode("utf-8")


def _csv_lines(rows: list[list[object]]) -> list[str]:
    """One line per row, ending in "\n", with any cell holding a CR or LF quoted."""
    # Python 3.11's writer quotes only the characters of its own line terminator, so write
    # each row with "\r\n" (quoting both) and swap the terminator.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2] + "\n")
    return lines


def _blank_if_missing(value: object) -> object:
    return "" if pd.isna(value) else value


def _defuse(cell: object) -> object:
    if pd.api.types.is_scalar(cell) and pd.isna(cell):
        return ""
    return safe_cell(cell)
