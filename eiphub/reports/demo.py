"""Illustrative declarations for the demo parks and enterprises.

The criteria engine computes what the flows and records allow; the rest are
facts a developer or an enterprise declares with evidence documents
(e.g. "ENV.5 input/output monitoring mechanism").  The demo declares them the
way parks at different stages would: a certified park has nearly all of them
with documents, a park that is not yet transforming has few.
"""

from __future__ import annotations

import random

from django.db.models.functions import ExtractYear

from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Enterprise, Organization, Park

from .models import Declaration, ReportApprover
from .services import declared_codes_for_enterprise, declared_codes_for_park
from .snapshots import COMPLIANCE_CODE

# Share of declared park criteria in place, by eco status.
MATURITY = {
    "certified": 1.0,
    "transforming": 0.7,
    "registered_new": 0.6,
    "none": 0.25,
    "revoked": 0.4,
}


def _evidence(subject_code: str, code: str, year: int, rng: random.Random) -> str:
    kind = rng.choice(["Quyết định", "Báo cáo", "Kế hoạch", "Biên bản"])
    number = rng.randint(10, 250)
    return f"{kind} số {number}/{year}/{subject_code} ({code}).pdf"


def _unique(codes: list[tuple]) -> list[tuple]:
    seen: set[str] = set()
    return [c for c in codes if not (c[0] in seen or seen.add(c[0]))]


def _report_approver() -> int:
    """The demo ``approver`` approves the annual reports of its developer organisation, so
    the other users of that organisation (``preparer``) submit for approval (issue 13)."""
    from django.contrib.auth import get_user_model

    from eiphub.registry.demo import REPORT_ORG

    user = get_user_model().objects.filter(username="approver").first()
    org = Organization.objects.filter(name=REPORT_ORG, kind="developer").first()
    if user is None or org is None:
        return 0
    ReportApprover.objects.get_or_create(organization=org, user=user)
    return 1


def load(stdout=None, seed: int = 2024) -> dict:
    """Create the demo report approver and declarations once; returns counts."""
    from eiphub.registry.demo import PROVINCE_CODE

    approvers = _report_approver()
    parks = list(Park.objects.filter(province__code=PROVINCE_CODE).order_by("code"))
    if not parks or Declaration.objects.filter(park__in=parks).exists():
        return {"declarations": 0, "report_approvers": approvers}
    rng = random.Random(seed)
    years = sorted(
        FlowRecord.objects.filter(park__in=parks, enterprise__isnull=False)
        .annotate(y=ExtractYear("period"))
        .order_by()
        .values_list("y", flat=True)
        .distinct()
    )
    rows: list[Declaration] = []
    park_codes = _unique(declared_codes_for_park())
    for park in parks:
        maturity = MATURITY.get(park.eco_status, 0.3)
        for year in years:
            for code, unit, *_rest in park_codes:
                if unit == "document":
                    if park.eco_status not in ("certified", "transforming") or year != years[-1]:
                        continue
                    value = True
                else:
                    value = rng.random() < maturity
                has_doc = value and (park.eco_status == "certified" or rng.random() < 0.9)
                rows.append(
                    Declaration(
                        park=park,
                        year=year,
                        code=code,
                        value=value,
                        evidence=_evidence(park.code, code, year, rng) if has_doc else "",
                        note="Dữ liệu minh họa",
                    )
                )
    ent_codes = [c for c in _unique(declared_codes_for_enterprise()) if c[1] != "document"]
    ents = Enterprise.objects.filter(park__in=parks).select_related("park").order_by("pk")
    for ent in ents:
        maturity = MATURITY.get(ent.park.eco_status, 0.3)
        certified = ent.park.eco_status == "certified"
        for year in years:
            r = rng.random()
            if certified or r < 0.96:  # a certified park's enterprises all declare compliance
                rows.append(
                    Declaration(enterprise=ent, year=year, code=COMPLIANCE_CODE, value=True)
                )
            elif r < 0.98:
                rows.append(
                    Declaration(enterprise=ent, year=year, code=COMPLIANCE_CODE, value=False)
                )
            for code, _unit, *_rest in ent_codes:
                if code == COMPLIANCE_CODE or rng.random() > maturity:
                    continue
                rows.append(
                    Declaration(
                        enterprise=ent,
                        year=year,
                        code=code,
                        value=True,
                        evidence=_evidence(ent.tax_code, code, year, rng),
                    )
                )
    Declaration.objects.bulk_create(rows, batch_size=2000)
    if stdout is not None:
        stdout.write(f"Demo declarations: {len(rows)}")
    return {"declarations": len(rows), "report_approvers": approvers}
