"""A module (and the cases its case steps name) as the data the SCORM player shows and marks.

Everything the player needs is here, built from the YAML through the catalog: Markdown as
node trees (carelab.integration.scorm.markup), questions with their right answers and
feedback (the player marks offline, as the app does, so the answers travel in the
package), and each question's SCORM interaction id. The score follows the app's rule
(carelab.learning.progress): the first answer to each question of the module's quizzes and
of its case steps' quizzes counts, and the module is passed at its pass mark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from carelab.content import schema
from carelab.integration.scorm.markup import blocks, inline
from carelab.learning.progress import REFLECTION_FIELDS, case_answer_id

# The app's hints for each part of a reflection (carelab.ui.components.steps).
REFLECTION_HINTS = {
    "what": "What happened, or what did you learn?",
    "so_what": "Why does it matter for you, your patients or your team?",
    "now_what": "What will you do differently, and how will you know?",
}
GROUP_NOTE = "In a workshop the group answers this together. On your own, think it through."
LAB_PATH = "lab"  # the Indicator Lab page's address under the site (carelab.ui.navigation)


def interaction_id(answer_key: str) -> str:
    """A SCORM 1.2 interaction id for an answer key: letters, digits, '-' and '_' only."""
    # Slugs hold single hyphens and no underscores, so '_' keeps step and question apart.
    return answer_key.replace(".", "_")


def glob_regex(pattern: str) -> str:
    """A JavaScript regular expression (anchored) matching a short answer's `*` pattern."""
    parts = [".*" if piece == "*" else re.escape(piece) for piece in re.split(r"(\*)", pattern)]
    # Python's re.escape output is also valid in JavaScript for these characters,
    # except that it escapes spaces and a few others JavaScript's `u` flag rejects.
    source = "".join(parts).replace("\\ ", " ").replace("\\-", "-").replace("\\#", "#")
    return "^" + source.replace("\\&", "&").replace("\\~", "~") + "$"


