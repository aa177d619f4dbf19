"""`carelab cusum` and `carelab vlad` against an independent, plain-loop computation."""

from __future__ import annotations

import csv
import io
import math
import random

import numpy as np
import pytest

from carelab.cli import main

N = 3000


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def seeded_patients(seed: int = 20) -> list[tuple[int, float, float]]:
    """(outcome, expected risk, risk score) in time order; the odds triple after patient 1500."""
    rng = random.Random(seed)
    rows = []
    for i in range(N):
        score = rng.uniform(0, 60)
        risk = 1 / (1 + math.exp(3.68 - 0.077 * score))
        odds = risk / (1 - risk) * (3 if i >= N // 2 else 1)
        rows.append((int(rng.random() < odds / (1 + odds)), risk, score))
    return rows


def write(tmp_path, rows, name="patients.csv") -> str:
    path = tmp_path / name
    lines = ["outcome,expected,score"] + [f"{y},{p!r},{s!r}" for y, p, s in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def reference(rows, r_a: float, h: float, reset: bool, r_0: float = 1.0) -> list[dict]:
    """Steiner et al. (2000) and Lovegrove et al. (1997) written out, one patient at a time."""
    x, vlad, out = 0.0, 0.0, []
    for y, p, _ in rows:
        if y == 1:
            w = math.log(((1 - p + r_0 * p) * r_a) / ((1 - p + r_a * p) * r_0))
        else:
            w = math.log((1 - p + r_0 * p) / (1 - p + r_a * p))
        before = x
        x = max(0.0, x + w)
        signal = x >= h and before < h
        vlad += p - y
        out.append({"weight": w, "cusum": x, "signal": int(signal), "vlad": vlad})
        if signal and reset:
            x = 0.0
    return out


def parse(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize(("r_a", "h"), [(2.0, 4.5), (2.0, 2.0), (0.5, 3.0), (3.0, 5.0)])
@pytest.mark.parametrize("reset", [False, True])
def test_cusum_matches_a_plain_loop_to_1e_9(capsys, tmp_path, r_a, h, reset):
    rows = seeded_patients()
    args = ["cusum", write(tmp_path, rows), "--or", str(r_a), "--h", str(h)]
    code, out, err = run(capsys, *args, *(["--reset"] if reset else []))
    assert (code, err) == (0, "")
    got, want = parse(out), reference(rows, r_a, h, reset)
    assert len(got) == N
    assert [int(g["patient"]) for g in got] == list(range(1, N + 1))
    assert [int(g["outcome"]) for g in got] == [y for y, _, _ in rows]
    for key in ("weight", "cusum", "vlad"):
        np.testing.assert_allclose(
            [float(g[key]) for g in got], [w[key] for w in want], rtol=0, atol=1e-9
        )
    assert [int(g["signal"]) for g in got] == [w["signal"] for w in want]
    assert sum(w["signal"] for w in want) >= 1  # the data do signal: the check has teeth


def test_reset_makes_more_signals_than_carrying_on(capsys, tmp_path):
    path = write(tmp_path, seeded_patients())
    counts = []
    for extra in ([], ["--reset"]):
        _, out, _ = run(capsys, "cusum", path, "--h", "2", *extra)
        counts.append(sum(int(r["signal"]) for r in parse(out)))
    assert counts[1] > counts[0] >= 1


def test_vlad_matches_a_plain_running_sum(capsys, tmp_path):
    rows = seeded_patients(7)
    code, out, err = run(capsys, "vlad", write(tmp_path, rows))
    assert (code, err) == (0, "")
    got = parse(out)
    assert list(got[0]) == ["patient", "outcome", "expected", "vlad"]
    total, want = 0.0, []
    for y, p, _ in rows:
        total += p - y
        want.append(total)
    np.testing.assert_allclose([float(g["vlad"]) for g in got], want, rtol=0, atol=1e-9)


def newton_logit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Maximum-likelihood logistic regression of y on x by Newton-Raphson; fitted risks."""
    design = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ beta))
        hessian = design.T @ (design * (p * (1 - p))[:, None])
        beta += np.linalg.solve(hessian, design.T @ (y - p))
    return 1 / (1 + np.exp(-design @ beta))


def test_a_risk_score_is_fitted_by_logistic_regression(capsys, tmp_path):
    rows = seeded_patients(3)
    path = tmp_path / "scores.csv"
    path.write_text("outcome,score\n" + "".join(f"{y},{s!r}\n" for y, _, s in rows), "utf-8")
    code, out, err = run(capsys, "cusum", str(path), "--score", "score")
    assert (code, err) == (0, "")
    got = [float(r["expected"]) for r in parse(out)]
    scores = np.array([s for _, _, s in rows])
    want = newton_logit(scores, np.array([y for y, _, _ in rows], dtype=float))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_bad_rows_are_named_by_row_and_column(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("outcome,expected\n0,0.1\n2,0.1\n1,x\n,1.2\n1,0\n", encoding="utf-8")
    code, out, err = run(capsys, "cusum", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "row 3, column 'outcome': 2 is not 0 or 1",
        "row 4, column 'expected': 'x' is not a number",
        "row 5, column 'outcome' is blank",
        "row 5, column 'expected': 1.2 is not a risk above 0 and below 1",
        "row 6, column 'expected': 0 is not a risk above 0 and below 1",
        f"error: 5 problems in {path}",
    ]


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("died,risk\n1,0.1\n", [], "missing columns 'outcome' and 'expected'; the file has "
         "'died', 'risk'"),
        ("outcome\n1\n", ["--score", "parsonnet"], "missing column 'parsonnet'; the file has "
         "'outcome'"),
        ("outcome,score\n1,3\n1,4\n", ["--score", "score"], "every outcome is the same, so no "
         "risk can be fitted from 'score'; give an 'expected' column instead"),
    ],
)  # fmt: skip
def test_missing_columns_and_unfittable_scores_say_what_to_do(
    capsys, tmp_path, text, args, message
):
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "cusum", str(path), *args)
    assert code == 1 and out == ""
    assert err.splitlines()[0] == message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--or", "1"], "error: The odds ratio to detect must be above 0 and not 1 (got 1)"),
        (["--h", "0"], "error: The control limit h must be above 0 (got 0)."),
    ],
)
def test_settings_that_cannot_work_are_refused(capsys, tmp_path, args, message):
    code, out, err = run(capsys, "cusum", write(tmp_path, seeded_patients()[:5]), *args)
    assert code == 1 and out == ""
    assert err.startswith(message)


def test_out_writes_the_file_and_says_how_many_patients(capsys, tmp_path):
    target = tmp_path / "chart.csv"
    source = write(tmp_path, seeded_patients()[:10])
    code, out, _ = run(capsys, "vlad", source, "--out", str(target))
    assert (code, out) == (0, f"wrote {target}: 10 patients\n")
    assert target.read_text(encoding="utf-8").startswith("patient,outcome,expected,vlad\n")


def test_help_says_which_columns_are_read(capsys):
    with pytest.raises(SystemExit):
        main(["cusum", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "column 'outcome' (1 = the event" in text
    assert "column 'expected'" in text
    assert "scikit-learn's LogisticRegression" in text
