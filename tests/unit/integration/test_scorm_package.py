"""The SCORM 1.2 package of a module: its manifest, its bytes, and what it carries.

The browser test (tests/e2e/test_scorm_package.py) runs each package against scorm-again;
these check the parts an LMS reads before it runs anything, and the mapping from the YAML.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from carelab import cli
from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.integration.scorm.content import module_data
from carelab.integration.scorm.package import build_package
from carelab.learning.progress import scored_questions
from tests.conftest import REPO

CATALOG = load_catalog(REPO)
NS = {
    "cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
}
ADLCP = "{" + NS["adlcp"] + "}"


def _zip(module_id: str, site_url: str | None = None) -> zipfile.ZipFile:
    package = build_package(CATALOG.module(module_id), CATALOG.cases, site_url)
    return zipfile.ZipFile(io.BytesIO(package))


def _content(archive: zipfile.ZipFile) -> dict:
    page = archive.read("index.html").decode("utf-8")
    found = re.search(r'<script type="application/json" id="carelab-content">(.*?)</script>', page)
    assert found, "the module's data is inlined in index.html"
    return json.loads(found.group(1))


@pytest.mark.parametrize("module_id", sorted(CATALOG.modules))
def test_manifest_is_scorm_12_with_one_sco_whose_files_are_in_the_zip(module_id: str) -> None:
    """An LMS finds schema 1.2, the default organisation, one SCO, and every file it names."""
    archive = _zip(module_id)
    root = ET.fromstring(archive.read("imsmanifest.xml"))
    assert root.tag == "{" + NS["cp"] + "}manifest"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    organizations = root.find("cp:organizations", NS)
    default = organizations.get("default")
    organization = organizations.find(f"cp:organization[@identifier='{default}']", NS)
    assert organization is not None, "the default organisation exists"
    module = CATALOG.module(module_id)
    assert organization.findtext("cp:title", namespaces=NS) == module.title
    items = organization.findall("cp:item", NS)
    assert len(items) == 1
    mastery = items[0].findtext("adlcp:masteryscore", namespaces=NS)
    assert mastery == str(round(module.pass_mark * 100))
    resources = {r.get("identifier"): r for r in root.findall("cp:resources/cp:resource", NS)}
    sco = resources[items[0].get("identifierref")]
    assert sco.get(ADLCP + "scormtype") == "sco"
    assert sco.get("type") == "webcontent"
    names = set(archive.namelist())
    assert sco.get("href") in names
    files = [f.get("href") for f in sco.findall("cp:file", NS)]
    assert set(files) == names - {"imsmanifest.xml"}, "every file listed, every listed file there"
    identifiers = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in identifiers), "xs:ID identifiers"


def test_same_module_gives_the_same_bytes_and_a_change_gives_others() -> None:
    """Deterministic: fixed order, timestamps and modes; an edited module is a new package."""
    module = CATALOG.module("teamwork")
    first = build_package(module, CATALOG.cases)
    assert build_package(module, CATALOG.cases) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.namelist()[0] == "imsmanifest.xml"
    edited = module.model_copy(update={"title": "Teams, edited"})
    assert build_package(edited, CATALOG.cases) != first
    assert len(first) < 200_000, "small enough to upload anywhere"


@pytest.mark.parametrize("module_id", sorted(CATALOG.modules))
def test_content_carries_every_step_and_every_scored_question(module_id: str) -> None:
    """Each step in order, and each question the app's score counts, under the app's key."""
    module = CATALOG.module(module_id)
    data = _content(_zip(module_id))
    assert [s["id"] for s in data["steps"]] == [s.id for s in module.steps]
    keys = [q["key"] for s in data["steps"] for q in s.get("questions", [])]
    assert keys == [key for _, key, _ in scored_questions(module, CATALOG.cases)]
    assert data["passMark"] == module.pass_mark
    assert all(
        re.fullmatch(r"[a-z0-9_-]+", q["iid"])
        for s in data["steps"]
        for q in s.get("questions", [])
    )


def _module(steps: list[dict], pass_mark: float = 0.8) -> schema.Module:
    return schema.Module.model_validate(
        {
            "id": "m",
            "title": "M",
            "summary": "S",
            "learning_objectives": ["O"],
            "estimated_minutes": 5,
            "version": "1",
            "pass_mark": pass_mark,
            "steps": steps,
        }
    )


def test_questions_keep_answers_feedback_and_short_answer_patterns() -> None:
    """Right answers, weights, feedback and a `*` pattern arrive as the player marks them."""
    module = _module(
        [
            {
                "id": "q",
                "kind": "quiz",
                "title": "Q",
                "questions": [
                    {
                        "id": "pick",
                        "kind": "multiple_choice",
                        "prompt": "Pick",
                        "explanation": "E",
                        "options": [
                            {"text": "A", "correct": True, "feedback": "Yes, *A*"},
                            {"text": "B", "correct": True},
                            {"text": "C"},
                        ],
                    },
                    {
                        "id": "word",
                        "kind": "short_text",
                        "prompt": "Word",
                        "explanation": "E",
                        "accepted": ["Hand*over (SBAR)"],
                        "wrong_answers": [{"answer": "ISBAR", "feedback": "Close."}],
                    },
                ],
            }
        ]
    )
    pick, word = module_data(module, {})["steps"][0]["questions"]
    assert [o["weight"] for o in pick["options"]] == [50.0, 50.0, -50.0]
    assert pick["options"][0]["feedback"] == [{"p": ["Yes, ", {"i": ["A"]}]}]
    pattern = re.compile(word["accepted"][0])  # the same regular expression in JavaScript
    assert pattern.match("handover (sbar)") and pattern.match("hand-over (sbar)")
    assert not pattern.match("handover sbar")
    assert word["wrong"][0]["pattern"] == "^isbar$"


def test_author_html_stays_text_and_cannot_end_the_data_script() -> None:
    """Markup in a module is data: a </script> in it cannot close the JSON element."""
    module = _module(
        [
            {
                "id": "t",
                "kind": "text",
                "title": "T",
                "body": "a </script><script>alert(1)</script> b",
            }
        ]
    )
    package = build_package(module, {})
    page = zipfile.ZipFile(io.BytesIO(package)).read("index.html").decode("utf-8")
    assert "alert(1)</script>" not in page
    body = _content(zipfile.ZipFile(io.BytesIO(package)))["steps"][0]["body"]
    assert body == [{"p": ["a </script><script>alert(1)</script> b"]}]


def test_lab_step_links_to_the_live_lab_only_with_a_site_address() -> None:
    """With the site's address a lab step links to its scenario; without, no broken link."""
    lab = next(s for s in _content(_zip("indicators"))["steps"] if s["kind"] == "lab")
    assert lab["url"] is None and lab["scenario"]
    linked = _content(_zip("indicators", "https://carelab.example/"))
    first = next(s for s in linked["steps"] if s["kind"] == "lab")
    scenario = next(s.scenario for s in CATALOG.module("indicators").steps if s.kind == "lab")
    assert first["url"] == f"https://carelab.example/lab?scenario={scenario}"


def test_cli_writes_the_package(shipped_content: Path, tmp_path: Path, capsys) -> None:
    """`carelab export-scorm teamwork --out x.zip` writes a zip an LMS can import."""
    out = tmp_path / "teamwork.zip"
    assert cli.main(["export-scorm", "teamwork", "--out", str(out)]) == 0
    assert "imsmanifest.xml" in zipfile.ZipFile(out).namelist()
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--out", "{tmp}/x.zip"], "There is no module 'nope' in the catalogue."),
        (["teamwork", "--out", "{tmp}/missing/x.zip"], "no folder {tmp}/missing"),
        (["teamwork", "--out", "{tmp}"], "is a folder; give a file name"),
    ],
)
def test_cli_says_what_is_wrong(
    shipped_content: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    """An unknown module or an --out that cannot be written: one sentence, no traceback."""
    argv = ["export-scorm", *(a.format(tmp=tmp_path) for a in args)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err
    assert "Traceback" not in err
