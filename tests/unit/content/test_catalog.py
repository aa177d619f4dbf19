"""The catalog keeps every good item, lists every problem, checks references and reloads."""

from __future__ import annotations

import os
from pathlib import Path

from carelab.content.catalog import content_signature, file_reports, load_catalog
from tests.conftest import REPO, VALID_CASE, VALID_MODULE


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.write_text(text, encoding="utf-8")
    return path


def test_good_items_load_and_search(content_root):
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="c"))
    write(content_root, "modules/m.yaml", VALID_MODULE.format(id="m", case="c"))
    catalog = load_catalog(content_root)
    assert catalog.errors == []
    assert [(e.kind, e.id) for e in catalog.entries()] == [("module", "m"), ("case", "c")]
    assert [e.id for e in catalog.search("test module")] == ["m"]
    assert [e.id for e in catalog.search("", kind="case")] == ["c"]
    assert catalog.search("no such words") == []


def test_a_broken_file_is_listed_and_the_rest_still_served(content_root):
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="c"))
    write(content_root, "cases/broken.yaml", "id: broken\ntitle: [unclosed\n")
    write(content_root, "cases/bytes.yaml", "id: x\n")
    (content_root / "cases/bytes.yaml").write_bytes(b"id: \xff\n")
    catalog = load_catalog(content_root)
    assert list(catalog.cases) == ["c"]
    assert [str(e) for e in catalog.errors] == [
        "cases/broken.yaml:3:1: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence)",
        "cases/bytes.yaml:1:5: file is not valid UTF-8 (byte 0xff); save it as UTF-8",
    ]


def aged(path: Path, seconds_ago: int) -> Path:
    """Set a file's modification time back, as if it had been saved that long ago."""
    then = path.stat().st_mtime - seconds_ago
    os.utime(path, (then, then))
    return path


def test_duplicate_ids_across_files_keep_the_older_and_name_the_other(content_root):
    aged(write(content_root, "cases/a.yaml", VALID_CASE.format(id="same")), 60)
    write(content_root, "cases/b.yaml", VALID_CASE.format(id="same"))
    catalog = load_catalog(content_root)
    assert catalog.paths[("case", "same")] == "cases/a.yaml"
    assert [str(e) for e in catalog.errors] == [
        "cases/b.yaml:1:5: id 'same' is already used by cases/a.yaml; choose another id"
    ]


def test_a_file_added_later_never_replaces_a_live_case_even_if_it_sorts_first(content_root):
    aged(write(content_root, "cases/kaiser.yaml", VALID_CASE.format(id="kaiser")), 3600)
    impostor = VALID_CASE.format(id="kaiser").replace("A test case", "Not the real case")
    write(content_root, "cases/aaa.yaml", impostor)
    catalog = load_catalog(content_root)
    assert catalog.paths[("case", "kaiser")] == "cases/kaiser.yaml"
    assert catalog.case("kaiser").title == "A test case"
    assert [str(e) for e in catalog.errors] == [
        "cases/aaa.yaml:1:5: id 'kaiser' is already used by cases/kaiser.yaml; choose another id"
    ]


def test_the_live_file_keeps_its_id_when_it_is_edited_after_the_newcomer(content_root):
    live_file = write(content_root, "cases/kaiser.yaml", VALID_CASE.format(id="kaiser"))
    served = load_catalog(content_root).paths
    aged(write(content_root, "cases/aaa.yaml", VALID_CASE.format(id="kaiser")), 60)
    live_file.write_text(VALID_CASE.format(id="kaiser") + "tags: [edited]\n", encoding="utf-8")
    catalog = load_catalog(content_root, live=served)
    assert catalog.paths[("case", "kaiser")] == "cases/kaiser.yaml"
    assert catalog.case("kaiser").tags == ["edited"]
    # Without the running app's memory (a restart), the older file is the owner.
    assert load_catalog(content_root).paths[("case", "kaiser")] == "cases/aaa.yaml"


