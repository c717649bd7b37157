"""Annual report workflow: who may create, edit, submit, accept or return a report.

    draft --submit--> submitted --accept--> accepted
      ^                   |
      |                 return (comment required)
      +--reopen-- returned --submit (resubmit)--> submitted

- The owner files: the developer of the park (A.5, B.5, environmental and social report) or
  the enterprise's own user (eco-enterprise report).  The owner creates the report, edits its
  values (draft or returned only) and submits it.
- The management board of the park's province accepts or returns submitted reports.
- Ministry: read only.  Consultant: reads the reports of its assigned parks; it does not file,
  because the report is the developer's legal filing (it prepares data through flows/RECP).
- Submitted and accepted reports are immutable; only "return" makes a report editable again.

Every operation is atomic and writes AuditEvent rows (who, when, field, before/after).
Scopes come only from ``eiphub.accounts.scoping``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_writable_by, parks_for, role_of
from eiphub.indicators.engine import EngineError, check_input
from eiphub.indicators.packs import get_pack

from .models import AnnualReport, AuditEvent, ReportKind, ReportOverride, ReportStatus

S = ReportStatus
PARK_KINDS = (ReportKind.A5, ReportKind.B5, ReportKind.ENV_SOCIAL)
KIND_PACK = {
    ReportKind.A5: "circular05_a5",
    ReportKind.B5: "circular05_b5",
    ReportKind.ECO_ENTERPRISE: "decree35_eco_enterprise",
    ReportKind.ENV_SOCIAL: "",
}
# action -> (from statuses, to status, who)
TRANSITIONS = {
    "submit": ((S.DRAFT, S.RETURNED), S.SUBMITTED, "owner"),
    "reopen": ((S.RETURNED,), S.DRAFT, "owner"),
    "accept": ((S.SUBMITTED,), S.ACCEPTED, "reviewer"),
    "return": ((S.SUBMITTED,), S.RETURNED, "reviewer"),
}


class WorkflowError(Exception):
    """A refused operation; the message is translated and shown to the user."""

    def __init__(self, message: str, code: str = "forbidden"):
        super().__init__(message)
        self.code = code


def is_owner(user, *, park=None, enterprise=None) -> bool:
    """The user files reports for this subject (developer of the park / the enterprise)."""
    role = role_of(user)
    if enterprise is not None:
        return (
            role == Role.ENTERPRISE
            and enterprises_writable_by(user).filter(pk=enterprise.pk).exists()
        )
    return role == Role.DEVELOPER and parks_for(user).filter(pk=park.pk).exists()


def is_reviewer(user, park) -> bool:
    """The management board of the park's province."""
    return role_of(user) == Role.BOARD and parks_for(user).filter(pk=park.pk).exists()


def report_owner(user, report: AnnualReport) -> bool:
    return is_owner(user, park=report.park, enterprise=report.enterprise)


def allowed_actions(user, report: AnnualReport) -> list[str]:
    """Transitions the user may apply to the report now (for the buttons)."""
    out = []
    for action, (sources, _target, who) in TRANSITIONS.items():
        if report.status not in sources:
            continue
        if who == "owner" and report_owner(user, report):
            out.append(action)
        if who == "reviewer" and is_reviewer(user, report.park):
            out.append(action)
    return out


def can_edit(user, report: AnnualReport) -> bool:
    return report.editable and report_owner(user, report)


def _audit(report, user, action, field="", before=None, after=None, comment=""):
    AuditEvent.objects.create(
        report=report,
        user=user,
        action=action,
        field=field,
        before=before,
        after=after,
        comment=comment,
    )


def create_report(user, kind: str, year: int, *, park=None, enterprise=None) -> AnnualReport:
    """Create a draft from the values computed from platform data (one per subject and year)."""
    from .services import compute_report

    if kind not in KIND_PACK:
        raise WorkflowError(_("Unknown report kind."), "invalid")
    if (kind == ReportKind.ECO_ENTERPRISE) != (enterprise is not None):
        raise WorkflowError(
            _("An eco-enterprise report needs an enterprise; park reports must not have one."),
            "invalid",
        )
    park = enterprise.park if enterprise is not None else park
    if not is_owner(user, park=park, enterprise=enterprise):
        raise WorkflowError(_("Only the park developer or the enterprise files this report."))
    computed = compute_report(kind, park, year, enterprise=enterprise)
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(
                kind=kind,
                park=park,
                enterprise=enterprise,
                year=year,
                pack_id=computed.get("pack_id", ""),
                pack_version=computed.get("pack_version", ""),
                computed=computed,
                values={code: row["value"] for code, row in computed.get("criteria", {}).items()},
                created_by=user,
            )
            _audit(report, user, "create", after={"status": report.status})
    except IntegrityError:
        raise WorkflowError(
            _("A report of this kind already exists for this subject and year."), "duplicate"
        )
    return report


def _locked(report_id, read_version=None) -> AnnualReport:
    """Lock the report's row; with ``read_version`` (the version the editor read), refuse
    when the report changed since (issue 18: a 409 or a form message, never an overwrite)."""
    report = AnnualReport.objects.select_for_update().get(pk=report_id)
    if read_version not in (None, "") and str(read_version) != str(report.version):
        raise WorkflowError(
            _("Someone else changed this report meanwhile. Reload it and apply your change again."),
            "stale",
        )
    return report


