"""The monitoring commands `carelab cusum` and `carelab vlad`: patients in order in, a chart out.

Each reads a CSV with one row per patient in the order they were treated and prints one row
per patient with the chart's values. The reading and checks are in
carelab/indicators/patient_series.py and the charts in carelab/indicators/cusum.py; this file
only turns arguments into calls and problems into lines on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from carelab.cli_indicators import report_problems
from carelab.errors import CareLabError
from carelab.indicators import cusum, upload
from carelab.indicators.errors import UploadError
from carelab.indicators.patient_series import read_patients

MAX_BYTES = 500_000_000
MAX_ROWS = 5_000_000
COLUMNS_HELP = (
    "CSV with one row per patient, in the order treated: column 'outcome' (1 = the event, "
    "e.g. death; 0 = not) and column 'expected' (the risk model's probability, above 0 and "
    "below 1), or a risk score named by --score"
)
SCORE_HELP = (
    "fit expected risks from this risk-score column instead of reading 'expected': a "
    "logistic regression of outcome on the score (scikit-learn's LogisticRegression, "
    "maximum likelihood, no penalty), fitted on the same file"
)


def _input_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("input", help=COLUMNS_HELP)
    command.add_argument("--outcome", default="outcome", help="the outcome column's name")
    command.add_argument("--expected", default="expected", help="the expected-risk column's name")
    command.add_argument("--score", metavar="COLUMN", help=SCORE_HELP)
    command.add_argument("--out", help="write the table here instead of standard output")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `cusum` and `vlad` on the carelab command's sub-commands."""
    chart = commands.add_parser(
        "cusum",
        help="risk-adjusted CUSUM (Steiner et al. 2000), one row per patient",
        description="Risk-adjusted Bernoulli CUSUM: " + cusum.STEINER_2000 + " Writes patient, "
        "outcome, expected, weight (log-likelihood ratio), cusum, signal (1 where the chart "
        "reaches h) and vlad.",
    )
    _input_arguments(chart)
    chart.add_argument(
        "--or",
        dest="odds_ratio",
        type=float,
        default=2.0,
        help="odds ratio to detect: 2 for a doubling of the odds (deterioration, default), "
        "0.5 for a halving (improvement)",
    )
    chart.add_argument("--h", type=float, default=4.5, help="control limit (default 4.5)")
    chart.add_argument(
        "--reset", action="store_true", help="restart the chart at 0 after each signal"
    )
    chart.set_defaults(func=cmd_cusum)

    display = commands.add_parser(
        "vlad",
        help="variable life-adjusted display (Lovegrove et al. 1997), one row per patient",
        description="VLAD, cumulative expected minus observed: " + cusum.LOVEGROVE_1997
        + " Writes patient, outcome, expected and vlad.",
    )  # fmt: skip
    _input_arguments(display)
    display.set_defaults(func=cmd_vlad)


def _patients(args: argparse.Namespace) -> pd.DataFrame:
    file = Path(args.input)
    if not file.is_file():
        raise CareLabError(f"no such file: {args.input}")
    frame = upload.read_csv_bytes(
        file.read_bytes(), args.input, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    return read_patients(frame, args.outcome, args.expected, args.score)


def cmd_cusum(args: argparse.Namespace) -> int:
    """Print the CUSUM: each patient's weight, chart value, signal, and the VLAD beside it."""
    cusum.check_settings(args.odds_ratio, args.h)
    try:
        patients = _patients(args)
    except UploadError as exc:
        return report_problems(exc, args.input)
    table = cusum.table(
        patients["outcome"], patients["expected"], args.odds_ratio, args.h, args.reset
    )
    return _write(table, args.out)


def cmd_vlad(args: argparse.Namespace) -> int:
    """Print the VLAD: each patient's outcome, expected risk and the running expected - observed."""
    try:
        patients = _patients(args)
    except UploadError as exc:
        return report_problems(exc, args.input)
    table = cusum.table(patients["outcome"], patients["expected"])
    return _write(table[["patient", "outcome", "expected", "vlad"]], args.out)


def _write(table: pd.DataFrame, out: str | None) -> int:
    # Full precision (Python's shortest repr of each float): the values are checked to 1e-9.
    data = upload.to_csv_bytes(table)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    Path(out).write_bytes(data)
    rows = "1 patient" if len(table) == 1 else f"{len(table)} patients"
    print(f"wrote {out}: {rows}")
    return 0