def test_an_owner_broken_for_a_moment_does_not_hand_its_id_to_a_newcomer(content_root):
    broken = VALID_CASE.format(id="kaiser").replace("title: A test case\n", "")
    aged(write(content_root, "cases/kaiser.yaml", broken), 3600)
    write(content_root, "cases/aaa.yaml", VALID_CASE.format(id="kaiser"))
    catalog = load_catalog(content_root)
    assert catalog.cases == {}
    assert [str(e) for e in catalog.errors] == [
        "cases/aaa.yaml:1:5: id 'kaiser' is already used by cases/kaiser.yaml; choose another id",
        "cases/kaiser.yaml:1:1: missing required field 'title'",
    ]


def test_the_same_id_for_a_module_and_a_case_is_fine(content_root):
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="same"))
    write(content_root, "modules/m.yaml", VALID_MODULE.format(id="same", case="same"))
    catalog = load_catalog(content_root)
    assert catalog.errors == [] and list(catalog.modules) == list(catalog.cases) == ["same"]


# --- links out of the content folder ------------------------------------------------------


def test_a_case_file_linked_to_a_file_outside_the_content_folder_is_not_read(
    content_root, tmp_path
):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(VALID_CASE.format(id="sneaky"), encoding="utf-8")
    (content_root / "cases/sneaky.yaml").symlink_to(outside)
    (content_root / "cases/passwd.yaml").symlink_to("/etc/passwd")
    catalog = load_catalog(content_root)
    assert catalog.cases == {}
    message = (
        "this file is a link to a file outside the content folder; CareLab does not read it. "
        "Copy the file itself into the content folder."
    )
    assert [str(e) for e in catalog.errors] == [
        f"cases/passwd.yaml:1:1: {message}",
        f"cases/sneaky.yaml:1:1: {message}",
    ]
    reports = {r.path: r for r in file_reports(catalog)}
    assert [str(p) for p in reports["cases/passwd.yaml"].problems] == [
        f"cases/passwd.yaml:1:1: {message}"
    ]


def test_a_content_folder_linked_outside_the_root_is_not_read(content_root, tmp_path):
    outside = tmp_path / "other-checkout"
    outside.mkdir()
    write(outside, "c.yaml", VALID_CASE.format(id="c"))
    (content_root / "cases").rmdir()
    (content_root / "cases").symlink_to(outside, target_is_directory=True)
    catalog = load_catalog(content_root)
    assert catalog.cases == {}
    assert [str(e) for e in catalog.errors] == [
        "cases:1:1: cases/ is a link to a folder outside the content folder; CareLab does not "
        "read it. Put the files themselves in the content folder."
    ]
    (report,) = file_reports(catalog)
    assert (report.path, report.served, len(report.problems)) == ("cases", False, 1)


def test_links_inside_the_content_folder_are_followed(content_root):
    # A Kubernetes ConfigMap mounts each file as a link into a hidden folder beside it.
    hidden = content_root / "cases" / "..data"
    hidden.mkdir()
    write(hidden, "c.yaml", VALID_CASE.format(id="c"))
    (content_root / "cases/c.yaml").symlink_to(Path("..data/c.yaml"))
    catalog = load_catalog(content_root)
    assert catalog.errors == [] and catalog.paths == {("case", "c"): "cases/c.yaml"}


def test_a_link_loop_is_an_error_not_a_crash(content_root):
    (content_root / "cases/loop.yaml").symlink_to(content_root / "cases/loop.yaml")
    catalog = load_catalog(content_root)
    assert [e.path for e in catalog.errors] == ["cases/loop.yaml"]


# --- images and links ---------------------------------------------------------------------


