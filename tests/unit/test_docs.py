"""The docs keep up with the code: every schema field, CLI command and setting is documented."""

from __future__ import annotations

import re

from pydantic import BaseModel

from carelab import config
from carelab.cli import build_parser
from carelab.content import schema
from tests.conftest import REPO


def read(rel: str) -> str:
    return (REPO / rel).read_text(encoding="utf-8")


def test_every_schema_field_is_in_the_authoring_guide():
    guide = read("docs/authoring.md")
    models = [
        m for m in vars(schema).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == schema.__name__
    ]  # fmt: skip
    missing = {
        f"{model.__name__}.{field}"
        for model in models
        for field in model.model_fields
        if f"`{field}`" not in guide
    }
    assert missing == set()


def test_every_step_and_question_kind_is_in_the_authoring_guide():
    guide = read("docs/authoring.md")
    kinds = re.findall(r'kind: Literal\["([a-z_]+)"\]', read("carelab/content/schema.py"))
    assert len(kinds) == 13
    assert [k for k in kinds if f"`{k}`" not in guide] == []


def test_every_cli_command_is_in_the_readme():
    readme = read("README.md")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        names = [f"{name} {n}" for n in nested[0].choices] if nested else [name]
        for full in names:
            assert f"carelab {full}" in readme, f"`carelab {full}` is not in the README"


def test_every_setting_is_documented():
    docs = read("docs/configuration.md")
    assert [s.env for s in config.SETTINGS if f"`{s.env}`" not in docs] == []


def test_quickstart_shows_the_two_commands_first_and_ci_runs_the_test_command():
    readme = read("README.md")
    first_block = readme.split("```")[1]
    assert re.findall(r"^make \w+", first_block.strip("sh\n"), re.MULTILINE) == [
        "make run",
        "make test",
    ]
    assert re.search(r"^make test$", read(".ci/run"), re.MULTILINE)


def test_readme_images_exist():
    for image in re.findall(r"\]\((docs/images/[^)]+)\)", read("README.md")):
        assert (REPO / image).is_file(), image


STALE = re.compile(
    r"not (?:yet )?landed|has not landed|until .{0,40} lands|coming soon|not yet implemented"
    r"|\bTODO\b|\bTBD\b",
    re.IGNORECASE,
)


def test_no_doc_promises_what_is_already_there_or_never_will_be():
    # 0.4's authoring guide still said "the Lab has not landed yet" a release after it had.
    pages = ["README.md", "CHANGELOG.md", "data/README.md", *sorted(
        str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")
    )]  # fmt: skip
    stale = [
        f"{page}:{number}: {line.strip()}"
        for page in pages
        for number, line in enumerate(read(page).splitlines(), 1)
        if STALE.search(line)
    ]
    assert stale == []
