"""xAPI 1.0.3 statements built from learning events: pure, no database, no network.

One event gives one statement, except a module newly completed, which gives two
(`completed`, then `passed`), as cmi5 and most LRS reports expect both. Verbs are ADL's
(http://adlnet.gov/expapi/verbs/...), except `reflected`: ADL has no verb for reflecting,
so CareLab uses http://id.tincanapi.com/verb/reflected from the xAPI vocabulary registry
(registry.tincanapi.com), the one LRS dashboards and other tools already know, rather than
coining its own IRI that nothing else would recognise.

The actor is an account on the site (`homePage` = CARELAB_PUBLIC_URL) whose `name` is a
random identifier CareLab keeps per learner (store.xapi.actor_name): no e-mail address, no
display name, no database row id ever leaves CareLab in a statement. Reflection texts are not
sent (they are the learner's private notes, and may mention patients); answers to quiz
questions are.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from carelab.learning.events import LearningEvent

VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "launched": ADL_VERBS + "launched",
    "answered": ADL_VERBS + "answered",
    "completed": ADL_VERBS + "completed",
    "passed": ADL_VERBS + "passed",
    "failed": ADL_VERBS + "failed",
    "reflected": "http://id.tincanapi.com/verb/reflected",
}
ACTIVITY_TYPES = {
    "module": "http://adlnet.gov/expapi/activities/module",
    "case": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "reflection": "http://adlnet.gov/expapi/activities/interaction",
}
# CareLab's question kinds as xAPI interaction types (xAPI 1.0.3, Interaction Activities).
INTERACTION_TYPES = {
    "single_choice": "choice",
    "multiple_choice": "choice",
    "true_false": "true-false",
    "numeric": "numeric",
    "short_text": "fill-in",
    "ranking": "sequencing",
}
LANGUAGE = "en"
# A fixed namespace: an attempt's registration is the same UUID every time it is built.
_REGISTRATIONS = uuid.UUID("0b3c5a3e-6f0c-5d59-9a52-6f1f4c2a7e19")


def iso_duration(seconds: float) -> str:
    """Seconds as an ISO 8601 duration, as xAPI wants it: PT1H2M3.5S (at most 0.01 s)."""
    total = max(0, round(seconds * 100)) / 100
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    if secs or text == "PT":
        text += f"{secs:.2f}".rstrip("0").rstrip(".") + "S"
    return text


def iso_timestamp(at: float) -> str:
    """A Unix time as an ISO 8601 timestamp in UTC with milliseconds (…Z)."""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def activity_id(site: str, kind: str, item_id: str, *parts: str) -> str:
    """The IRI of a module or case (and of a question or step in it) under the site's URL."""
    path = "/".join(quote(p, safe="") for p in (kind, item_id, *parts))
    return f"{site.rstrip('/')}/xapi/activities/{path}"


def registration(actor: str, attempt_id: int) -> str:
    """The UUID that groups every statement of one attempt (stable, opaque to the LRS)."""
    return str(uuid.uuid5(_REGISTRATIONS, f"{actor}/{attempt_id}"))


def _activity(id_: str, type_key: str, name: str, **extra: Any) -> dict[str, Any]:
    definition = {"type": ACTIVITY_TYPES[type_key], "name": {LANGUAGE: name}, **extra}
    return {"objectType": "Activity", "id": id_, "definition": definition}


def _module(event: LearningEvent, site: str) -> dict[str, Any]:
    """The module or case itself, named with its title."""
    return _activity(
        activity_id(site, event.activity_kind, event.activity_id),
        event.activity_kind,
        event.activity_title or event.activity_id,
    )


def _parent(event: LearningEvent, site: str) -> dict[str, Any]:
    """The module or case as context: its id and type only, as answers and reflections do
    not carry its title (an LRS keeps the last name it was given for an activity)."""
    return {
        "objectType": "Activity",
        "id": activity_id(site, event.activity_kind, event.activity_id),
        "definition": {"type": ACTIVITY_TYPES[event.activity_kind]},
    }


