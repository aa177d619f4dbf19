"""Charts in words and in tables: what each Lab chart shows, for people who cannot see it.

A screen reader cannot read a Vega chart usefully (its marks are hidden from assistive
technology), so every chart comes with one sentence or two saying what it shows and a table
of the values it draws, rounded as a person would write them. Pure pandas: no Streamlit.
"""

from __future__ import annotations

import pandas as pd

VERDICT_ORDER = [
    "worse (99.8%)",
    "worse (95%)",
    "as expected",
    "better (95%)",
    "better (99.8%)",
]
NAMED = 6  # names listed in a sentence before "and N more": a sentence, not a roll call


def names(items: list[str], most: int = NAMED) -> str:
    """Join names as a person would ("A, B and C"), with "and N more" past `most`."""
    if len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def funnel_description(table: pd.DataFrame, noun: str = "hospitals") -> str:
    """Counts per verdict, then who lies outside the 99.8% and the 95% limits, by name."""
    counts = table["verdict"].value_counts()
    parts = [f"{counts[v]} {v}" for v in VERDICT_ORDER if counts.get(v, 0)]
    text = f"{len(table)} {noun}: " + ", ".join(parts) + "."
    for side in ("worse", "better"):
        for level, where in (("99.8%", "outside the 99.8% limits"), ("95%", "outside 95% only")):
            who = table.loc[table["verdict"] == f"{side} ({level})", "provider"]
            if len(who):
                text += f" {side.capitalize()}, {where}: {names(sorted(map(str, who)))}."
    if counts.get("as expected", 0) == len(table):
        text += " Every one is inside the 95% limits."
    return text


def funnel_rows(
    table: pd.DataFrame, kind: str, size_title: str, noun: str = "Hospital"
) -> pd.DataFrame:
    """The funnel's points as a table: name, value, size and verdict, worst first, rounded."""
    if kind == "proportion":
        value = ("Value (%)", (table["value"] * 100).round(1))
        size = table["n"].round().astype("int64")
    else:
        value = ("Observed / expected", table["value"].round(2))
        size = table["n"].round(2)
    rows = pd.DataFrame(
        {
            noun: table["provider"].astype(str),
            value[0]: value[1].to_numpy(),
            size_title: size.to_numpy(),
            "Verdict": table["verdict"].to_numpy(),
        }
    )
    order = rows["Verdict"].map({v: i for i, v in enumerate(VERDICT_ORDER)})
    return rows.assign(_order=order).sort_values(["_order", noun]).drop(columns="_order")


def rank_view(ranks: pd.DataFrame, view: str, count: int) -> pd.DataFrame:
    """The providers a rank chart shows: the `count` best ("top"), worst ("bottom"), or all."""
    ordered = ranks.sort_values(["rank", "provider"])
    if view == "top":
        return ordered.head(count)
    if view == "bottom":
        return ordered.tail(count)
    return ordered


def rank_description(ranks: pd.DataFrame, shown: pd.DataFrame, noun: str = "hospitals") -> str:
    """How wide the rank intervals are, how many are placed confidently, and who is shown."""
    quarter = len(ranks) / 4
    confident = int(
        (ranks["rank_upper"] <= quarter).sum() + (ranks["rank_lower"] > 3 * quarter).sum()
    )
    width = (ranks["rank_upper"] - ranks["rank_lower"]).median()
    first, last = shown.iloc[0], shown.iloc[-1]
    return (
        f"Median width of a 95% rank interval: {width:.0f} places out of {len(ranks)}. "
        f"{confident} {noun} can be placed confidently in the top or bottom quarter. "
        f"The chart shows {len(shown)} of {len(ranks)}, from {first['provider']} (rank "
        f"{first['rank']:.0f}, interval {first['rank_lower']:.0f} to {first['rank_upper']:.0f}) "
        f"to {last['provider']} (rank {last['rank']:.0f}, interval {last['rank_lower']:.0f} "
        f"to {last['rank_upper']:.0f})."
    )


def rank_rows(shown: pd.DataFrame, noun: str = "Hospital") -> pd.DataFrame:
    """A rank chart's values: name, rank and its 95% interval, in whole places."""
    return pd.DataFrame(
        {
            noun: shown["provider"].astype(str).to_numpy(),
            "Rank": shown["rank"].round(1).to_numpy(),
            "95% interval from": shown["rank_lower"].round().astype("int64").to_numpy(),
            "95% interval to": shown["rank_upper"].round().astype("int64").to_numpy(),
        }
    )


def moves_description(comparison: pd.DataFrame, top: int) -> str:
    """Who moves most between indicator A and B, the biggest few by name."""
    moved = comparison.head(top)
    steps = [
        f"{row.provider} from {row.rank_a:.0f} to {row.rank_b:.0f}"
        for row in moved.head(3).itertuples()
    ]
    return (
        f"The {len(moved)} hospitals whose rank moves most between A and B (rank 1 is best). "
        f"The largest moves: {names(steps)}."
    )


def run_description(spc: pd.DataFrame) -> str:
    """An XmR chart in words: periods, mean, limits and each period that signals, with why."""
    signals = spc[spc["rules"].map(bool)]
    text = (
        f"{len(spc)} periods; mean {spc['mean'].iloc[0]:.4g}, limits "
        f"{spc['lower'].iloc[0]:.4g} to {spc['upper'].iloc[0]:.4g}. "
    ) + (
        "1 period shows a signal" if len(signals) == 1 else f"{len(signals)} periods show a signal"
    )
    if signals.empty:
        return text + "."
    which = [f"{row.period} ({', '.join(row.rules)})" for row in signals.itertuples()]
    return text + f": {names(which)}."


def run_rows(spc: pd.DataFrame, digits: int) -> pd.DataFrame:
    """A run chart's values: period, value, mean, limits and the rules each period triggers."""
    return pd.DataFrame(
        {
            "Period": spc["period"].astype(str).to_numpy(),
            "Value": spc["value"].round(digits).to_numpy(),
            "Mean": spc["mean"].round(digits).to_numpy(),
            "Lower limit": spc["lower"].round(digits).to_numpy(),
            "Upper limit": spc["upper"].round(digits).to_numpy(),
            "Signal": spc["rules"].map(lambda r: ", ".join(r) if r else "none").to_numpy(),
        }
    )