def _normal(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def _weights(question: schema.SingleChoice | schema.MultipleChoice) -> list[float]:
    right = [o.correct for o in question.options]
    share = 100.0 / max(1, sum(right))
    return [
        o.weight if o.weight is not None else (share if ok else -share)
        for o, ok in zip(question.options, right, strict=True)
    ]


def question_data(
    question: Any, key: str, citations: Mapping[str, Mapping[str, str | None]]
) -> dict[str, Any]:
    """One question as the player shows and marks it."""
    data: dict[str, Any] = {
        "key": key,
        "iid": interaction_id(key),
        "kind": question.kind,
        "prompt": blocks(question.prompt),
        "explanation": blocks(question.explanation),
        "source": citations.get(question.source) if question.source else None,
    }
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        data["shuffle"] = question.shuffle
        data["options"] = [
            {
                "text": inline(o.text),
                "correct": o.correct,
                "weight": weight,
                "feedback": blocks(o.feedback),
            }
            for o, weight in zip(question.options, _weights(question), strict=True)
        ]
    elif isinstance(question, schema.TrueFalse):
        data["answer"] = question.answer
        data["feedbackTrue"] = blocks(question.feedback_true)
        data["feedbackFalse"] = blocks(question.feedback_false)
    elif isinstance(question, schema.Numeric):
        data |= {"answer": question.answer, "tolerance": question.tolerance}
        data["unit"] = question.unit
        data["wrong"] = [
            {"answer": w.answer, "tolerance": w.tolerance, "feedback": blocks(w.feedback)}
            for w in question.wrong_answers
        ]
    elif isinstance(question, schema.ShortAnswer):
        sensitive = question.case_sensitive
        data["caseSensitive"] = sensitive
        data["accepted"] = [glob_regex(_normal(a, sensitive)) for a in question.accepted]
        data["shown"] = question.accepted[0]
        data["wrong"] = [
            {"pattern": glob_regex(_normal(w.answer, sensitive)), "feedback": blocks(w.feedback)}
            for w in question.wrong_answers
        ]
    elif isinstance(question, schema.Ranking):
        data["items"] = list(question.items)
    return data


def _case_data(case: schema.Case) -> dict[str, Any]:
    labels = {source.id: f"[{n}]" for n, source in enumerate(case.sources, 1)}

    def cite(*refs: str | None) -> str:
        found = [labels[r] for r in refs if r and r in labels]
        return ("Source: " if len(found) == 1 else "Sources: ") + " ".join(found) if found else ""

    return {
        "title": case.title,
        "setting": case.setting,
        "summary": blocks(case.summary),
        "timeline": [
            {"date": e.date, "event": inline(e.event), "cite": cite(e.source)}
            for e in case.timeline
        ],
        "sections": [
            {"heading": s.heading, "body": blocks(s.body), "cite": cite(*s.sources)}
            for s in case.sections
        ],
        "figures": [
            {
                "value": f.value,
                "label": f.label,
                "note": f.note,
                "cite": cite(f.source) or "No source given",
            }
            for f in case.key_figures
        ],
        "notice": [inline(item) for item in case.what_to_notice],
        "discussion": [inline(item) for item in case.discussion_questions],
        "references": [
            {"label": labels[s.id], "citation": s.citation, "url": s.url, "note": s.note}
            for s in case.sources
        ],
    }


def _citations(sources: list[schema.Source]) -> dict[str, dict[str, str | None]]:
    return {s.id: {"citation": s.citation, "url": s.url} for s in sources}


def step_data(
    step: Any, module: schema.Module, cases: Mapping[str, schema.Case], site_url: str | None
) -> dict[str, Any]:
    """One step as the player shows it."""
    cited = _citations(module.sources)
    data: dict[str, Any] = {"id": step.id, "kind": step.kind, "title": step.title}
    data["required"] = step.required
    if isinstance(step, schema.TextStep):
        data["body"] = blocks(step.body)
        data["sources"] = [cited.get(ref, {"citation": ref, "url": None}) for ref in step.sources]
    elif isinstance(step, schema.QuizStep):
        data["intro"] = blocks(step.intro)
        data["questions"] = [question_data(q, q.id, cited) for q in step.questions]
    elif isinstance(step, schema.ReflectionStep):
        data["prompt"] = blocks(step.prompt)
        data["guidance"] = blocks(step.guidance)
        data["fields"] = [
            {"name": name, "label": label, "hint": REFLECTION_HINTS[name]}
            for name, label in REFLECTION_FIELDS.items()
        ]
    elif isinstance(step, schema.CaseStep):
        case = cases[step.case]
        data["focus"] = blocks(step.focus)
        data["case"] = _case_data(case)
        case_cited = _citations(case.sources)
        data["questions"] = [
            question_data(q, case_answer_id(step.id, q.id), case_cited) for q in case.quiz
        ]
    elif isinstance(step, schema.LabStep):
        data |= _lab_data(step, site_url)
    else:  # a poll or a discussion: for workshops; on one's own, something to think about
        data["kind"] = "group"
        data["prompt"] = blocks(step.prompt)
        options = getattr(step, "options", None) or []
        data["options"] = [inline(option) for option in options]
        data["note"] = GROUP_NOTE
    return data


def _lab_data(step: schema.LabStep, site_url: str | None) -> dict[str, Any]:
    from carelab.indicators.scenarios import BY_ID

    scenario = BY_ID[step.scenario]
    url = None
    if site_url:
        url = f"{site_url.rstrip('/')}/{LAB_PATH}?scenario={scenario.id}"
    return {
        "scenario": scenario.title,
        "prompt": blocks(step.prompt),
        "notice": blocks(scenario.notice),
        "url": url,
    }


def module_data(
    module: schema.Module, cases: Mapping[str, schema.Case], site_url: str | None = None
) -> dict[str, Any]:
    """The whole module as the player's data: steps, questions, pass mark."""
    return {
        "id": module.id,
        "title": module.title,
        "version": module.version,
        "passMark": module.pass_mark,
        "minutes": module.estimated_minutes,
        "summary": blocks(module.summary),
        "objectives": [str(o) for o in module.learning_objectives],
        "steps": [step_data(s, module, cases, site_url) for s in module.steps],
        "references": [
            {"citation": s.citation, "url": s.url, "note": s.note} for s in module.sources
        ],
    }
