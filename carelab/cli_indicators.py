"""The analyst commands `carelab funnel` and `carelab spc`: a CSV in, a CSV of results out.

Input goes through the same reading and checks as the app's upload page, so a file gets the
same messages in both places: every problem, with its spreadsheet row and column. This is
command-line code, so it lives beside cli.py, which registers these commands; the analysis
itself stays in carelab/indicators/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from carelab.errors import CareLabError
from carelab.indicators import upload
from carelab.indicators.funnel import funnel_table
from carelab.indicators.spc import xmr
from carelab.indicators.upload import ColumnMapping, UploadError

# The command reads a file the analyst already has, so the app's upload limit would only get
# in the way; this one just stops a mistaken path to a huge file from filling memory.
MAX_BYTES = 500_000_000
DECIMALS = 6
INPUT_COLUMNS = {"proportion": ("numerator", "denominator"), "ratio": ("observed", "expected")}
SPC_COLUMNS = ["period", "value", "mean", "lower", "upper", "rules"]


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `funnel` and `spc` on the carelab command's sub-commands."""
    funnel = subparsers.add_parser("funnel", help="funnel-plot limits and a flag per provider")
    funnel.add_argument(
        "input",
        help="CSV with provider,numerator,denominator (proportion) or "
        "provider,observed,expected (ratio)",
    )
    funnel.add_argument("--kind", choices=("proportion", "ratio"), required=True)
    funnel.add_argument(
        "--method",
        choices=("exact", "normal"),
        default="exact",
        help="binomial limits for proportions (default: exact)",
    )
    funnel.add_argument(
        "--overdispersion", choices=("none", "multiplicative", "additive"), default="none"
    )
    funnel.add_argument(
        "--target",
        type=float,
        help="0-1 for a proportion (default: pooled), or a ratio (default: 1)",
    )
    funnel.add_argument("--out", help="write the table here instead of standard output")
    funnel.set_defaults(func=cmd_funnel)

    spc = subparsers.add_parser("spc", help="XmR chart limits and rule signals for a series")
    spc.add_argument("input", help="CSV with period,value")
    spc.add_argument("--out", help="write the table here instead of standard output")
    spc.set_defaults(func=cmd_spc)


def cmd_funnel(args: argparse.Namespace) -> int:
    """Print one row per provider: value, n, target, 95% and 99.8% limits, flag."""
    numerator, denominator = INPUT_COLUMNS[args.kind]
    mapping = ColumnMapping(args.kind, "provider", numerator, denominator)
    try:
        counts = upload.clean(_read(args.input), mapping)
    except UploadError as exc:
        return report_problems(exc, args.input)
    table = funnel_table(
        counts["provider"],
        counts["numerator"],
        counts["denominator"],
        kind=args.kind,
        method=args.method,
        overdispersion=args.overdispersion,
        target=args.target,
    )
    if args.kind == "proportion":
        table["n"] = table["n"].astype("int64")  # a count of people, shown as one
    return _write(table, args.out, "provider")


def cmd_spc(args: argparse.Namespace) -> int:
    """Print the XmR chart: each point with the mean, limits and the rules it triggers."""
    try:
        series = upload.clean_values(_read(args.input))
    except UploadError as exc:
        return report_problems(exc, args.input)
    chart = xmr(series["value"], periods=series["period"])
    chart["rules"] = [";".join(rules) for rules in chart["rules"]]
    return _write(chart[SPC_COLUMNS], args.out, "period")


def _read(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise CareLabError(f"no such file: {path}")
    return upload.read_csv_bytes(file.read_bytes(), path, max_bytes=MAX_BYTES)


def report_problems(exc: UploadError, path: str) -> int:
    """Every problem on its own line, then one sentence, all on stderr (stdout is for data)."""
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    noun = "problem" if exc.total == 1 else "problems"
    print(f"error: {exc.total} {noun} in {path}", file=sys.stderr)
    return 1


def _write(table: pd.DataFrame, out: str | None, noun: str) -> int:
    data = upload.to_csv_bytes(table.round(DECIMALS))
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    Path(out).write_bytes(data)
    rows = f"{len(table)} {noun}" if len(table) == 1 else f"{len(table)} {noun}s"
    print(f"wrote {out}: {rows}")
    return 0
