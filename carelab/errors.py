"""Small named exceptions raised by the core; the UI and CLI turn each into one sentence."""

from __future__ import annotations


class CareLabError(Exception):
    """Base class for every error CareLab shows to a user as a sentence."""


class ContentError(CareLabError):
    """A problem in a content file, with the place it was found."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        super().__init__(f"{path}:{line}:{col}: {message}")


class NotFound(CareLabError):
    """A module, case or account that does not exist."""


class AuthError(CareLabError):
    """Sign-in or sign-up was refused; the message is safe to show."""


class Throttled(AuthError):
    """Too many attempts (sign-ins with one email, or from one address); try again later."""

    def __init__(
        self, retry_after_seconds: int, reason: str = "Too many failed sign-ins with this email"
    ) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, -(-retry_after_seconds // 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"{reason}. Try again in {minutes} {unit}.")


class PermissionDenied(CareLabError):
    """The signed-in user's role does not allow this action."""


CANNOT_SAVE = "CareLab cannot save right now; your last answer was not saved."


class DatabaseUnavailable(CareLabError):
    """The database file is missing, replaced, read-only, full or failing: nothing was saved."""

    def __init__(self, message: str = CANNOT_SAVE) -> None:
        super().__init__(message)


class DatabaseBusy(CareLabError):
    """Other writers held the database for longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__("The server is busy. Try again in a moment.")
