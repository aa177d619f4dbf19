"""The Indicator Lab's named errors: each carries sentences a user can act on."""

from __future__ import annotations

from collections.abc import Sequence

from carelab.errors import CareLabError

MAX_PROBLEMS = 20


class UploadError(CareLabError):
    """An uploaded file cannot be used; `problems` lists why, one sentence each."""

    def __init__(self, problems: Sequence[str], limit: int = MAX_PROBLEMS) -> None:
        self.total = len(problems)
        shown = list(problems[:limit])
        if self.total > limit:
            shown.append(f"and {self.total - limit} more")
        self.problems = shown
        self._all = list(problems)
        self._limit = limit
        super().__init__("\n".join(shown))

    def __reduce__(self) -> tuple[type[UploadError], tuple[list[str], int]]:
        # Rebuilt from its problems when it comes back from a worker process, not from the
        # joined message (which pickle would pass by default and split into characters).
        return (type(self), (self._all, self._limit))


class TooSlow(UploadError):
    """Reading a file took longer than the time allowed, so the worker was stopped."""


class TooBusy(UploadError):
    """Every upload worker is busy and none came free in time."""
