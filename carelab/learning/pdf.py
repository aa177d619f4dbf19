"""Moved to carelab.pdf, which every PDF writer shares."""

# Remove when learning/certificate.py, reflective_log.py and workshop/summary.py import carelab.pdf.
from carelab.pdf import *  # noqa: F403
