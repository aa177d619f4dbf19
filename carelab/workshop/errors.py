"""Named errors of live workshops; each message is one sentence safe to show on a phone."""

from __future__ import annotations

# InvalidAnswer is carelab.answers' one error for an answer of the wrong form, shared with
# the module player; the room's callers import it from here too.
from carelab.answers import InvalidAnswer as InvalidAnswer
from carelab.errors import CareLabError


class WorkshopError(CareLabError):
    """Base class for every workshop problem a facilitator or participant is told about."""


class UnknownCode(WorkshopError):
    """No workshop uses this join code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"There is no workshop with the code {code}. Check the code on the screen "
            "and try again."
        )


class InvalidCode(UnknownCode):
    """Text that cannot be a join code at all (wrong length or characters)."""

    def __init__(self) -> None:
        self.code = ""
        CareLabError.__init__(
            self, "That is not a workshop code: codes have 6 letters and digits, like K7M3QX."
        )


class WorkshopEnded(WorkshopError):
    """The workshop has ended and accepts no one and no answers."""

    def __init__(self) -> None:
        super().__init__("This workshop has ended, so it takes no more answers. Thank you!")


class JoinThrottled(WorkshopError):
    """Too many wrong codes from one network address in a short time (a right code still joins)."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, -(-retry_after_seconds // 60))
        unit = "minute" if minutes == 1 else "minutes"
        # Many phones may share the address (a hospital network), so blame none of them.
        super().__init__(
            "Too many wrong codes have come from your network. Type the code exactly as "
            f"it is on the screen (it still works), or wait {minutes} {unit} to try others."
        )


class WorkshopFull(WorkshopError):
    """The workshop has as many participants as the server allows."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"This workshop is full: it has room for {limit:,} phones. Tell the facilitator."
        )


class InvalidNickname(WorkshopError):
    """A nickname that is too long once cleaned."""


class UnknownParticipant(WorkshopError):
    """A participant token that does not belong to this workshop."""

    def __init__(self) -> None:
        super().__init__("This device is not in the workshop yet. Join again with the code.")


class NotCurrentStep(WorkshopError):
    """An answer to a step that is not on screen; carries the step that is."""

    def __init__(self, current_step: int) -> None:
        self.current_step = current_step
        super().__init__(
            f"That question is no longer on screen: the workshop is on step {current_step + 1} now."
        )


class AnsweringClosed(WorkshopError):
    """Answering is locked for the current step, or its timer has run out."""


class WorkshopStateError(WorkshopError):
    """A facilitator action that does not apply to the workshop as it is now."""
