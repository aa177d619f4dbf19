"""CareLab: evidence-based clinician training (modules, cases, workshops, Indicator Lab)."""

__version__ = "0.4.0"
