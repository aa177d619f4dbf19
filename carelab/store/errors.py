"""The store's named errors, defined with the others in carelab.errors so pages can catch them."""

from __future__ import annotations

from carelab.errors import CANNOT_SAVE, DatabaseBusy, DatabaseUnavailable

__all__ = ["CANNOT_SAVE", "DatabaseBusy", "DatabaseUnavailable"]
