"""Reading an uploaded CSV: encodings, delimiters, decimal commas, bounds, and where it broke."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from carelab.errors import CareLabError
from carelab.indicators import upload
from carelab.indicators.reading import CsvFormat
from carelab.indicators.upload import ColumnMapping, UploadError
from tests.conftest import AE_CSV

PROPORTION = ColumnMapping("proportion", "provider", "numerator", "denominator")
AE_MAPPING = ColumnMapping("proportion", "org_code", "breaches", "attendances", "period", "type")


def read(text: str | bytes, name: str = "in.csv", **kwargs) -> pd.DataFrame:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return upload.read_csv_bytes(data, name, **kwargs)


def problems_reading(text: str | bytes, name: str = "in.csv", **kwargs) -> list[str]:
    with pytest.raises(UploadError) as caught:
        read(text, name, **kwargs)
    return caught.value.problems


# --- what every file gets --------------------------------------------------------------------


def test_reading_keeps_every_cell_as_stripped_text_indexed_by_spreadsheet_row():
    frame = read("provider , numerator,denominator\n A ,007, 10\n\nB,1e3,2000\n")
    assert list(frame.columns) == ["provider", "numerator", "denominator"]
    assert frame.to_dict("index") == {
        2: {"provider": "A", "numerator": "007", "denominator": "10"},
        4: {"provider": "B", "numerator": "1e3", "denominator": "2000"},
    }
    assert frame.index.name == "row"
    assert frame.attrs["format"] == CsvFormat("UTF-8", ",", ".")


def test_reading_accepts_excels_byte_order_mark_crlf_and_trailing_empty_cells():
    frame = read(b"\xef\xbb\xbfprovider,numerator\r\nA,1,,\r\n,,\r\n")
    assert list(frame.columns) == ["provider", "numerator"]
    assert frame.to_dict("records") == [{"provider": "A", "numerator": "1"}]


@pytest.mark.parametrize(
    ("data", "kwargs", "expected"),
    [
        (b"x" * 12_000_000, {}, "in.csv is 12.0 MB; the limit is 10.0 MB"),
        (b"provider\nA\n", {"max_bytes": 5}, "in.csv is 11 bytes; the limit is 5 bytes"),
        (b"", {}, "in.csv is empty"),
        (b"\n  \r\n", {}, "in.csv is empty"),
        (
            "provider,numerator\nCafé,1\nZoë,\xe9\n".encode()[:-3] + b"\xe9\n",
            {},
            "in.csv is UTF-8 text but for line 3, character 5, which is byte 0xe9; "
            "save the file as 'CSV UTF-8'",
        ),
        (
            b"PK\x03\x04rest of a zip file",
            {},
            "in.csv is an Excel workbook, not CSV; save it as 'CSV UTF-8'",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old workbook",
            {},
            "in.csv is an Excel 97-2003 workbook, not CSV; save it as 'CSV UTF-8'",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            {},
            "in.csv is not a text file; save it as 'CSV UTF-8'",
        ),
        (
            b"\xff\xfep\x00r\x00\x00\xd8",
            {},
            "in.csv starts as UTF-16 text but is not; save the file as 'CSV UTF-8'",
        ),
        (
            b'provider,numerator\nA,1\n"B,2\nC,3\n',
            {},
            "in.csv, line 3: a quoted value starts here and is never closed",
        ),
        (
            b'provider,numerator\nA,"1"2\n',
            {},
            "in.csv, line 2: not valid CSV (',' expected after '\"')",
        ),
        (
            b"provider,numerator,numerator\n",
            {},
            "in.csv: the header names column 'numerator' twice (columns 2 and 3)",
        ),
        (
            ",".join(f"c{i}" for i in range(1001)).encode(),
            {},
            "in.csv has 1,001 columns; the limit is 1,000",
        ),
    ],
)
def test_reading_refuses_a_file_it_cannot_use_and_says_where(data, kwargs, expected):
    assert problems_reading(data, **kwargs) == [expected]


def test_reading_reports_every_row_with_the_wrong_number_of_values():
    assert problems_reading("provider,numerator\nA,1,2\nB\nC,3\n") == [
        "in.csv, row 2: 3 values but the header has 2 columns",
        "in.csv, row 3: 1 value but the header has 2 columns",
    ]


def test_upload_error_is_a_carelab_error_carrying_its_problems():
    error = UploadError(["first", "second"])
    assert isinstance(error, CareLabError)
    assert (error.problems, error.total, str(error)) == (["first", "second"], 2, "first\nsecond")


def test_upload_error_survives_the_trip_back_from_a_worker_process():
    error = UploadError([f"row {n}: bad" for n in range(2, 30)])
    back = pickle.loads(pickle.dumps(error))
    assert (back.problems, back.total, str(back)) == (error.problems, 28, str(error))
    assert back.problems[-1] == "and 8 more"


# --- bounds ----------------------------------------------------------------------------------


def test_reading_stops_past_the_row_limit_and_says_what_to_do():
    text = "provider,numerator,denominator\n" + "A,1,2\n" * 4
    assert len(read(text, max_rows=4)) == 4
    assert problems_reading(text + "B,1,2\n", max_rows=4) == [
        "in.csv has more than 4 rows, the most CareLab reads; add the rows up by period or "
        "provider first, or leave out old periods"
    ]


def test_the_command_line_reads_without_a_row_limit():
    text = "provider,numerator,denominator\n" + "A,1,2\n" * 400_001
    assert len(read(text, max_rows=None)) == 400_001


def test_the_upload_bounds_are_10_mb_and_300_000_rows():
    big = "provider,numerator,denominator\n" + "A,1,2\n" * 300_001
    assert problems_reading(big)[0].startswith("in.csv has more than 300,000 rows")
    assert problems_reading(b"x" * 10_000_001) == ["in.csv is 10.0 MB; the limit is 10.0 MB"]


# --- encodings, delimiters and decimal marks ------------------------------------------------

# What French Excel writes for "CSV (séparateur: point-virgule)": cp1252, semicolons,
# decimal commas and a thousands separator in German style on one row.
FRENCH_EXCEL = (
    "Établissement;Décès;Séjours;Période;Taux attendu\r\n"
    "Hôpital Saint-Éloi;12;1500;2024-01;0,8\r\n"
    "Clinique Pasteur;7;820;2024-01;1,25\r\n"
    "Centre hospitalier de Sète;30;1.234;2024-01;2,5\r\n"
).encode("cp1252")


def test_a_french_excel_file_loads_semicolons_cp1252_and_decimal_commas():
    frame = read(FRENCH_EXCEL)
    assert frame.attrs["format"] == CsvFormat("Windows-1252", ";", ",")
    assert frame.attrs["format"].describe() == (
        "Windows-1252 text, semicolon-separated, decimal comma"
    )
    assert list(frame.columns) == ["Établissement", "Décès", "Séjours", "Période", "Taux attendu"]
    assert frame["Établissement"].tolist()[2] == "Centre hospitalier de Sète"
    counts = upload.clean(frame, ColumnMapping("proportion", "Établissement", "Décès", "Séjours"))
    assert counts["denominator"].tolist() == [1500, 820, 1234]
    series = upload.clean_values(frame, period="Établissement", value="Taux attendu")
    assert sorted(series["value"]) == [0.8, 1.25, 2.5]


def test_a_full_stop_in_a_decimal_comma_file_is_a_problem_that_says_why():
    frame = read("provider;numerator;denominator\nA;1,5;10\nB;2.5;10\n")
    assert frame.attrs["format"].decimal == ","
    with pytest.raises(UploadError) as caught:
        upload.clean_values(frame, period="provider", value="numerator")
    assert caught.value.problems == [
        "row 3, column 'numerator': '2.5' is not a number (this file writes decimals as 12,5)"
    ]


def test_a_german_latin1_file_with_a_byte_cp1252_leaves_undefined():
    # 0x81 has no character in cp1252; Latin-1 reads every byte.
    data = "Träger;Fälle;Todesfälle\nKlinikum Süd;100;3\n".encode("latin-1") + b"X\x81;1;0\n"
    frame = read(data)
    assert frame.attrs["format"] == CsvFormat("Latin-1", ";", ".")
    assert frame["Träger"].tolist() == ["Klinikum Süd", "X\x81"]


def test_excels_unicode_text_is_utf16_with_tabs():
    text = "provider\tnumerator\tdenominator\r\nÅre sjukhus\t3\t40\r\n"
    frame = read(text.encode("utf-16"))
    assert frame.attrs["format"] == CsvFormat("UTF-16", "\t", ".")
    assert frame.to_dict("records") == [
        {"provider": "Åre sjukhus", "numerator": "3", "denominator": "40"}
    ]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('provider,label\nA,"one; two"\nB,"three; four"\n', ","),
        ("provider|numerator|denominator\nA|1|2\nB|3|4\n", "|"),
        ("provider\tnumerator\nA\t1\n", "\t"),
        ("provider\nA\nB\n", ","),
        # Every row has one decimal comma, so Sniffer finds "," as regular as ";" and prefers
        # it; the header has no comma, so the file is semicolon-separated.
        ("provider;rate\nA;0,5\nB;1,5\nC;2,5\n", ";"),
    ],
)
def test_the_delimiter_is_sniffed_and_checked_against_the_header(text, delimiter):
    assert read(text).attrs["format"].delimiter == delimiter


def test_real_data_saved_the_french_way_reads_the_same_as_the_original():
    original = AE_CSV.read_bytes()
    french = original.decode("utf-8").replace(",", ";").encode("cp1252")
    same = upload.clean(read(original), AE_MAPPING)
    again = upload.clean(read(french, max_rows=None), AE_MAPPING)
    pd.testing.assert_frame_equal(same, again)
    assert len(again) == 12_765


def test_prepare_and_read_and_clean_are_what_an_upload_worker_runs():
    summary, guess, checked = upload.prepare(FRENCH_EXCEL, "fr.csv", "proportion")
    assert summary == upload.CsvSummary(
        ("Établissement", "Décès", "Séjours", "Période", "Taux attendu"),
        3,
        CsvFormat("Windows-1252", ";", ","),
    )
    # No column name is one CareLab knows, so the guess leaves roles empty and says so.
    assert guess == ColumnMapping("proportion", "", "", "", None, None)
    assert isinstance(checked, UploadError)
    assert checked.problems[0] == "no column chosen for the provider"
    mapping = ColumnMapping("proportion", "Établissement", "Décès", "Séjours", "Période")
    cleaned = upload.read_and_clean(FRENCH_EXCEL, "fr.csv", mapping)
    assert cleaned["numerator"].tolist() == [12, 7, 30]


def test_prepare_checks_a_file_whose_columns_it_recognises():
    summary, guess, checked = upload.prepare(AE_CSV.read_bytes(), "ae.csv")
    assert (summary.rows, guess) == (12_765, AE_MAPPING)
    pd.testing.assert_frame_equal(checked, upload.clean(read(AE_CSV.read_bytes()), AE_MAPPING))
