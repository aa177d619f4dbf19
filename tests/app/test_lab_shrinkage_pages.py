"""The Lab's shrinkage toggle and its truth table under AppTest; the Regression to the mean page."""

from __future__ import annotations

import pytest

from carelab.indicators.scenarios import BY_ID

LAB = "carelab/ui/pages/indicator_lab.py"
RTM = "carelab/ui/pages/lab_regression.py"


def league(at):
    return next(d.value for d in at.dataframe if "Shrunken rank" in d.value.columns)


def test_shrinkage_toggle_puts_shrunken_estimates_beside_the_raw_ones_with_the_truth(app):
    at = app(page=LAB, scenario="small-numbers")
    assert not [d for d in at.dataframe if "Shrunken rank" in d.value.columns]
    toggle = at.toggle(key="lab.small-numbers.A.ranks.shrunk")
    assert toggle.label == "Show shrunken estimates beside the raw ones"
    toggle.set_value(True).run()
    assert not at.exception
    rows = league(at)
    assert list(rows.columns) == [
        "Hospital", "Raw (O/E)", "Raw 95% interval", "Shrunken (O/E)", "Shrunken 95% interval",
        "Weight on own data", "Raw rank", "Shrunken rank", "True rank",
    ]  # fmt: skip
    assert len(rows) == 20 and rows["Raw rank"].is_monotonic_increasing
    # The shrunken estimates are pulled in: less spread than the raw ones.
    assert rows["Shrunken (O/E)"].std() < rows["Raw (O/E)"].std()
    assert (rows["Weight on own data"].between(0, 1)).all()
    words = [m.value for m in at.markdown if m.value.startswith("Each hospital's estimate")]
    assert words and "places from the true order" in words[0]
    at.radio(key="lab.small-numbers.A.ranks").set_value("all").run()
    assert len(league(at)) == BY_ID["small-numbers"].population.providers


def test_composite_score_says_there_is_nothing_to_shrink(app):
    at = app(page=LAB, scenario="composite-weights")
    at.toggle(key="lab.composite-weights.A.ranks.shrunk").set_value(True).run()
    assert any("nothing to shrink" in i.value for i in at.info)


def test_truth_tab_says_which_order_is_closer_over_twenty_populations(app):
    at = app(page=LAB, scenario="small-numbers")
    table = at.table[-1].value
    assert list(table.columns) == ["A", "B"]
    assert table.index[0] == "Spearman with true quality, raw order"
    assert table.loc["Populations where shrunken is closer", "A"].endswith("of 20")
    text = " ".join(m.value for m in at.markdown)
    assert "order was closer to the true order in" in text
    assert "seeds 2024 to 2043" in text


@pytest.mark.parametrize("odds_ratio", ["1", "0.7"])
def test_regression_page_shows_the_improvement_the_chance_and_the_control_group(app, odds_ratio):
    at = app(page=RTM)
    assert not at.exception
    assert at.info[0].value.startswith("**Simulated data.**")
    at.radio(key="rtm.effect").set_value(odds_ratio).run()
    summary = at.table[0].value
    assert "Apparent improvement of the flagged" in summary.index
    assert "Of which chance (regression to the mean)" in summary.index
    text = " ".join(m.value for m in at.markdown)
    assert "control" in text and "Barnett" in " ".join(c.value for c in at.caption)
    assert [e.label for e in at.expander].count("Table of the values") == 1
