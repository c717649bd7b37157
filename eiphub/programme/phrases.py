"""Wording of the readiness result (codes from eiphub/core/readiness.py) in the active
language, and the blind presentation of quantities and money (bands, one significant figure)."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from eiphub.web.templatetags.eip import num, pct, status_label, vnd_compact

COMPONENTS = {
    "criteria": gettext_lazy("Art. 37 criteria"),
    "completeness": gettext_lazy("Data completeness"),
    "symbiosis": gettext_lazy("Symbiosis potential"),
    "recp": gettext_lazy("RECP uptake"),
    "finance": gettext_lazy("Finance pipeline"),
    "score": gettext_lazy("Readiness score"),
}
STAGES = {
    "planned": gettext_lazy("Planned"),
    "new": gettext_lazy("New park (under 8 years)"),
    "filling": gettext_lazy("Filling up (occupancy under 60%)"),
    "mature": gettext_lazy("Mature park"),
}
PILLARS = {
    "food": gettext_lazy("Food and beverages"),
    "textiles": gettext_lazy("Textiles, garments and leather"),
    "wood_paper": gettext_lazy("Wood, paper and furniture"),
    "chemicals": gettext_lazy("Chemicals and plastics"),
    "materials": gettext_lazy("Building materials, glass and ceramics"),
    "metals": gettext_lazy("Metals and metal products"),
    "electronics": gettext_lazy("Electronics, machinery and vehicles"),
    "utilities_waste": gettext_lazy("Utilities and waste"),
    "logistics": gettext_lazy("Logistics"),
    "mixed": gettext_lazy("Mixed industries"),
}


def component(code: str) -> str:
    return str(COMPONENTS.get(code, code))


def stage(code: str) -> str:
    return str(STAGES.get(code, code))


def pillar(code: str) -> str:
    if code == "*":
        return _("all industries")
    return str(PILLARS.get(code, code))


def region(name: str) -> str:
    if name == "*":
        return _("all regions")
    return name or _("region not recorded")


def group_label(key: str) -> str:
    st, rg, pl = (key.split("|") + ["", "", ""])[:3]
    return f"{stage(st)} · {region(rg)} · {pillar(pl)}"


def approx(value) -> float | None:
    """One significant figure: 1,234,567 -> 1,000,000 (shown for estimates and for sums
    that could give one firm's exact quantity away)."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    exp = math.floor(math.log10(abs(value)))
    return round(value, -exp)


def money(value) -> str:
    v = approx(value)
    if not v:  # missing, or no price data behind it
        return "—"
    return "≈ " + vnd_compact(v, 0)


def _value(v, unit):
    """A criterion value as the scorecards show it: yes/no, counts as plain numbers,
    percentages with the sign; never the pack's unit codes."""
    if isinstance(v, bool) or unit == "yes/no":
        return _("yes") if v else _("no")
    if v is None:
        return "—"
    if unit == "%":
        return pct(float(v) / 100, 1)
    if unit in ("count", ""):
        return num(v, 0)
    return f"{num(v, 1)} {unit}"


def reason(r: dict) -> str:
    """One reason of a park's score in the active language."""
    code, p = r["code"], r.get("params") or {}
    if code == "criteria_met":
        return _("Meets %(met)s of the %(of)s mandatory Art. 37 criteria.") % p
    if code == "criteria_no_data":
        return _("No Art. 37 scorecard for the reference year.")
    if code == "criterion_open":
        crit, st = p.get("criterion"), p.get("status")
        if st in ("insufficient_data",):
            return _("Art. %(c)s: data missing.") % {"c": crit}
        if st == "declared_without_evidence":
            return _("Art. %(c)s: declared without evidence.") % {"c": crit}
        if isinstance(p.get("value"), (int, float)) and not isinstance(p.get("value"), bool):
            return _("Art. %(c)s: %(v)s, threshold %(t)s.") % {
                "c": crit,
                "v": _value(p.get("value"), p.get("unit", "")),
                "t": _value(p.get("threshold"), p.get("unit", "")),
            }
        return _("Art. %(c)s: %(s)s.") % {"c": crit, "s": status_label(st)}
    if code == "completeness_no_data":
        return _("No monthly flow data for the reference year.")
    if code == "symbiosis_potential":
        text = _(
            "%(o)s unmatched offers and %(w)s unmatched wants, worth %(v)s a year at their best typical use."
        ) % {"o": p.get("offers", 0), "w": p.get("wants", 0), "v": money(p.get("potential_vnd"))}
        if p.get("scenario_vnd"):
            text += " " + _("Best network scenario: %(v)s a year.") % {
                "v": money(p.get("scenario_vnd"))
            }
        return text
    if code == "recp_share":
        if p.get("needed"):
            return _("%(s)s of enterprises apply RECP (Art. 37.2.c: %(t)s); %(n)s more needed.") % {
                "s": pct(p.get("share")),
                "t": pct(p.get("target"), 0),
                "n": p["needed"],
            }
        return _("%(s)s of enterprises apply RECP (Art. 37.2.c: %(t)s).") % {
            "s": pct(p.get("share")),
            "t": pct(p.get("target"), 0),
        }
    if code == "recp_no_enterprises":
        return _("No enterprises registered in the park.")
    if code == "finance_no_data":
        return _("No finance pipeline data yet.")
    if code == "finance_pipeline":
        if not p.get("total"):
            return _("No project in the finance pipeline yet.")
        n = int(p.get("advanced") or 0)
        return ngettext(
            "%(a)s project at financing stage or later (of %(n)s open), claimed benefits %(v)s a year.",
            "%(a)s projects at financing stage or later (of %(n)s open), claimed benefits %(v)s a year.",
            n,
        ) % {"a": n, "n": p.get("total", 0), "v": money(p.get("benefit_vnd"))}
    if code == "below_target":
        return _("%(c)s %(v)s: below the peer group's target of %(t)s.") % {
            "c": component(p.get("component")),
            "v": pct(p.get("value"), 0),
            "t": pct(p.get("target"), 0),
        }
    if code == "group_leader":
        return _("%(c)s %(v)s: among the best of its peer group.") % {
            "c": component(p.get("component")),
            "v": pct(p.get("value"), 0),
        }
    return code
