"""The commented starter case that `carelab new-case ID` writes."""

from __future__ import annotations

_TEMPLATE = """\
# yaml-language-server: $schema=../schemas/case.schema.json
# A CareLab case study. Check it with:  carelab validate cases/{id}.yaml
# Every figure needs a source: add the reference under `sources` and point to its id.
# The authoring guide (docs/authoring.md) explains every field.

id: {id}
title: {title}
setting: Where and when it happened, e.g. "Jönköping, Sweden, 2005 onwards"
summary: >
  Two or three sentences on what happened and why it matters to clinicians.
tags: [integration]

timeline:
  - date: 2005
    event: What happened first.
    source: example-source

sections:
  - heading: What happened
    body: |
      Write the story in Markdown. Keep claims you cannot source out, or say that
      they are contested and by whom.
    sources: [example-source]

key_figures:
  - label: What the number measures
    value: "42%"
    source: example-source
    note: Say here if the figure is self-reported or disputed.

what_to_notice:
  - The one thing a reader should take away.

discussion_questions:
  - What would it take to do this where you work?

sources:
  - id: example-source
    citation: Author A, Author B. Title of the article. Journal. Year;volume:page.
    url: https://example.org/replace-with-the-real-link
"""


def starter_case(case_id: str) -> str:
    """Return the text of a valid, commented starter case with the given id."""
    title = case_id.replace("-", " ").capitalize()
    return _TEMPLATE.format(id=case_id, title=title)