def lock_for_edit(report: AnnualReport, read_version) -> AnnualReport:
    """Lock ``report`` for a batch of edits in the caller's transaction, checking the
    version the editor read (raises :class:`WorkflowError` with code ``stale``)."""
    return _locked(report.pk, read_version)


def set_value(user, report: AnnualReport, code: str, value, justification: str = ""):
    """Replace the reported value of one criterion; a value different from the computed one
    is an override and needs a justification.  Values are checked against the criterion's
    unit and accepted range."""
    with transaction.atomic():
        report = _locked(report.pk)
        if not report.editable:
            raise WorkflowError(_("A submitted or accepted report cannot be changed."), "locked")
        if not report_owner(user, report):
            raise WorkflowError(_("Only the owner of the report may change its values."))
        pack = get_pack(report.pack_id) if report.pack_id else None
        crit = pack.criterion(code) if pack else None
        if crit is None:
            raise WorkflowError(_("This report has no indicator %(code)s.") % {"code": code})
        if value in (None, ""):
            value = None
        else:
            try:
                value = check_input(crit, value)
            except EngineError as exc:
                if exc.code == "out_of_range":
                    msg = _("%(code)s: %(value)s is outside the accepted range %(min)s–%(max)s.")
                    params = {k: f"{exc.params[k]:g}" for k in ("value", "min", "max")}
                    raise WorkflowError(msg % {**params, "code": code}, "invalid")
                raise WorkflowError(
                    _("%(code)s: %(value)s is not a valid value for unit %(unit)s.")
                    % {"code": code, "value": exc.params.get("value"), "unit": crit.unit},
                    "invalid",
                )
        computed = report.computed.get("criteria", {}).get(code, {}).get("value")
        before = report.values.get(code)
        justification = (justification or "").strip()
        if value == computed:
            removed, _n = ReportOverride.objects.filter(report=report, code=code).delete()
            if before == value and not removed:
                return report
        else:
            if not justification:
                raise WorkflowError(
                    _("A value that differs from the computed one needs a justification."),
                    "invalid",
                )
            ReportOverride.objects.update_or_create(
                report=report,
                code=code,
                defaults={
                    "computed_value": computed,
                    "value": value,
                    "justification": justification,
                    "by": user,
                },
            )
        report.values = {**report.values, code: value}
        report.version += 1
        report.save(update_fields=["values", "updated_at", "version"])
        _audit(report, user, "edit", code, before, value, justification)
    return report


def transition(
    user, report: AnnualReport, action: str, comment: str = "", read_version=None
) -> AnnualReport:
    """Apply a workflow action; illegal ones raise :class:`WorkflowError`."""
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action %(action)s.") % {"action": action}, "invalid")
    sources, target, who = TRANSITIONS[action]
    comment = (comment or "").strip()
    with transaction.atomic():
        report = _locked(report.pk, read_version)
        if report.status not in sources:
            raise WorkflowError(
                _("A report in status “%(status)s” cannot be %(action)s.")
                % {"status": report.get_status_display(), "action": _action_label(action)},
                "illegal_transition",
            )
        allowed = report_owner(user, report) if who == "owner" else is_reviewer(user, report.park)
        if not allowed:
            if who == "owner":
                msg = _("Only the developer of the park or the enterprise may do this.")
            else:
                msg = _("Only the management board of the park's province may review reports.")
            raise WorkflowError(msg)
        if action == "return" and not comment:
            raise WorkflowError(_("Returning a report needs a comment."), "invalid")
        before = report.status
        report.status = target
        report.version += 1
        now = timezone.now()
        if action == "submit":
            report.submitted_at = now
        if action in ("accept", "return"):
            report.reviewed_by, report.reviewed_at, report.review_comment = user, now, comment
        report.save()
        _audit(report, user, action, "status", before, target, comment)
    return report


def _action_label(action: str) -> str:
    return {
        "submit": _("submitted"),
        "reopen": _("reopened"),
        "accept": _("accepted"),
        "return": _("returned"),
    }[action]


def recompute(user, report: AnnualReport) -> AnnualReport:
    """Refresh the computed values of an editable report from current data; overridden values
    are kept, the others follow the new computed values."""
    from .services import compute_report

    with transaction.atomic():
        report = _locked(report.pk)
        if not report.editable:
            raise WorkflowError(_("A submitted or accepted report cannot be changed."), "locked")
        if not report_owner(user, report):
            raise WorkflowError(_("Only the owner of the report may change its values."))
        computed = compute_report(report.kind, report.park, report.year, report.enterprise)
        overridden = set(report.overrides.values_list("code", flat=True))
        values = {
            code: (report.values.get(code) if code in overridden else row["value"])
            for code, row in computed.get("criteria", {}).items()
        }
        changed = {c: (report.values.get(c), v) for c, v in values.items()}
        changed = {c: bv for c, bv in changed.items() if bv[0] != bv[1]}
        report.computed, report.values = computed, values
        report.version += 1
        report.save(update_fields=["computed", "values", "updated_at", "version"])
        for ov in report.overrides.all():
            ov.computed_value = computed.get("criteria", {}).get(ov.code, {}).get("value")
            ov.save(update_fields=["computed_value"])
        for code, (b, a) in changed.items():
            _audit(report, user, "recompute", code, b, a)
        if not changed:
            _audit(report, user, "recompute")
    return report