def interaction_type(question_kind: str | None, response: Any) -> str:
    """The xAPI interactionType of a question: from its kind, else guessed from the answer."""
    if question_kind in INTERACTION_TYPES:
        return INTERACTION_TYPES[question_kind]
    if isinstance(response, bool):
        return "true-false"
    if isinstance(response, float):
        return "numeric"
    if isinstance(response, str):
        return "fill-in"
    if isinstance(response, list):
        return "choice"
    return "other"


def response_text(kind: str, response: Any) -> str:
    """An answer in xAPI's response format for its interaction type (items joined by [,])."""
    if kind == "true-false":
        return "true" if response else "false"
    if kind in {"choice", "sequencing"}:
        items = response if isinstance(response, list) else [response]
        return "[,]".join(str(item) for item in items)
    if kind == "numeric" and isinstance(response, int | float) and not isinstance(response, bool):
        return f"{response:g}"
    if isinstance(response, str):
        return response
    return json.dumps(response)


def _object(event: LearningEvent, site: str, kind: str) -> tuple[dict[str, Any], str | None]:
    """The statement's object and, for an answer, its xAPI response text."""
    if kind == "answered" and event.question_id:
        raw = json.loads(event.response) if event.response else None
        itype = interaction_type(event.question_kind, raw)
        where = (event.activity_kind, event.activity_id, "questions", event.question_id)
        obj = _activity(
            activity_id(site, *where),
            "question",
            event.question_text or event.question_id,
            interactionType=itype,
        )
        return obj, (None if raw is None else response_text(itype, raw))
    if kind == "reflected" and event.step_id:
        obj = _activity(
            activity_id(site, event.activity_kind, event.activity_id, "steps", event.step_id),
            "reflection",
            event.activity_title or event.step_id,  # the reflection step's title
        )
        return obj, None
    return _module(event, site), None


def _score(value: float | None) -> dict[str, float] | None:
    if value is None or not math.isfinite(value):
        return None
    return {"scaled": round(min(1.0, max(-1.0, value)), 4)}


def _result(event: LearningEvent, kind: str, response: str | None) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    if kind == "answered":
        if event.correct is not None:
            result["success"] = event.correct
        if response is not None:
            result["response"] = response
    elif kind in {"completed", "passed"}:
        result["completion"] = True
        if event.passed is not None:  # a case's quiz has no pass mark
            result["success"] = event.passed
    elif kind == "failed":
        result["success"] = False
    if kind in {"answered", "completed", "passed", "failed"}:
        score = _score(event.score_scaled)
        if score:
            result["score"] = score
        if event.duration_seconds is not None:
            result["duration"] = iso_duration(event.duration_seconds)
    return result or None


def build(event: LearningEvent, site: str, actor: str, verb: str, statement_id: str) -> dict:
    """One statement: `actor` (the learner's opaque name) `verb` the event's activity."""
    obj, response = _object(event, site, verb)
    context: dict[str, Any] = {
        "registration": registration(actor, event.attempt_id),
        "platform": "CareLab",
        "language": LANGUAGE,
    }
    if obj["id"] != activity_id(site, event.activity_kind, event.activity_id):
        parent = _parent(event, site)
        context["contextActivities"] = {"parent": [parent]}
    statement: dict[str, Any] = {
        "id": statement_id,
        "actor": {"objectType": "Agent", "account": {"homePage": site, "name": actor}},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": iso_timestamp(event.at),
    }
    result = _result(event, verb, response)
    if result:
        statement["result"] = result
    return statement


def verbs_for(event: LearningEvent) -> tuple[str, ...]:
    """The verbs an event is told with: a completion is both `completed` and `passed`."""
    if event.kind == "completed":
        return ("completed", "passed") if event.passed else ("completed",)
    return (event.kind,)


def statements_for(event: LearningEvent, site: str, actor: str) -> list[dict]:
    """Every statement for one event, each with a new id (kept with it in the outbox)."""
    return [build(event, site, actor, verb, str(uuid.uuid4())) for verb in verbs_for(event)]
