"""A published case: children's heart surgery in the UK and Ireland, April 2011 to March 2014.

The National Congenital Heart Disease Audit (NCHDA, run by NICOR) published, for each of the
14 hospitals, the operations on children, the deaths within 30 days, the survival rate and a
predicted range of survival from the PRAiS risk model (the children each hospital treated),
with an inner "predicted range" and a wider outer "extended predicted range". CareLab ships
those figures (data/chd_surgery_2011_2014.csv; data/README.md gives the source) and sets
them beside its own crude funnel plot, which compares every hospital with one pooled rate.
Every figure in the file is published; nothing is simulated. Pure pandas; no Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from carelab.indicators import describe, funnel
from carelab.indicators.truth import verdict

COLUMNS = ("provider", "code", "operations", "deaths", "survivors", "survival_pct",
           "predicted_low_outer", "predicted_low_inner", "predicted_high_inner",
           "predicted_high_outer")  # fmt: skip
PUBLISHED = ("operations", "deaths", "survivors", "survival rate", "predicted ranges")
COMPUTED = ("pooled death rate", "funnel limits", "crude verdicts", "where each survival "
            "rate lies in its published range")  # fmt: skip


def load(path: Path) -> pd.DataFrame:
    """The shipped case file, checked: every column present, survivors = operations - deaths."""
    case = pd.read_csv(path, dtype={"provider": str, "code": str})
    missing = [c for c in COLUMNS if c not in case.columns]
    if missing:
        raise ValueError(f"{path.name} lacks the columns {', '.join(missing)}")
    if not (case["survivors"] == case["operations"] - case["deaths"]).all():
        raise ValueError(f"{path.name}: survivors must equal operations minus deaths")
    return case


def _published_verdict(row: pd.Series) -> str:
    survival = row["survival_pct"]
    if survival < row["predicted_low_outer"]:
        return "below its extended predicted range"
    if survival < row["predicted_low_inner"]:
        return "below its predicted range"
    if survival > row["predicted_high_outer"]:
        return "above its extended predicted range"
    if survival > row["predicted_high_inner"]:
        return "above its predicted range"
    return "within its predicted range"


def compare(case: pd.DataFrame) -> pd.DataFrame:
    """Each hospital's crude funnel verdict (deaths against the pooled rate) and where its
    published survival lies against its own published predicted range."""
    crude = funnel.funnel(case["code"], case["deaths"], case["operations"]).table
    return pd.DataFrame(
        {
            "Hospital": case["provider"],
            "Code": case["code"],
            "Operations": case["operations"],
            "Deaths": case["deaths"],
            "Survival (%)": case["survival_pct"],
            "Predicted range (%)": [
                f"{lo:.1f} to {hi:.1f}"
                for lo, hi in zip(
                    case["predicted_low_inner"], case["predicted_high_inner"], strict=True
                )
            ],
            "Against its predicted range": case.apply(_published_verdict, axis=1),
            "Crude funnel": [verdict(f, higher_is_better=False) for f in crude["flag"]],
            "pooled": crude["target"],
        }
    )


def reading(table: pd.DataFrame) -> list[str]:
    """What the comparison shows, in three sentences computed from `table`."""
    pooled = table["pooled"].iloc[0]
    crude, against = table["Crude funnel"], table["Against its predicted range"]
    flagged = table[crude != "as expected"]
    crude_words = [f"{code} {v}" for code, v in zip(flagged["Code"], flagged["Crude funnel"],
                                                   strict=True)]  # fmt: skip
    first = (
        f"Against one pooled death rate for all {len(table)} hospitals ({pooled:.2%}), "
        f"CareLab's crude funnel plot flags {len(flagged)}"
        + (f": {describe.names(crude_words)}." if len(flagged) else ".")
    )
    parts = []
    for side in ("below", "within", "above"):
        codes = list(table.loc[against.str.startswith(side), "Code"])
        if side == "within":
            parts.append(f"{len(codes)} within it")
        else:
            parts.append(
                f"{len(codes)} {side} it" + (f" ({describe.names(codes)})" if codes else "")
            )
    second = "Against its own published predicted range: " + ", ".join(parts) + "."
    worse = flagged[flagged["Crude funnel"].str.startswith("worse")]
    explained = worse[worse["Against its predicted range"] == "within its predicted range"]
    if len(explained):
        names = describe.names(list(explained["Code"]))
        third = (
            f"So {names}: flagged worse on crude deaths, yet within the range predicted for "
            "the children treated there. A crude funnel cannot say whether a hospital's deaths "
            "are more than its case mix predicts; risk adjustment can, within limits: PRAiS is "
            "partial risk adjustment and relies on complete, accurate data from each hospital."
        )
    else:
        third = "Every hospital flagged worse on crude deaths is outside its predicted range too."
    return [first, second, third]
