"""The Authoring page lists an id used twice and a link out of the content folder."""

from __future__ import annotations

import os

from tests.conftest import VALID_CASE

AUTHORING = "carelab/ui/pages/authoring.py"


def test_authoring_lists_a_duplicate_id_and_a_link_out_of_the_folder(
    app, admin, content_root, tmp_path
):
    live = content_root / "cases/kaiser.yaml"
    live.write_text(VALID_CASE.format(id="kaiser"), encoding="utf-8")
    then = live.stat().st_mtime - 3600
    os.utime(live, (then, then))
    (content_root / "cases/aaa.yaml").write_text(VALID_CASE.format(id="kaiser"), encoding="utf-8")
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALID_CASE.format(id="outside"), encoding="utf-8")
    (content_root / "cases/linked.yaml").symlink_to(outside)

    at = app(user=admin, page=AUTHORING)
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["File"], table["Status"], strict=True)) == {
        "cases/aaa.yaml": "❌ Held back: 1 problem",
        "cases/kaiser.yaml": "✅ Live in the catalogue",
        "cases/linked.yaml": "❌ Held back: 1 problem",
    }
    assert at.code[0].value == (
        "cases/aaa.yaml:1:5: id 'kaiser' is already used by cases/kaiser.yaml; choose another id"
    )
    at.selectbox(key="authoring.file").select("cases/linked.yaml").run()
    assert at.code[0].value.startswith(
        "cases/linked.yaml:1:1: this file is a link to a file outside the content folder"
    )
    at.selectbox(key="authoring.file").select("cases/kaiser.yaml").run()
    assert "A test case" in [h.value for h in at.header]


def test_authoring_lists_a_content_folder_linked_out_of_the_root(
    app, admin, content_root, tmp_path
):
    outside = tmp_path / "other"
    outside.mkdir()
    (outside / "c.yaml").write_text(VALID_CASE.format(id="c"), encoding="utf-8")
    (content_root / "cases").rmdir()
    (content_root / "cases").symlink_to(outside, target_is_directory=True)
    at = app(user=admin, page=AUTHORING)
    assert not at.exception
    assert at.dataframe[0].value["File"].tolist() == ["cases"]
    assert at.code[0].value.startswith("cases:1:1: cases/ is a link to a folder outside")


def test_authoring_offers_each_live_module_as_a_scorm_package(app, admin, shipped_content):
    at = app(user=admin, page=AUTHORING)
    assert not at.exception
    picker = at.selectbox(key="authoring.scorm")
    assert len(picker.options) == 3
    assert "Teams and integrated care (teamwork)" in picker.options
    picker.select("teamwork").run()
    assert not at.exception
    buttons = [b.proto.label for b in at.get("download_button")]
    assert buttons == ["Download SCORM 1.2 package"]