def test_images_and_unsafe_links_are_defused_in_every_field(content_root):
    case = (
        VALID_CASE.format(id="c")
        .replace(
            "body: It happened.",
            "body: 'See ![chart](https://evil.example/p.png) and [this](data:text/html,x)'",
        )
        .replace("label: A number", "label: '![x](https://evil.example/q.png)'")
    )
    write(content_root, "cases/c.yaml", case)
    loaded = load_catalog(content_root).case("c")
    assert loaded.sections[0].body == (
        "See [Image: chart](https://evil.example/p.png) and [this] (data:text/html,x)"
    )
    assert loaded.key_figures[0].label == "[Image: x](https://evil.example/q.png)"


def test_dangling_case_reference_holds_the_module_back(content_root):
    write(content_root, "modules/m.yaml", VALID_MODULE.format(id="m", case="missing"))
    catalog = load_catalog(content_root)
    assert catalog.modules == {}
    assert [str(e) for e in catalog.errors] == [
        "modules/m.yaml:15:11: case 'missing' does not exist in cases/"
    ]


def test_reference_to_a_case_with_errors_says_so(content_root):
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="c").replace("title:", "titel:", 1))
    write(content_root, "modules/m.yaml", VALID_MODULE.format(id="m", case="c"))
    catalog = load_catalog(content_root)
    assert "modules/m.yaml:15:11: case 'c' has errors of its own, so this step cannot show it" in [
        str(e) for e in catalog.errors
    ]


def test_lab_steps_must_name_a_known_scenario(content_root):
    module = VALID_MODULE.format(id="m", case="c").replace(
        "    kind: case\n    title: The case\n    case: c\n",
        "    kind: lab\n    title: Lab\n    scenario: small-numbers\n",
    )
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="c"))
    write(content_root, "modules/m.yaml", module)
    assert [str(e) for e in load_catalog(content_root, frozenset()).errors] == [
        "modules/m.yaml:15:15: Indicator Lab scenario 'small-numbers' does not exist "
        "(known: none yet)"
    ]
    assert "m" in load_catalog(content_root, frozenset({"small-numbers"})).modules
    # By default the Indicator Lab's own scenarios are the known ones.
    assert "m" in load_catalog(content_root).modules
    module = (content_root / "modules/m.yaml").read_text().replace("small-numbers", "tiny-numbers")
    (content_root / "modules/m.yaml").write_text(module)
    assert "'tiny-numbers' does not exist (known: composite-weights, denominator," in str(
        load_catalog(content_root).errors[0]
    )


def test_signature_changes_when_a_file_changes_so_the_app_reloads(content_root):
    path = write(content_root, "cases/c.yaml", VALID_CASE.format(id="c"))
    before = content_signature(content_root)
    path.write_text(VALID_CASE.format(id="c").replace("A test case", "Renamed"), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert content_signature(content_root) != before
    assert load_catalog(content_root).case("c").title == "Renamed"
    write(content_root, "cases/d.yaml", VALID_CASE.format(id="d"))
    assert len(content_signature(content_root)) == 2


def test_shipped_content_is_valid():
    catalog = load_catalog(REPO)
    assert [str(e) for e in catalog.errors] == []
    assert catalog.modules and catalog.cases


def test_every_shipped_key_figure_has_a_source_that_resolves():
    catalog = load_catalog(REPO)
    for case in catalog.cases.values():
        known = {s.id for s in case.sources}
        for figure in case.key_figures:
            assert figure.source in known, f"{case.id}: '{figure.label}' has no source"


def test_file_reports_show_every_file_with_its_problems(content_root):
    write(content_root, "cases/c.yaml", VALID_CASE.format(id="c"))
    write(content_root, "cases/bad.yaml", "id: bad\ntitel: x\n")
    reports = {r.path: r for r in file_reports(load_catalog(content_root))}
    assert reports["cases/c.yaml"].served and reports["cases/c.yaml"].item_id == "c"
    assert reports["cases/c.yaml"].problems == ()
    bad = reports["cases/bad.yaml"]
    assert not bad.served and bad.item_id is None
    assert str(bad.problems[0]) == "cases/bad.yaml:1:1: missing required field 'title'"
