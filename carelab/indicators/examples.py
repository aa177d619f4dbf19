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
    groups: tuple[str, ...] = ()  # the groups chosen when it opens; () keeps them all

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
    groups=("1",),
)

# A published case, not open data: the figures are quoted with their source for teaching.
# data/README.md says where each number comes from and how it was checked.
CHD_SURGERY = Example(
    path=REPO_ROOT / "data" / "chd_surgery_2011_2014.csv",
    title=(
        "Children's heart surgery in the UK and Ireland: operations, deaths within 30 days and "
        "each hospital's predicted range of survival, April 2011 to March 2014 (14 hospitals)"
    ),
    source=(
        "National Congenital Heart Disease Audit (NICOR), 2011–2014 report, as presented on "
        "childrensheartsurgery.info by the University of Cambridge Winton Centre and UCL"
    ),
    source_url="https://childrensheartsurgery.info/data/animation",
    licence="no open licence: published figures quoted, with their source, for teaching",
    licence_url="",
    attribution="",
    hint=(
        "Every number in this file is published; none is simulated. The funnel limits are "
        "CareLab's own, drawn from the crude death rates."
    ),
)
EXAMPLES = {example.name: example for example in (AE_ATTENDANCES, CHD_SURGERY)}
