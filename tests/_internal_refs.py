"""Internal references that must never reach a reader, and a finder for them.

Shared by the report tests (files a user receives) and the bundled-data tests (files shipped
in ``data/``): internal file numbers, issue numbers, section codes and source numbers of a
project-internal reference, which a reader cannot look up. Sources are cited by title instead.
"""

from __future__ import annotations

import re

#: Internal references that must never reach a reader (file numbers, issue numbers, section codes).
INTERNAL = [
    r"\bseeds?\b",
    r"\bseeded\b",
    r"\bissue\s*#?\d",
    r"PF\s*§",
    r"\[S\d",
    r"\[INF\]",
    r"planning_facts",
    r"§\s*\d",
    # the source files' numbers as a token of their own, e.g. "(003, clause 十五)"; not "15,003", nor
    # inside a longer Latin token such as the random hex ids in map.html ("geo_json_a0bf237d004ba6…")
    r"(?<![0-9A-Za-z_.,\-])00[234](?![0-9A-Za-z_.])",
]


def internal_refs(text: str) -> list[str]:
    """Return each internal reference found in *text*, with 40 characters before and 20 after."""
    found = []
    for pattern in INTERNAL:
        found += [
            text[max(m.start() - 40, 0) : m.end() + 20] for m in re.finditer(pattern, text, re.I)
        ]
    return found
