"""Named errors of self-paced learning; the player shows each as one sentence."""

from __future__ import annotations

from collections.abc import Sequence

from carelab.errors import CareLabError


class TextTooLong(CareLabError):
    """Typed text longer than its field allows: which field, its limit and its length."""

    def __init__(self, fields: Sequence[tuple[str, int]], limit: int, action: str) -> None:
        self.fields = tuple(fields)
        self.limit = limit
        names = " and ".join(name for name, _ in self.fields)
        lengths = " and ".join(f"{length:,}" for _, length in self.fields)
        if len(self.fields) == 1:
            sentence = f"{names} can be at most {limit:,} characters; it has {lengths}."
            fix = "Shorten it"
        else:
            sentence = f"{names} can each be at most {limit:,} characters; they have {lengths}."
            fix = "Shorten them"
        super().__init__(f"{sentence} {fix} and {action}: your text is still in the box.")
