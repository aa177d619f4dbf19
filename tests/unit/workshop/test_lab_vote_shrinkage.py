"""A workshop Lab vote reveals shrinkage: each hospital's place raw and shrunken, and the truth."""

from __future__ import annotations

import pandas as pd
import pytest

from carelab.indicators import lab
from carelab.indicators.population import simulate
from carelab.indicators.scenarios import BY_ID
from carelab.workshop.lab_vote import lab_vote, shrunken_places


def _table(scenario_id: str) -> tuple[pd.DataFrame, bool]:
    scenario = BY_ID[scenario_id]
    result = lab.run(simulate(scenario.population), scenario.a, scenario.analysis_a, sims=1)
    return result.table.reset_index(drop=True), scenario.a.higher_is_better


def test_small_units_are_pulled_towards_the_average_most():
    table, higher_is_better = _table("small-numbers")
    places = shrunken_places(table, "ratio", higher_is_better)
    pooled = table["numerator"].sum() / table["n"].sum()
    # Shrinkage moves every estimate from its raw value towards the middle, never past it.
    raw, shrunk = table["value"], places["shrunk"]
    assert ((shrunk - raw).abs() <= (pooled - raw).abs() + 0.35).all()
    moved = (shrunk - raw).abs() / (raw - shrunk.mean()).abs().clip(lower=1e-9)
    small, large = table["n"] < table["n"].quantile(0.25), table["n"] > table["n"].quantile(0.75)
    assert moved[small].median() > moved[large].median()
    assert places["raw_place"].min() == 1 and places["shrunk_place"].min() == 1


def test_the_small_numbers_vote_reveals_raw_and_shrunken_places_beside_the_truth():
    vote = lab_vote("small-numbers")
    table, higher_is_better = _table("small-numbers")
    places = shrunken_places(table, "ratio", higher_is_better).set_index(table["provider"])
    for candidate in vote.candidates:
        row = places.loc[candidate["provider"]]
        assert candidate["shrunk"] == pytest.approx(row["shrunk"])
        assert candidate["raw_place"] == row["raw_place"]
        assert candidate["shrunk_place"] == row["shrunk_place"]
    assert "Shrunk towards the average (empirical Bayes)," in vote.explanation
    raw_worst = min(vote.candidates, key=lambda c: c["raw_place"])["provider"]
    assert f"where the raw figures put {raw_worst}" in vote.explanation
    # The league table's worst-looking small unit is not the worst once shrunk.
    looks_worst = min(vote.candidates, key=lambda c: c["raw_place"])
    assert looks_worst["shrunk_place"] > looks_worst["raw_place"]


def test_a_composite_score_has_no_shrinkage_to_show():
    vote = lab_vote("composite-weights")
    assert all("shrunk" not in c for c in vote.candidates)
    assert "Shrunk towards the average" not in vote.explanation
