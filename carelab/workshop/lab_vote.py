"""A Lab step in a workshop: the room votes on which hospital is worst, then sees the truth.

When a workshop is created from content with a `lab` step, the step's scenario is run once
(it is seeded, so every run gives the same SIMULATED population) and five hospitals are put
to the room, each with its numbers as a league table would print them:

- the one that looks worst on the league table (often a small hospital with a bad run);
- the one furthest beyond its funnel limit on the bad side;
- the one whose simulated true quality is worst (the right answer);
- the largest hospital, and then the next worst-looking, to make five.

They are listed in name order, so nothing about the order gives the answer away. After the
vote the facilitator reveals the funnel plot and the truth: the lesson of Spiegelhalter
(2005) that a league table's bottom place is mostly chance, and that a funnel plot and the
known truth can disagree with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from carelab.indicators import lab, shrinkage
from carelab.indicators.population import simulate
from carelab.indicators.scenarios import BY_ID, Scenario
from carelab.indicators.truth import worse_flags
from carelab.workshop.errors import WorkshopError

CANDIDATES = 5


@dataclass(frozen=True)
class LabVote:
    """The vote a Lab step puts to the room, with its answer and the numbers behind it."""

    scenario: str
    indicator: str
    prompt: str
    options: tuple[str, ...]
    right: int
    explanation: str
    # provider, value, n, verdict, true rank; and, for a rate or a ratio, the shrunken
    # estimate with its rank and the raw rate's rank among all hospitals (1 = worst)
    candidates: tuple[dict[str, Any], ...]


def scenario_for(scenario_id: str) -> Scenario:
    """The named Lab scenario, or WorkshopError."""
    if scenario_id not in BY_ID:
        raise WorkshopError(f"There is no Indicator Lab scenario '{scenario_id}'.")
    return BY_ID[scenario_id]


def _unit(measure: str) -> str:
    return "attendances" if measure in {"four_hour", "near_breach"} else "patients"


def option_label(row: pd.Series, kind: str, measure: str) -> str:
    """A hospital as a league table prints it: its name, its value and how much data it has."""
    name = row["provider"]
    if kind == "ratio":
        return (
            f"{name}: observed/expected {row['value']:.2f} "
            f"({row['numerator']:.0f} deaths, {row['n']:.1f} expected)"
        )
    if kind == "proportion":
        return f"{name}: {row['value']:.1%} of {row['n']:,.0f} {_unit(measure)}"
    return f"{name}: score {row['value']:.2f}"


def _badness(table: pd.DataFrame, higher_is_better: bool) -> pd.Series:
    """How far each hospital is beyond its 95% limit on the bad side (in limit widths)."""
    if "upper95" not in table:
        return -table["value"] if higher_is_better else table["value"]
    if higher_is_better:
        width = (table["target"] - table["lower95"]).where(lambda w: w > 0, math.inf)
        return (table["target"] - table["value"]) / width
    width = (table["upper95"] - table["target"]).where(lambda w: w > 0, math.inf)
    return (table["value"] - table["target"]) / width


def pick_candidates(table: pd.DataFrame, higher_is_better: bool) -> list[str]:
    """Five hospitals worth arguing about, the truly worst among them, in name order."""
    looks_worst = table.sort_values("value", ascending=higher_is_better)["provider"].tolist()
    furthest_out = table.assign(b=_badness(table, higher_is_better)).sort_values(
        "b", ascending=False
    )["provider"]
    truly_worst = table.sort_values("true_quality")["provider"].iloc[0]
    picked: list[str] = []
    wanted = [looks_worst[0], furthest_out.iloc[0], truly_worst]
    if table["n"].notna().any():
        wanted.append(table.sort_values("n", ascending=False)["provider"].iloc[0])
    for name in [*wanted, *looks_worst[1:]]:
        if name not in picked:
            picked.append(name)
        if len(picked) == min(CANDIDATES, len(table)):
            break
    return sorted(picked)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _explanation(
    table: pd.DataFrame, chosen: pd.DataFrame, true_rank: pd.Series, higher_is_better: bool,
    label: str,
) -> str:  # fmt: skip
    worst = chosen.sort_values("true_quality").iloc[0]
    these = f"these {len(chosen)}"
    looks = chosen.sort_values("value", ascending=higher_is_better).iloc[0]
    lines = [
        f"Simulated truth: {worst['provider']} gives the worst care of all {len(table)} "
        f"hospitals. On {_lower_first(label)}, {looks['provider']} looks worst of {these}",
    ]
    if "upper95" in table:
        flagged = chosen[chosen["flag"].isin(worse_flags(higher_is_better))]["provider"]
        lines[0] += f"; the funnel plot says '{looks['verdict']}'."
        lines.append(
            "Flagged worse than expected at 95%: "
            + (", ".join(flagged) if len(flagged) else f"none of {these}")
            + "."
        )
    else:
        lines[0] += "; a composite score has no funnel plot to check it against."
    ranks = "; ".join(f"{row['provider']} {int(true_rank[i])}" for i, row in chosen.iterrows())
    lines.append(f"True quality rank of each (1 = worst): {ranks}.")
    return " ".join(lines)


def shrunken_places(table: pd.DataFrame, kind: str, higher_is_better: bool) -> pd.DataFrame:
    """Each hospital's empirical-Bayes estimate and its place from the bottom (1 = worst) on
    the raw value and on the shrunken one; empty for a composite score, which has no counts."""
    if kind not in ("proportion", "ratio") or "numerator" not in table:
        return pd.DataFrame(index=table.index, columns=["shrunk", "raw_place", "shrunk_place"])
    fitted = shrinkage.shrink(table["provider"], table["numerator"], table["n"], kind).table
    shrunk = pd.Series(fitted["shrunk"].to_numpy(), index=table.index)
    return pd.DataFrame(
        {
            "shrunk": shrunk,
            "raw_place": table["value"].rank(ascending=higher_is_better, method="min"),
            "shrunk_place": shrunk.rank(ascending=higher_is_better, method="min"),
        }
    )


def _shrinkage_line(chosen: pd.DataFrame, places: pd.DataFrame, total: int) -> str:
    if places["shrunk"].isna().all():
        return ""
    rows = places.loc[chosen.index]
    raw_worst = chosen.loc[rows["raw_place"].idxmin(), "provider"]
    shrunk_worst = chosen.loc[rows["shrunk_place"].idxmin(), "provider"]
    moves = "; ".join(
        f"{chosen.loc[i, 'provider']} {int(r.raw_place)} to {int(r.shrunk_place)}"
        for i, r in rows.iterrows()
    )
    raw = (
        "as on the raw figures"
        if raw_worst == shrunk_worst
        else f"where the raw figures put {raw_worst}"
    )
    return (
        f" Shrunk towards the average (empirical Bayes), {shrunk_worst} looks worst of these"
        f" {len(chosen)}, {raw}; places from the bottom of all {total}, raw to shrunken:"
        f" {moves}."
    )


def lab_vote(scenario_id: str) -> LabVote:
    """Run a scenario's indicator A and put five of its hospitals to the room."""
    scenario = scenario_for(scenario_id)
    result = lab.run(simulate(scenario.population), scenario.a, scenario.analysis_a, sims=1)
    indicator = scenario.a
    table = result.table.reset_index(drop=True)
    names = pick_candidates(table, indicator.higher_is_better)
    chosen = table[table["provider"].isin(names)].sort_values("provider")
    label = indicator.label()
    options = tuple(
        option_label(row, indicator.kind, indicator.measure) for _, row in chosen.iterrows()
    )
    right = int(chosen["true_quality"].to_numpy().argmin())
    true_rank = table["true_quality"].rank(method="min")
    places = shrunken_places(table, indicator.kind, indicator.higher_is_better)
    candidates = tuple(
        {
            "provider": row["provider"],
            "value": float(row["value"]),
            "n": None if pd.isna(row["n"]) else float(row["n"]),
            "verdict": row["verdict"],
            "true_rank": int(true_rank[i]),
            **(
                {}
                if pd.isna(places.loc[i, "shrunk"])
                else {
                    "shrunk": float(places.loc[i, "shrunk"]),
                    "raw_place": int(places.loc[i, "raw_place"]),
                    "shrunk_place": int(places.loc[i, "shrunk_place"]),
                }
            ),
        }
        for i, row in chosen.iterrows()
    )
    shown_after = (
        "the truth is" if indicator.kind == "score" else "the funnel plot and the truth are"
    )
    prompt = (
        f"Simulated data: {len(names)} of {len(table)} hospitals, measured by "
        f"{_lower_first(label)}. Which gives the worst care? Vote before {shown_after} shown."
    )
    return LabVote(
        scenario=scenario.id,
        indicator=label,
        prompt=prompt,
        options=options,
        right=right,
        explanation=_explanation(table, chosen, true_rank, indicator.higher_is_better, label)
        + _shrinkage_line(chosen, places, len(table)),
        candidates=candidates,
    )
