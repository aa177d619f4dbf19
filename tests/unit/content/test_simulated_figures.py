"""Figures a module calls simulated come from CareLab's own simulator, and come out the same.

The indicators module's CUSUM and VLAD questions quote one simulated surgeon (the
Monitoring over time model: 1,000 patients, true odds tripled from patient 151, random
seed 136). This regenerates every number in their tables, so a change to the model or the
text that breaks the link fails here instead of teaching numbers nobody can reproduce.
"""

from __future__ import annotations

import re

import numpy as np

from carelab.content.catalog import load_catalog
from carelab.indicators import cusum
from carelab.indicators.monitoring import MonitoringSpec, simulate
from tests.conftest import REPO

SPEC = MonitoringSpec(patients=1000, excess_start=151, true_odds_ratio=3.0, seed=136)


def _question(question_id: str):
    module = load_catalog(REPO).module("indicators")
    for step in module.steps:
        for question in getattr(step, "questions", None) or []:
            if question.id == question_id:
                return question
    raise AssertionError(f"no question {question_id}")


def _rows(prompt: str) -> dict[str, list[str]]:
    """The prompt's Markdown table as {first cell: the other cells}."""
    rows = {}
    for line in prompt.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 1 and not set(cells[1]) <= {"-"}:
            rows[cells[0]] = cells[1:]
    return rows


def _simulated():
    patients = simulate(SPEC)
    outcomes = np.asarray(patients.outcomes).ravel()
    expected = np.asarray(patients.expected).ravel()
    chart = cusum.cusum(outcomes, expected, odds_ratio=2.0, h=4.5)
    return outcomes, expected, chart, cusum.vlad(outcomes, expected)


def test_the_cusum_question_quotes_the_simulated_surgeon():
    outcomes, expected, chart, _ = _simulated()
    question = _question("read-cusum")
    rows = _rows(question.prompt)
    after = [int(n) for n in rows["After patient"]]
    first_signal = int(np.flatnonzero(chart.signals)[0]) + 1
    assert after[-1] == first_signal == 220  # the question's "signal at patient 220"
    assert rows["CUSUM"] == [f"{chart.values[n - 1]:.2f}" for n in after]
    assert rows["Deaths so far"] == [str(int(outcomes[:n].sum())) for n in after]
    expected_so_far = [f"{expected[:n].sum():.1f}" for n in after]
    assert rows["Deaths expected by the risk model"] == expected_so_far
    feedback = " ".join(question.options[0].feedback.split())
    assert "seed 136" in feedback and "tripled from patient 151" in feedback


def test_the_vlad_question_quotes_the_same_surgeon():
    *_, vlad = _simulated()
    rows = _rows(_question("read-vlad").prompt)
    after = [int(n) for n in rows["After patient"]]

    def shown(value: float) -> str:
        text = f"{value:+.1f}".replace("-", "\N{MINUS SIGN}")
        return "0.0" if text in {"+0.0", "\N{MINUS SIGN}0.0"} else text

    assert rows["VLAD"] == [shown(vlad[n - 1]) for n in after]
    fall = vlad[149] - vlad[219]
    assert re.search(rf"about\s+{fall:.1f} deaths more", _question("read-vlad").options[0].feedback)
