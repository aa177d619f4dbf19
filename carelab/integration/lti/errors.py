"""LTI's named errors: each carries a sentence a person can act on."""

from __future__ import annotations

from carelab.errors import CareLabError


class LaunchRefused(CareLabError):
    """A login or launch CareLab will not accept; the message says why in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


class RegistrationError(CareLabError):
    """A platform registration with problems; `problems` lists each, field by field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class GradeSendFailed(CareLabError):
    """A score could not be delivered to the platform (the outbox will try again)."""
