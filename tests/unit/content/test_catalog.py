"""The catalog keeps every good item, lists every problem, checks references and reloads."""

from __future__ import annotations

import os
from pathlib import Path

from carelab.content.catalog import content_signature, load_catalog
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


def test_duplicate_ids_across_files_keep_the_first_and_name_the_other(content_root):
    write(content_root, "cases/a.yaml", VALID_CASE.format(id="same"))
    write(content_root, "cases/b.yaml", VALID_CASE.format(id="same"))
    catalog = load_catalog(content_root)
    assert catalog.paths[("case", "same")] == "cases/a.yaml"
    assert [str(e) for e in catalog.errors] == [
        "cases/b.yaml:1:5: id 'same' is already used by cases/a.yaml"
    ]


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
    from carelab.content.catalog import file_reports

    reports = {r.path: r for r in file_reports(load_catalog(content_root))}
    assert reports["cases/c.yaml"].served and reports["cases/c.yaml"].item_id == "c"
    assert reports["cases/c.yaml"].problems == ()
    bad = reports["cases/bad.yaml"]
    assert not bad.served and bad.item_id is None
    assert str(bad.problems[0]) == "cases/bad.yaml:1:1: missing required field 'title'"
