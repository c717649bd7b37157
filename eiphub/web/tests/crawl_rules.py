"""What the page crawl (test_crawl_raw_values.py) forbids in the visible text of a page, and
the few exceptions.  One module so that a new rule or a new exception is one reviewed line.

Each rule is ``(name, compiled regex, languages it applies to)``.  The text checked is the
visible text only: tags, <script>, <style>, <code> and <pre> are removed first.
"""

import re

from eiphub.core.catalogue import default_catalogue


def _code_pattern() -> re.Pattern:
    # Dotted resource codes as the catalogue spells them (e.g. "waste.slag.steel"); built from
    # the real codes so that decimals ("1.5") and indicator ids ("SOC.4") do not match.
    codes = sorted((r.code for r in default_catalogue() if "." in r.code), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in codes) + r")(?![\w])")


RULES = [
    # a resource code instead of its name
    ("resource code", _code_pattern(), ("vi", "en")),
    # Python reprs leaking through str() of a dict, a queryset or an object
    ("python repr", re.compile(r"\{'|<QuerySet|object at 0x"), ("vi", "en")),
    # a boolean printed as Python spells it
    ("bare boolean", re.compile(r"(?<![\w-])(?:True|False)(?![\w-])"), ("vi", "en")),
    # a float printed raw: scientific notation or five or more decimals
    ("raw float", re.compile(r"\d[eE][+-]\d+\b|\d[.,]\d{5,}\b"), ("vi", "en")),
    # English grouping on a Vietnamese page (Vietnamese groups with '.' and decimals with ',').
    # "1,234" alone is also a Vietnamese decimal, so only the unambiguous forms are flagged:
    # two or more comma groups ("106,610,000") or a comma group then a decimal point ("1,234.5").
    (
        "English number grouping",
        re.compile(r"(?<![\d.,])\d{1,3}(?:(?:,\d{3}){2,}(?:\.\d+)?|,\d{3}\.\d+)(?![\d])"),
        ("vi",),
    ),
    # frequent English leaks on Vietnamese pages (a short explicit list, not a dictionary)
    (
        "English word",
        re.compile(
            r"\b(?:Kind|Quantity|Recurring|Disclosure|blind|optimal|qualifies|computed|draft|submitted)\b"
        ),
        ("vi",),
    ),
]

# Known defects not fixed yet: (url_name, rule name, the matched snippet).  The crawl passes
# with these present and fails on any other finding; remove an entry when its defect is fixed
# (entries that no longer occur are printed by the test, so the list can be pruned).
KNOWN: set[tuple[str, str, str]] = set()
