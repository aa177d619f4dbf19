"""Moodle GIFT question banks: reader.py imports them, writer.py writes them.

The reader knows nothing of the writer; the writer uses the reader's GiftImport. Import
the public names from here.
"""

from __future__ import annotations

from carelab.content.gift.reader import (
    FALLBACK_EXPLANATION,
    GiftImport,
    GiftProblem,
    parse_gift,
    read_gift,
    slug,
)
from carelab.content.gift.writer import (
    GIFT_CANNOT_CARRY,
    import_yaml,
    left_out,
    lost_fields,
    to_gift,
)

# What export-gift writes: a module's quiz questions, as the content report counts them.
from carelab.content.report import module_questions

__all__ = [
    "FALLBACK_EXPLANATION",
    "GIFT_CANNOT_CARRY",
    "GiftImport",
    "GiftProblem",
    "import_yaml",
    "left_out",
    "lost_fields",
    "module_questions",
    "parse_gift",
    "read_gift",
    "slug",
    "to_gift",
]
