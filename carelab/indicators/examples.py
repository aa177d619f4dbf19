"""Real public data shipped in data/ for the "Your data" page's one-click example.

data/README.md gives each file's source, licence and attribution in full; this module holds
what the page says about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from carelab.config import REPO_ROOT


@dataclass(frozen=True)
class Example:
    """A shipped dataset: its file, what it holds, where it comes from and its licence."""

    path: Path
    title: str
    source: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    hint: str

    @property
    def name(self) -> str:
        """The file's name, as an upload would have it."""
        return self.path.name

    def read(self) -> bytes:
        """The file's bytes, read as an upload's would be."""
        return self.path.read_bytes()


AE_ATTENDANCES = Example(
    path=REPO_ROOT / "data" / "ae_attendances.csv",
    title=(
        "NHS England A&E attendances and four-hour breaches by provider and department type, "
        "April 2016 to March 2019"
    ),
    source=(
        "NHS England, A&E Attendances and Emergency Admissions (Statistical Work Areas), "
        "as tidied by the NHS-R Community's NHSRdatasets"
    ),
    source_url=(
        "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/"
    ),
    licence="Open Government Licence v3.0",
    licence_url="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    attribution=(
        "Contains public sector information licensed under the Open Government Licence v3.0."
    ),
    hint=(
        "Type 1 (major A&E units) is chosen for the funnel plot; add type 2 and other "
        "(minor injury units, walk-in centres) to see each provider's figure and rank change."
    ),
)
