"""Named teaching scenarios: a population, two indicator definitions to compare, and the lesson.

Module `lab` steps refer to these by id, and the catalog checks that they exist. Each
scenario rests on a source; the populations are SIMULATED, the lessons are the sources'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carelab.indicators.measures import Indicator
from carelab.indicators.population import PopulationSpec


@dataclass(frozen=True)
class Analysis:
    """How the funnel plot is drawn: the limit method and the overdispersion adjustment."""

    method: str = "exact"
    overdispersion: str = "none"


@dataclass(frozen=True)
class Source:
    """A reference a scenario rests on."""

    citation: str
    url: str


@dataclass(frozen=True)
class Scenario:
    """A named setting of every lever, with indicator A and indicator B to compare."""

    id: str
    title: str
    lever: str
    notice: str
    sources: tuple[Source, ...]
    population: PopulationSpec = field(default_factory=PopulationSpec)
    a: Indicator = field(default_factory=Indicator)
    b: Indicator = field(default_factory=Indicator)
    analysis_a: Analysis = field(default_factory=Analysis)
    analysis_b: Analysis = field(default_factory=Analysis)


SPIEGELHALTER_2005 = Source(
    "Spiegelhalter DJ. Funnel plots for comparing institutional performance. "
    "Stat Med 2005;24:1185-1202.",
    "https://doi.org/10.1002/sim.1970",
)
DORAN_2006 = Source(
    "Doran T, et al. Pay-for-performance programs in family practices in the United Kingdom. "
    "N Engl J Med 2006;355:375-84.",
    "https://europepmc.org/article/MED/16870916",
)
DORAN_2008 = Source(
    "Doran T, et al. Exclusion of patients from pay-for-performance targets by English "
    "physicians. N Engl J Med 2008;359:274-84.",
    "https://pubmed.ncbi.nlm.nih.gov/18635432/",
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        id="exception-reporting",
        title="Exception reporting: who is left out of the denominator",
        lever="Exclusions",
        notice=(
            "Practices that except more of the patients who did not get the care report a "
            "higher achievement. Compare the ranking by reported achievement (exceptions "
            "removed from the denominator) with population achievement (everyone counted): "
            "the order changes although the care given is the same. In 2005/06 the median "
            "practice excluded 5.3% of patients (IQR 4.0-6.9%) and Doran found little "
            "evidence of widespread gaming; the point is that the denominator is a choice."
        ),
        sources=(DORAN_2006, DORAN_2008),
        population=PopulationSpec(exception_mean=0.25, exception_spread=1.0),
        a=Indicator(measure="process", exceptions="removed"),
        b=Indicator(measure="process", exceptions="counted"),
    ),
    Scenario(
        id="risk-adjustment",
        title="Risk adjustment: crude mortality against observed/expected",
        lever="Risk adjustment",
        notice=(
            "Hospitals that treat older, sicker patients look worse on crude mortality. "
            "Indirect standardisation compares each hospital's deaths with those expected "
            "for its own patients. Watch which hospitals leave the 'worse' side of the funnel "
            "and how the rank correlation with true quality changes. Iezzoni and colleagues "
            "found that which hospitals were flagged depended on the severity method chosen."
        ),
        sources=(
            SPIEGELHALTER_2005,
            Source(
                "Iezzoni LI, et al. Severity-adjustment methods and which hospitals are "
                "flagged for high mortality (acute myocardial infarction). PubMed 8876505.",
                "https://www.ncbi.nlm.nih.gov/pubmed/8876505",
            ),
        ),
        population=PopulationSpec(case_mix_spread=0.9),
        a=Indicator(measure="mortality", risk_adjustment="none"),
        b=Indicator(measure="mortality", risk_adjustment="full"),
    ),
    Scenario(
        id="process-vs-outcome",
        title="Process against outcome: which sees a difference sooner",
        lever="Process vs outcome",
        notice=(
            "Deaths are rare, so a year of mortality data separates few hospitals; whether "
            "recommended care was given is measured on every patient. When the process is "
            "closely linked to quality, the process measure recovers the true ranking better "
            "over the same three months. Mant and Hicks made this case for myocardial "
            "infarction care."
        ),
        sources=(
            Source(
                "Mant J, Hicks N. Detecting differences in quality of care: the sensitivity "
                "of measures of process and outcome in treating acute myocardial infarction. "
                "BMJ 1995;311:793.",
                "https://pmc.ncbi.nlm.nih.gov/articles/PMC2550793",
            ),
        ),
        population=PopulationSpec(process_link=0.85),
        a=Indicator(measure="mortality", risk_adjustment="full", months=3),
        b=Indicator(measure="process", exceptions="counted", months=3),
    ),
    Scenario(
        id="time-window",
        title="Time window: one quarter against a whole year",
        lever="Time window",
        notice=(
            "A quarter holds a quarter of the events, so chance moves hospitals further. "
            "Compare the league table and funnel for the last 3 months with the last 12: "
            "the limits widen, ranks reshuffle and the truth is recovered less well. In the "
            "real NHS England A&E data, England's four-hour performance swung from 86.4% "
            "(August 2016) to 75.8% (February 2019), so the month chosen matters too."
        ),
        sources=(
            SPIEGELHALTER_2005,
            Source(
                "NHS England. A&E attendances and emergency admissions, April 2016 - March "
                "2019 (ae_attendances, NHS-R Community NHSRdatasets). Open Government Licence "
                "v3.0.",
                "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/",
            ),
        ),
        a=Indicator(measure="mortality", risk_adjustment="full", months=12),
        b=Indicator(measure="mortality", risk_adjustment="full", months=3),
    ),
    Scenario(
        id="in-hospital-vs-30-day",
        title="Outcome window: deaths in hospital against deaths within 30 days",
        lever="Time window",
        notice=(
            "Counting only deaths in hospital rewards hospitals that discharge quickly: "
            "their patients die at home, outside the measure. Drye and colleagues found that "
            "switching between in-hospital and 30-day measures reclassified 8.2%, 10.8% and "
            "14.7% of US hospitals for heart attack, heart failure and pneumonia."
        ),
        sources=(
            Source(
                "Drye EE, et al. Comparison of hospital risk-standardized mortality rates "
                "calculated by using in-hospital and 30-day models. Ann Intern Med 2012.",
                "https://pmc.ncbi.nlm.nih.gov/articles/PMC3319769",
            ),
        ),
        a=Indicator(measure="mortality", risk_adjustment="full", outcome_window="30_day"),
        b=Indicator(measure="mortality", risk_adjustment="full", outcome_window="in_hospital"),
    ),
    Scenario(
        id="small-numbers",
        title="Small numbers: league tables and the uncertainty of ranks",
        lever="Small numbers",
        notice=(
            "With 52 small units, most of the spread in crude rates is chance. Look at the "
            "rank intervals: most units could sit almost anywhere in the table. Marshall and "
            "Spiegelhalter found the ranks of 52 IVF clinics 'extremely unreliable': only one "
            "could confidently be placed in the bottom quarter."
        ),
        sources=(
            Source(
                "Marshall EC, Spiegelhalter DJ. Reliability of league tables of in vitro "
                "fertilisation clinics: retrospective analysis of live birth rates. "
                "BMJ 1998;316:1701.",
                "http://bmj.bmjjournals.com/cgi/content/abstract/316/7146/1701",
            ),
        ),
        population=PopulationSpec(providers=52, patients=8_000, size_spread=0.6),
        a=Indicator(measure="mortality", risk_adjustment="full", months=12),
        b=Indicator(measure="mortality", risk_adjustment="full", months=3),
    ),
    Scenario(
        id="overdispersion",
        title="Overdispersion: when most large hospitals fall outside the funnel",
        lever="Small numbers",
        notice=(
            "Large hospitals have narrow limits, and real differences the model does not "
            "explain put many of them outside. Spiegelhalter's adjustment estimates that "
            "extra variation (phi, and tau for the additive version) and widens the limits, "
            "so that only the truly unusual stand out. In real data for March 2019, 124 of "
            "134 trusts fell outside the 99.8% binomial limits for four-hour breaches."
        ),
        sources=(
            Source(
                "Spiegelhalter DJ. Handling over-dispersion of performance indicators. "
                "Qual Saf Health Care 2005;14:347-51.",
                "https://qualitysafety.bmj.com/content/14/5/347",
            ),
        ),
        population=PopulationSpec(providers=80, patients=200_000, extra_variation=0.3),
        a=Indicator(measure="mortality", risk_adjustment="full"),
        b=Indicator(measure="mortality", risk_adjustment="full"),
        analysis_b=Analysis(overdispersion="additive"),
    ),
    Scenario(
        id="denominator",
        title="Denominator: major A&E departments only, or all attendances",
        lever="Denominator",
        notice=(
            "Counting minor-injury attendances, which are nearly always seen within four "
            "hours, lifts the trusts that run such units. In the real March 2019 data, "
            "England's four-hour performance was 79.5% for major departments but 86.6% for "
            "all types, and one trust moved from 116th to 36th."
        ),
        sources=(
            Source(
                "NHS England. A&E attendances and emergency admissions (ae_attendances, "
                "NHS-R Community NHSRdatasets), March 2019. Open Government Licence v3.0.",
                "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/",
            ),
        ),
        a=Indicator(measure="four_hour", denominator="major_only"),
        b=Indicator(measure="four_hour", denominator="all"),
    ),
    Scenario(
        id="composite-weights",
        title="Composite weights: one set of hospitals, two star ratings",
        lever="Composite weights",
        notice=(
            "A composite adds standardised parts with weights someone chose. Weighting "
            "mortality heavily and weighting the four-hour target heavily rank the same "
            "hospitals differently. Jacobs, Goddard and Smith showed that changing how "
            "star-rating indicators were combined moved hospitals' ratings substantially; "
            "across four US rating systems, only 10% of 844 hospitals rated high by one "
            "were rated high by any other (Austin and colleagues)."
        ),
        sources=(
            Source(
                "Jacobs R, Goddard M, Smith PC. Composite performance measures and hospital "
                "star ratings. Lancet 2004.",
                "http://www.thelancet.com/journals/lancet/article/PIIS0140-6736(04)17213-9/fulltext",
            ),
            Source(
                "Austin JM, et al. National hospital ratings systems share few common scores "
                "and may generate confusion instead of clarity. Health Aff 2015;34:423-30.",
                "https://doi.org/10.1377/hlthaff.2014.0201",
            ),
        ),
        a=Indicator(measure="composite", weights=(3.0, 1.0, 1.0)),
        b=Indicator(measure="composite", weights=(1.0, 1.0, 3.0)),
    ),
    Scenario(
        id="four-hour-gaming",
        title="Gaming a target: departures bunched just before four hours",
        lever="Gaming",
        notice=(
            "Some departments move patients out just before the clock reaches four hours. "
            "Their target figure improves while the care does not. The balancing measure, "
            "the share leaving in the last 20 minutes before four hours, gives them away. "
            "Mason and colleagues saw that share rise from 4.7% to 8.4% in 15 trusts "
            "between 2003 and 2006 (from 7.4% to 17.3% for elderly patients)."
        ),
        sources=(
            Source(
                "Mason S, et al. Time patients spend in the emergency department: England's "
                "4-hour rule. Ann Emerg Med 2012.",
                "https://doi.org/10.1016/j.annemergmed.2011.08.017",
            ),
        ),
        population=PopulationSpec(gaming_share=0.3),
        a=Indicator(measure="four_hour", denominator="major_only"),
        b=Indicator(measure="near_breach", denominator="major_only"),
    ),
)

BY_ID = {scenario.id: scenario for scenario in SCENARIOS}
SCENARIO_IDS = frozenset(BY_ID)
