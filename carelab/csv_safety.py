"""The one guard every CSV CareLab writes goes through: no cell a spreadsheet would run.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and ignores a
leading tab or carriage return before one (OWASP "CSV Injection", CWE-1236). A cell can also
be split into several: Excel in a French or German locale splits on `;`, a "Text to
columns" on tabs or commas, and a line break inside a quoted cell starts a new row in tools
that ignore the quotes. So the guard looks at the start of the cell *and* at the start of
every piece after one of those separators: "ok;=HYPERLINK(...)" becomes
"ok;'=HYPERLINK(...)". The single quote is OWASP's advice: every spreadsheet reads what
follows it as text.

The cell's type decides what is a number, not its look: an int or a float (a numeric
column, a numeric answer) is written as it is, so -3.2 stays a number a chart can use; text
is always text, so a nickname "-2" or "-2+3" gets its quote like any other text.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable

# Characters that make a spreadsheet evaluate the cell (OWASP), plus NUL, which some readers
# drop before looking at the first character.
FORMULA_STARTS = frozenset("=+-@\t\r\0")
# Characters a spreadsheet or an import wizard may split a cell on.
SEPARATORS = frozenset(";,\t\r\n")
# A formula start at the start of the text or straight after a separator.
_RISKY = re.compile(r"(?:^|(?<=[;,\t\r\n]))(?=[=+\-@\t\r\0])")


def safe_cell(value: object) -> object:
    """A cell safe to open in a spreadsheet: numbers as they are, text with no formula in it."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        # NaN is the one value not equal to itself: a missing number, written as an empty cell.
        return "" if value != value else value
    return _RISKY.sub("'", str(value))


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(v) for v in values]
