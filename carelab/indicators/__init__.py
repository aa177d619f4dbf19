"""The Indicator Lab: a population with a known truth, indicator definitions, statistics."""
