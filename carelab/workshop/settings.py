"""A workshop's settings: what a facilitator turns on for a room, at creation or while it runs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from carelab.workshop.errors import WorkshopError

# What a facilitator chooses for a workshop, at creation (create_workshop's `settings`) or
# while it runs (change_settings): questions from the floor and their moderation, quiz
# scoring, self-paced steps and a scheduled start. All are off (or unset) by default.
SETTINGS: dict[str, str] = {
    "floor_questions": "flag",
    "floor_moderated": "flag",
    "scored": "flag",
    "speed_bonus": "flag",
    "self_paced": "flag",
    "scheduled_for": "time",
}
SETTING_NAMES = {
    "floor_questions": "questions from the floor",
    "floor_moderated": "moderation of questions",
    "scored": "quiz scoring",
    "speed_bonus": "points for speed",
    "self_paced": "self-paced steps",
    "scheduled_for": "the scheduled start",
}


def clean_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as stored (flags 0/1, a time as a float or None), or WorkshopError naming one."""
    cleaned: dict[str, Any] = {}
    for key, value in settings.items():
        kind = SETTINGS.get(key)
        if kind is None:
            raise WorkshopError(f"'{key}' is not a workshop setting.")
        if kind == "flag":
            if not isinstance(value, bool):
                raise WorkshopError(f"Turn {SETTING_NAMES[key]} on or off (true or false).")
            cleaned[key] = int(value)
        elif value is None:
            cleaned[key] = None
        elif type(value) not in (int, float) or not math.isfinite(value) or value < 0:
            raise WorkshopError(f"Give {SETTING_NAMES[key]} as a date and time.")
        else:
            cleaned[key] = float(value)
    return cleaned
