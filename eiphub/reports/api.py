"""JSON API of the eco-criteria engine: scorecards and annual reports with their workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema
from ninja.errors import HttpError

from eiphub.indicators.packs import get_pack

from . import services, workflow
from .access import reports_for, scorecard_parks

router = Router(tags=["reports"])


class ResultOut(Schema):
    code: str
    name_vi: str
    name_en: str
    value: Any
    unit: str
    status: str
    threshold: Any
    comparison: str
    gap: float | None
    mandatory: bool
    origin: str
    source: str
    additional_needed: int | None
    trend: list[tuple[int, Any]]
    summary_en: str
    counted: list[Any]
    not_counted: list[Any]
    missing_data: list[Any]


class ScorecardOut(Schema):
    park: str
    pack_id: str
    pack_version: str
    year: int
    verdict: str
    warnings: list[str]
    results: list[ResultOut]
    context_results: list[ResultOut]


class ReportOut(Schema):
    id: int
    kind: str
    park: str
    enterprise_id: int | None
    year: int
    status: str
    pack_id: str
    values: dict
    computed: dict
    overrides: list[dict]
    review_comment: str
    updated_at: datetime
    version: int


class TransitionIn(Schema):
    action: str
    comment: str = ""
    # The version you read: when the report changed since, 409 and nothing changes.
    version: int | None = None


def _result(r) -> dict:
    ev = r.evidence
    return {
        **{k: getattr(r, k) for k in ResultOut.model_fields if hasattr(r, k)},
        "summary_en": ev.summary_en,
        "counted": ev.counted,
        "not_counted": ev.not_counted,
        "missing_data": [str(x) for x in ev.missing_data],
    }


def _report(r) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "park": r.park.code,
        "enterprise_id": r.enterprise_id,
        "year": r.year,
        "status": r.status,
        "pack_id": r.pack_id,
        "values": r.values,
        "computed": r.computed,
        "overrides": [
            {
                "code": o.code,
                "computed_value": o.computed_value,
                "value": o.value,
                "justification": o.justification,
            }
            for o in r.overrides.all()
        ],
        "review_comment": r.review_comment,
        "version": r.version,
        "updated_at": r.updated_at,
    }


@router.get("/reports/scorecard/{code}/{pack_id}/{year}", response=ScorecardOut)
def scorecard(request, code: str, pack_id: str, year: int = Path(..., ge=1990, le=2100)):
    """A park's scorecard for a criteria pack and year, with the evidence ids of each result."""
    park = get_object_or_404(scorecard_parks(request.user), code=code)
    try:
        pack = get_pack(pack_id)
    except KeyError:
        raise HttpError(404, "no such criteria pack")
    if pack.scope not in services.PARK_SCOPES:
        raise HttpError(404, "this pack does not evaluate parks")
    card, _snap = services.park_scorecard(park, pack.id, year)
    return {
        "park": park.code,
        "pack_id": card.pack_id,
        "pack_version": card.pack_version,
        "year": card.year,
        "verdict": card.verdict,
        "warnings": card.warnings,
        "results": [_result(r) for r in card.results],
        "context_results": [_result(r) for r in card.context_results],
    }


@router.get("/reports/annual", response=list[ReportOut])
def list_reports(request, year: int | None = None, status: str | None = None):
    qs = reports_for(request.user).select_related("park").prefetch_related("overrides")
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return [_report(r) for r in qs.order_by("-year", "pk")[:500]]


@router.get("/reports/annual/{report_id}", response=ReportOut)
def get_report(request, report_id: int = Path(..., ge=1, le=2**62)):
    return _report(get_object_or_404(reports_for(request.user), pk=report_id))


@router.post("/reports/annual/{report_id}/transition", response=ReportOut)
def transition(request, body: TransitionIn, report_id: int = Path(..., ge=1, le=2**62)):
    """Apply submit / reopen / accept / return (comment required); 403 when refused."""
    report = get_object_or_404(reports_for(request.user), pk=report_id)
    try:
        report = workflow.transition(
            request.user, report, body.action, body.comment, read_version=body.version
        )
    except workflow.WorkflowError as exc:
        status = 403 if exc.code == "forbidden" else 409
        raise HttpError(status, str(exc))
    return _report(report)
