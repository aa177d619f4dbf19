"""Safe YAML loading: positions kept, every bad file refused with path:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from carelab.content.loader import MAX_BYTES, YamlLoadFailed, load_yaml_file, load_yaml_text


def problems(text: str | bytes) -> list[str]:
    with pytest.raises(YamlLoadFailed) as caught:
        load_yaml_text(text if isinstance(text, bytes) else text.encode(), "x.yaml")
    return [str(e) for e in caught.value.errors]


BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *[
            f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ],
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["x.yaml:1:1: file is empty"]),
        ("# only a comment\n", ["x.yaml:1:1: file is empty"]),
        (
            "- a\n- b\n",
            ["x.yaml:1:1: the top level must be a mapping of fields (key: value), not a list"],
        ),
        (
            "just words\n",
            [
                "x.yaml:1:1: the top level must be a mapping of fields (key: value), "
                "not a single value"
            ],
        ),
        (
            "id: a\ntitle: x\nid: b\ntitle: y\n",
            [
                "x.yaml:3:1: duplicate key 'id' (first written at line 1)",
                "x.yaml:4:1: duplicate key 'title' (first written at line 2)",
            ],
        ),
        (
            "id: a\nsteps:\n  - id: s\n    body: [unclosed\n",
            [
                "x.yaml:5:1: YAML syntax error: did not find expected ',' or ']' "
                "(while parsing a flow sequence)"
            ],
        ),
        (
            "id: a\n  title: x\n",
            [
                "x.yaml:2:8: YAML syntax error: mapping values are not allowed in this context; "
                "check the indentation of this line and the one above, "
                "or put text that contains ': ' in quotes"
            ],
        ),
        (
            "a: 1\n---\nb: 2\n",
            [
                "x.yaml:2:1: YAML syntax error: but found another document "
                "(expected a single document in the stream)"
            ],
        ),
        (
            "a: !!python/object/apply:os.system ['echo hi']\n",
            ["x.yaml:1:4: tag !!python/object/apply:os.system is not allowed: write a plain list"],
        ),
        (
            "a: !!python/name:os.system\n",
            [
                "x.yaml:1:4: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:python/name:os.system': CareLab reads plain YAML values only"
            ],
        ),
        (
            "a: &a\n  b: *a\n",
            ["x.yaml:1:4: an alias refers to a value that contains it (recursive alias)"],
        ),
        (BOMB, ["x.yaml:1:1: the aliases in this file expand to more than 100,000 values"]),
        (
            "a: &a x\nb: [" + ", ".join(["*a"] * 201) + "]\n",
            ["x.yaml:1:4: more than 200 aliases (*name) in one file"],
        ),
        (
            "a:\n\tb: 1\n",
            [
                "x.yaml:2:1: YAML syntax error: found character that cannot start any token "
                "(while scanning for the next token); indent with spaces, not tabs; "
                "quote text that starts with @ or `"
            ],
        ),
        ("? [a, b]\n: 1\n", ["x.yaml:1:3: a key must be a plain word, not a list or mapping"]),
    ],
    ids=[
        "empty",
        "comment-only",
        "list-top",
        "scalar-top",
        "duplicate-keys",
        "unclosed-flow",
        "bad-indent",
        "two-documents",
        "python-tag",
        "python-name-tag",
        "recursive-alias",
        "alias-bomb",
        "too-many-aliases",
        "complex-key",
        "tab-indent",
    ],
)
def test_bad_yaml_is_refused_with_every_problem_located(text, expected):
    assert problems(text) == expected


def test_alias_bomb_is_refused_without_expanding():
    # Nine levels of nine-fold aliases would expand to 387 million strings; the size is
    # computed per distinct node, so refusing it takes milliseconds and no memory.
    assert problems(BOMB) == [
        "x.yaml:1:1: the aliases in this file expand to more than 100,000 values"
    ]


def test_expansion_bound_catches_wide_documents_with_few_aliases():
    many = "items:\n" + "".join(f"  - {i}\n" for i in range(20_000))
    text = "a: &a\n" + many.replace("items:\n", "  items:\n").replace("\n  - ", "\n    - ")
    text += "b: [" + ", ".join(["*a"] * 6) + "]\n"
    assert problems(text) == [
        "x.yaml:1:1: the aliases in this file expand to more than 100,000 values"
    ]


def test_non_utf8_bytes_are_refused_with_their_position():
    assert problems(b"id: ok\ntitle: caf\xe9\n") == [
        "x.yaml:2:11: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
    ]


def test_utf8_with_bom_and_accents_loads():
    doc = load_yaml_text("\ufefftitle: Jönköping\n".encode(), "x.yaml")
    assert doc.data == {"title": "Jönköping"}


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(YamlLoadFailed) as caught:
        load_yaml_file(big, "cases/big.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "cases/big.yaml:1:1: file is 1,000,004 bytes; the limit is 1,000,000 bytes"
    ]


def test_positions_of_keys_and_values_are_kept():
    doc = load_yaml_text(b"id: a\nsteps:\n  - id: s1\n    kind: text\n", "x.yaml")
    assert doc.position(("steps", 0, "kind")).line == 4
    assert doc.position(("steps", 0, "kind")).col == 5
    assert doc.position(("steps", 0)).line == 3
    # A path that does not exist points at its nearest written parent.
    assert doc.position(("steps", 0, "missing")).line == 3
    assert doc.position(("nothing",)).line == 1


def test_merge_keys_work_as_in_safe_load():
    doc = load_yaml_text(b"base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n", "x.yaml")
    assert doc.data["other"] == {"x": 1, "y": 2}


def test_yaml_dates_and_numbers_are_plain_values():
    doc = load_yaml_text(b"when: 2005-03-01\nn: 3\nf: 0.5\nflag: true\n", "x.yaml")
    assert str(doc.data["when"]) == "2005-03-01"
    assert (doc.data["n"], doc.data["f"], doc.data["flag"]) == (3, 0.5, True)
