"""The published case: NCHDA's children's heart surgery figures, 2011-2014, against a funnel."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from carelab.indicators import published_case
from carelab.indicators.examples import CHD_SURGERY
from tests.conftest import REPO


@pytest.fixture(scope="module")
def case() -> pd.DataFrame:
    return published_case.load(CHD_SURGERY.path)


def test_the_shipped_file_is_the_one_data_readme_describes(case):
    digest = hashlib.sha256(CHD_SURGERY.path.read_bytes()).hexdigest()
    assert digest in (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert len(case) == 14
    # A transcription check: each published survival rate is survivors / operations, rounded.
    recomputed = (100 * case["survivors"] / case["operations"]).round(1)
    assert (recomputed == case["survival_pct"]).all()
    assert (case["predicted_low_outer"] <= case["predicted_low_inner"]).all()
    assert (case["predicted_high_inner"] <= case["predicted_high_outer"]).all()


def test_no_hospital_is_below_its_range_though_the_crude_funnel_flags_two(case):
    table = published_case.compare(case)
    # HQIP (8 Sep 2015): no hospital had excess mortality by the PRAiS risk adjustment model.
    assert not table["Against its predicted range"].str.startswith("below").any()
    worse = table.loc[table["Crude funnel"].str.startswith("worse"), "Code"].tolist()
    assert worse == ["RHS", "GUY"]  # 28/787 and 39/1204 deaths against 284/13,309 pooled
    assert table["pooled"].iloc[0] == pytest.approx(284 / 13309)
    first, second, third = published_case.reading(table)
    assert first.startswith("Against one pooled death rate for all 14 hospitals (2.13%)")
    assert "0 below it, 12 within it, 2 above it (NHB and BCH)" in second
    assert third.startswith("So RHS and GUY: flagged worse on crude deaths, yet within")


def test_the_reading_follows_the_figures(case, tmp_path):
    changed = case.copy()
    row = changed["code"] == "GUY"
    changed.loc[row, ["deaths", "survivors", "survival_pct"]] = [70, 1134, 94.2]
    path = tmp_path / "changed.csv"
    changed.to_csv(path, index=False)
    table = published_case.compare(published_case.load(path))
    guy = table[table["Code"] == "GUY"].iloc[0]
    assert guy["Against its predicted range"] == "below its extended predicted range"
    assert guy["Crude funnel"] == "worse (99.8%)"
    assert "1 below it (GUY)" in published_case.reading(table)[1]


def test_a_damaged_file_says_what_is_wrong(case, tmp_path):
    path = tmp_path / "bad.csv"
    case.assign(survivors=case["survivors"] + 1).to_csv(path, index=False)
    with pytest.raises(ValueError, match="survivors must equal operations minus deaths"):
        published_case.load(path)
    case.drop(columns=["deaths"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="lacks the columns deaths"):
        published_case.load(path)
