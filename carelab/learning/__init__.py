"""Self-paced learning: grading, progress and completion, certificates and the reflective log."""
