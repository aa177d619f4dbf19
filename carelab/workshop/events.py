"""News of facilitator actions, for listeners in the same process (the room's pollers).

The room's pollers read each workshop's `version` every half second, which works across
processes and restarts. When the facilitator acts in this process, as on a normal CareLab
server where the Streamlit pages and the room share one, a listener hears of it at once and
phones follow without waiting for the next poll. Listeners must be quick and thread-safe:
they are called in the facilitator's thread, after the change has been committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
Listener = Callable[[int], None]
_listeners: list[Listener] = []


def on_change(listener: Listener) -> Callable[[], None]:
    """Call `listener(workshop_id)` after every committed facilitator action; returns an undo."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def changed(workshop_id: int) -> None:
    """Tell every listener that a workshop's state has changed (a failing listener is logged)."""
    for listener in list(_listeners):
        try:
            listener(workshop_id)
        except Exception:
            log.exception("a workshop change listener failed")
