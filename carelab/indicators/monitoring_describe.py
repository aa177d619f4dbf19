"""Words and tables for the monitoring charts: what a screen reader hears, what a table shows.

Each chart on the "Monitoring over time" page has one sentence saying what it shows, built
here from the same numbers the chart draws, and a table of those numbers.
"""

from __future__ import annotations

import pandas as pd

from carelab.indicators.monitoring import MonitoringSpec

LABELLED_SIGNALS = 3  # signals named on a chart; the table lists every one


def signal_patients(frame: pd.DataFrame) -> list[int]:
    """The patients at which the CUSUM signalled, in order."""
    return [int(p) for p in frame.loc[frame["signal"] == 1, "patient"]]


def _patients(numbers: list[int]) -> str:
    shown = [f"{n:,}" for n in numbers[:LABELLED_SIGNALS]]
    more = len(numbers) - len(shown)
    if len(shown) == 1:
        return f"patient {shown[0]}"
    text = "patients " + ", ".join(shown[:-1]) + " and " + shown[-1]
    return text + (f" (and {more} more)" if more else "")


def signal_summary(frame: pd.DataFrame, spec: MonitoringSpec) -> str:
    """One sentence: where the CUSUM first signalled, against the simulated truth."""
    signals = signal_patients(frame)
    total = len(frame)
    if not signals:
        return f"No signal in {total:,} patients."
    first = signals[0]
    where = f"The CUSUM signals at {_patients(signals)}."
    if not spec.has_excess:
        return f"{where} There is no excess in this simulation, so every signal is a false alarm."
    if first < spec.excess_start:
        return (
            f"{where} The first is a false alarm: the excess starts at patient "
            f"{spec.excess_start:,}."
        )
    after = first - spec.excess_start + 1
    return (
        f"{where} The excess starts at patient {spec.excess_start:,}, so the first signal "
        f"came {after:,} patients into it."
    )


def cusum_description(frame: pd.DataFrame, h: float, odds_ratio: float) -> str:
    """The CUSUM chart in one sentence."""
    signals = signal_patients(frame)
    told = f"signals at {_patients(signals)}" if signals else "never reaches h"
    return (
        f"Risk-adjusted CUSUM looking for an odds ratio of {odds_ratio:g}, for "
        f"{len(frame):,} simulated patients: it peaks at {frame['cusum'].max():.2f} "
        f"against a control limit h of {h:g}, and {told}."
    )


def vlad_description(frame: pd.DataFrame, spec: MonitoringSpec) -> str:
    """The VLAD chart in one sentence, with the net deaths before and after the excess."""
    end = float(frame["vlad"].iloc[-1])
    net = "fewer" if end >= 0 else "more"
    text = (
        f"VLAD for the same {len(frame):,} simulated patients: after the last patient, "
        f"{abs(end):.1f} {net} deaths than the risk model expected."
    )
    if spec.has_excess and spec.excess_start > 1:
        at_start = float(frame["vlad"].iloc[spec.excess_start - 2])
        text += (
            f" Just before the excess started at patient {spec.excess_start:,} the line "
            f"stood at {at_start:+.1f}."
        )
    return text


def value_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The values both charts draw, one row per patient, as a person reads them."""
    return pd.DataFrame(
        {
            "Patient": frame["patient"],
            "Outcome": frame["outcome"].map({1: "Died", 0: "Survived"}),
            "Expected risk (%)": (100 * frame["expected"]).round(1),
            "True risk (%)": (100 * frame["true_risk"]).round(1),
            "CUSUM": frame["cusum"].round(3),
            "Signal": frame["signal"].map({1: "Signal", 0: ""}),
            "VLAD": frame["vlad"].round(2),
        }
    )


def _percent(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * value:.1f}%"


def _patients_count(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.0f}"


def arl_rows(table: pd.DataFrame, h: float) -> pd.DataFrame:
    """The run-length table as shown: one row per h, the learner's h named."""
    labels = [f"{v:g} (yours)" if v == h else f"{v:g}" for v in table["h"]]
    return pd.DataFrame(
        {
            "False alarms before the excess": [_percent(v) for v in table["false_alarm_share"]],
            "Signalled after it started": [_percent(v) for v in table["detected_share"]],
            "Average run length (patients)": [
                _patients_count(v) for v in table["average_run_length"]
            ],
            "Median run length (patients)": [
                _patients_count(v) for v in table["median_run_length"]
            ],
        },
        index=pd.Index(labels, name="Control limit h"),
    )


def arl_description(table: pd.DataFrame, h: float, spec: MonitoringSpec) -> str:
    """What the learner's h did over the simulated runs, in one or two sentences."""
    row = table.loc[table["h"] == h].iloc[0]
    runs = int(row["runs"])
    false = _percent(row["false_alarm_share"])
    if not spec.has_excess:
        return (
            f"Over {runs:,} simulated runs with no excess at all, a CUSUM with h = {h:g} "
            f"signalled in {false} of runs within {spec.patients:,} patients: every one a "
            "false alarm."
        )
    text = (
        f"Over {runs:,} simulated runs with h = {h:g}, {false} signalled before the excess "
        f"started at patient {spec.excess_start:,} (false alarms)."
    )
    if row["average_run_length"] is None or pd.isna(row["average_run_length"]):
        return text + " None of the others signalled by the last patient."
    return text + (
        f" Of the others, {_percent(row['detected_share'])} signalled by patient "
        f"{spec.patients:,}, on average {row['average_run_length']:,.0f} patients into the "
        "excess."
    )
