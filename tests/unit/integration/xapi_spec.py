"""The xAPI 1.0.3 rules a statement must keep (xAPI-Data.md, section 2.4), as a checker.

`problems(statement)` lists every rule broken, so a test can assert `== []` and show them all.
Only the parts CareLab sends are checked: an Agent actor, a Verb, an Activity object,
result, context and timestamp.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
}  # fmt: skip
# ISO 8601 durations as xAPI uses them (e.g. PT1H2M3.45S).
DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def is_iri(value: Any) -> bool:
    """An absolute IRI with a scheme and (for http/https) a host."""
    if not isinstance(value, str) or " " in value:
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and (parts.scheme not in {"http", "https"} or bool(parts.netloc))


def is_uuid(value: Any) -> bool:
    """A UUID in its canonical form."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, TypeError, AttributeError):
        return False


def _language_map(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{where}: a language map with at least one entry"]
    return [f"{where}: '{k}' is not a language tag" for k in value if not LANGUAGE_TAG.match(k)]


def _agent(actor: Any) -> list[str]:
    if not isinstance(actor, dict):
        return ["actor: missing"]
    found = [k for k in IFIS if k in actor]
    out = [] if len(found) == 1 else [f"actor: exactly one identifier, found {found}"]
    account = actor.get("account")
    if account is not None and not (is_iri(account.get("homePage")) and account.get("name")):
        out.append("actor.account: homePage (an IRL) and name are required")
    if actor.get("objectType", "Agent") != "Agent":
        out.append("actor.objectType: Agent")
    return out


def _activity(obj: Any, where: str) -> list[str]:
    if not isinstance(obj, dict) or not is_iri(obj.get("id")):
        return [f"{where}.id: an IRI is required"]
    out = [] if obj.get("objectType", "Activity") == "Activity" else [f"{where}: not Activity"]
    definition = obj.get("definition", {})
    if "name" in definition:
        out += _language_map(definition["name"], f"{where}.definition.name")
    if "type" in definition and not is_iri(definition["type"]):
        out.append(f"{where}.definition.type: an IRI is required")
    itype = definition.get("interactionType")
    if itype is not None and itype not in INTERACTION_TYPES:
        out.append(f"{where}.definition.interactionType: '{itype}' is not one of xAPI's")
    return out


def _result(result: dict[str, Any]) -> list[str]:
    out = []
    scaled = result.get("score", {}).get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        out.append(f"result.score.scaled: {scaled} is outside -1..1")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            out.append(f"result.{key}: true or false")
    if "response" in result and not isinstance(result["response"], str):
        out.append("result.response: a string")
    if "duration" in result and not DURATION.match(result["duration"]):
        out.append(f"result.duration: '{result['duration']}' is not ISO 8601")
    return out


def _context(context: dict[str, Any]) -> list[str]:
    out = []
    if "registration" in context and not is_uuid(context["registration"]):
        out.append("context.registration: a UUID")
    for kind, activities in context.get("contextActivities", {}).items():
        if kind not in {"parent", "grouping", "category", "other"}:
            out.append(f"context.contextActivities: unknown key {kind}")
        for i, activity in enumerate(activities if isinstance(activities, list) else []):
            out += _activity(activity, f"context.contextActivities.{kind}[{i}]")
    if "language" in context and not LANGUAGE_TAG.match(context["language"]):
        out.append("context.language: a language tag")
    return out


def problems(statement: dict[str, Any]) -> list[str]:
    """Every xAPI 1.0.3 rule the statement breaks (empty: a valid statement)."""
    out = [] if is_uuid(statement.get("id")) else ["id: a UUID"]
    out += _agent(statement.get("actor"))
    verb = statement.get("verb") or {}
    if not is_iri(verb.get("id")):
        out.append("verb.id: an IRI is required")
    if "display" in verb:
        out += _language_map(verb["display"], "verb.display")
    out += _activity(statement.get("object"), "object")
    out += _result(statement.get("result", {}))
    out += _context(statement.get("context", {}))
    if not TIMESTAMP.match(statement.get("timestamp", "")):
        out.append("timestamp: ISO 8601 with a time zone")
    allowed = {"id", "actor", "verb", "object", "result", "context", "timestamp",
               "stored", "authority", "version", "attachments"}  # fmt: skip
    out += [f"{key}: not a statement property" for key in statement if key not in allowed]
    return out
