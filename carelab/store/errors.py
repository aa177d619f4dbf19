"""The store's named errors: the database could not be used, in a sentence a user can act on."""

from __future__ import annotations

from carelab.errors import CareLabError

CANNOT_SAVE = "CareLab cannot save right now; your last answer was not saved."


class DatabaseUnavailable(CareLabError):
    """The database file is missing, replaced, read-only, full or failing: nothing was saved."""

    def __init__(self, message: str = CANNOT_SAVE) -> None:
        super().__init__(message)


class DatabaseBusy(CareLabError):
    """Other writers held the database for longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__("The server is busy. Try again in a moment.")
