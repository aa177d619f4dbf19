"""What a learner just did, told to whoever listens: the LMS's gradebook, a learning record store.

The learning services emit an event after the learner's write has committed: `launched`
(an attempt started), `answered`, `reflected`, `completed` (a module's certificate newly
issued, or a case's quiz finished), and `failed` (a module refused because the score is
below its pass mark). Listeners (carelab.integration) only put a row in their own outbox
and return; sending to another system happens in the background. A listener that fails is
logged and never undoes, blocks or loses the learner's saved answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("launched", "answered", "reflected", "completed", "failed")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearningEvent:
    """One thing a learner did in a module or a case's quiz, with its result where it has one."""

    kind: str  # one of KINDS
    user_id: int
    activity_kind: str  # "module" or "case"
    activity_id: str  # the module's or case's id
    activity_title: str  # the title where the service has it (answers carry the id)
    attempt_id: int
    at: float  # time.time() when it happened
    step_id: str | None = None
    question_id: str | None = None
    question_text: str | None = None
    question_kind: str | None = None  # the question's kind, e.g. single_choice
    response: str | None = None  # the response as stored (carelab.learning.grading.encode)
    correct: bool | None = None
    score_scaled: float | None = None  # 0..1: the answer's mark, or the module's score
    passed: bool | None = None
    duration_seconds: float | None = None  # completed: active time on task

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown learning event {self.kind!r}: expected one of {KINDS}")


Listener = Callable[[LearningEvent], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def on_learning_event(listener: Listener) -> None:
    """Call `listener` with every learning event from now on (registering twice is once)."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop calling `listener` (tests use this to leave the process as they found it)."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def emit(event: LearningEvent) -> None:
    """Tell every listener; one that raises is logged, and the others still hear."""
    with _lock:
        listeners = tuple(_listeners)
    for listener in listeners:
        try:
            listener(event)
        except Exception:  # a record elsewhere must never cost the learner their answer
            _log.exception("a learning-event listener failed on %s", event.kind)
