"""CareLab inside the systems hospitals and schools already run: LTI 1.3, xAPI, SCORM 1.2.

`install()` imports the modules that listen to learning events (each registers itself with
carelab.learning.events.on_learning_event when imported); `start_background(stop)` starts
the senders that deliver what those listeners queued, each a daemon thread that ends when
`stop` is set. server.py calls both in its lifespan; tests call them as they need.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

# Modules whose import registers a learning-event listener (it queues, never sends).
LISTENER_MODULES: tuple[str, ...] = (
    "carelab.integration.lti.grades",
    "carelab.integration.xapi.outbox",
)

# "module:function" names of functions that start a background sender: each is called with
# the stop event and returns its started thread (or None when it has nothing to send to).
SENDER_FACTORIES: tuple[str, ...] = (
    "carelab.integration.lti.grades:start_sender",
    "carelab.integration.xapi.sender:start",
)


def _load(name: str) -> Callable[[threading.Event], threading.Thread | None]:
    module_name, _, function = name.partition(":")
    return getattr(importlib.import_module(module_name), function)


def install() -> None:
    """Register every integration's learning-event listener (importing twice is once)."""
    for name in LISTENER_MODULES:
        importlib.import_module(name)


def start_background(stop: threading.Event) -> list[threading.Thread]:
    """Start each integration's background sender; return the threads that started."""
    started = []
    for name in SENDER_FACTORIES:
        thread = _load(name)(stop)
        if thread is not None:
            started.append(thread)
    return started
