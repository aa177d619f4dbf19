"""Patients in time order from a CSV, for the CUSUM and VLAD: checked, with each risk known.

A file has one row per patient, in the order they were treated, with an `outcome` column
(1 = the event, such as death; 0 = not) and either an `expected` risk (a probability from
a risk model, above 0 and below 1) or a risk score to fit. A score is turned into expected
risks by a logistic regression of outcome on score, fitted by maximum likelihood
(scikit-learn's LogisticRegression with no penalty) on the same file. Steiner et al. (2000)
fitted their model on an earlier period; fitting it on the patients being monitored makes
the whole series average out to "as expected", so say so when reading the chart.

Every problem is reported at once, each with the spreadsheet row (the header is row 1) and
the column, as the funnel and run chart commands do.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from carelab.indicators.errors import UploadError

Problem = tuple[int, int, str]


def _rows(df: pd.DataFrame) -> list[int]:
    if df.index.name == "row":
        return [int(r) for r in df.index]
    return list(range(2, len(df) + 2))


def _texts(df: pd.DataFrame, column: str) -> list[str]:
    return ["" if pd.isna(v) else str(v).strip() for v in df[column].astype(object)]


def _decimal(df: pd.DataFrame) -> str:
    found = df.attrs.get("format")
    return getattr(found, "decimal", ".")


def _number(text: str, decimal: str) -> float | None:
    if decimal == "," and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _column(df: pd.DataFrame, column: str, check: str, problems: list[Problem]) -> list[float]:
    position = df.columns.get_loc(column)
    decimal = _decimal(df)
    values = []
    for row, text in zip(_rows(df), _texts(df, column), strict=True):
        where = f"row {row}, column '{column}'"
        value = _number(text, decimal) if text else None
        if text == "":
            problems.append((row, position, f"{where} is blank"))
        elif value is None:
            problems.append((row, position, f"{where}: '{text}' is not a number"))
        elif check == "outcome" and value not in (0.0, 1.0):
            problems.append((row, position, f"{where}: {text} is not 0 or 1"))
        elif check == "risk" and not 0 < value < 1:
            message = f"{where}: {text} is not a risk above 0 and below 1"
            problems.append((row, position, message))
        values.append(math.nan if value is None else value)
    return values


def read_patients(
    df: pd.DataFrame, outcome: str = "outcome", expected: str = "expected", score: str | None = None
) -> pd.DataFrame:
    """Check a table of patients; return outcome (0/1) and expected risk, in file order."""
    wanted = [outcome, score if score is not None else expected]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        names = " and ".join(f"'{c}'" for c in missing)
        noun = "column" if len(missing) == 1 else "columns"
        existing = ", ".join(f"'{c}'" for c in df.columns)
        raise UploadError([f"missing {noun} {names}; the file has {existing}"])
    if df.empty:
        raise UploadError(["the file has a header but no data rows"])
    problems: list[Problem] = []
    y = _column(df, outcome, "outcome", problems)
    if score is None:
        p = _column(df, expected, "risk", problems)
    else:
        s = _column(df, score, "score", problems)
    if problems:
        raise UploadError([message for _, _, message in sorted(problems)])
    if score is not None:
        p = list(fit_expected(np.asarray(s), np.asarray(y), score))
    return pd.DataFrame({"outcome": np.asarray(y, dtype=int), "expected": np.asarray(p)})


def fit_expected(score: np.ndarray, outcome: np.ndarray, name: str = "score") -> np.ndarray:
    """Expected risks from a logistic regression of outcome on score (maximum likelihood)."""
    from sklearn.linear_model import LogisticRegression  # imported only when a score is fitted

    if np.unique(outcome).size < 2:
        raise UploadError(
            [f"every outcome is the same, so no risk can be fitted from '{name}'; "
             "give an 'expected' column instead"]
        )  # fmt: skip
    # C=inf is no penalty: the maximum-likelihood fit (scikit-learn 1.8 deprecated penalty=None).
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000)
    model.fit(score.reshape(-1, 1), outcome.astype(int))
    risk = model.predict_proba(score.reshape(-1, 1))[:, 1]
    if not ((risk > 0) & (risk < 1)).all():
        raise UploadError(
            [f"'{name}' separates the outcomes perfectly, so a logistic model gives risks of "
             "0 or 1 that no chart can use; give an 'expected' column instead"]
        )  # fmt: skip
    return risk
