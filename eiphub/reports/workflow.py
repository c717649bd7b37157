"""Annual report workflow: who may create, edit, submit, accept or return a report.

    draft --submit--> submitted --accept--> accepted
      ^                   |
      |                 return (comment required; comments per indicator)
      +--reopen-- returned --submit (resubmit: version 2, 3, ...)--> submitted

  Where the developer organisation has approvers (``ReportApprover``, issue 13), its other
  users are preparers and submit for approval; an approver approves (the report then goes
  to the board) or sends it back:

    draft/returned --submit_for_approval--> approval --approve--> submitted
                                               |
                                             send_back (comment required) --> draft

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

from .models import (
    KIND_PACK,
    AnnualReport,
    AuditEvent,
    IndicatorComment,
    ReportApprover,
    ReportKind,
    ReportOverride,
    ReportRevision,
    ReportStatus,
)

S = ReportStatus
PARK_KINDS = (ReportKind.A5, ReportKind.B5, ReportKind.ENV_SOCIAL)
# action -> (from statuses, to status, who).  who: "owner" files directly (no approvers
# configured, or the user is an approver), "preparer" is an owner whose organisation has
# approvers, "approver" approves for the organisation, "reviewer" is the board.
TRANSITIONS = {
    "submit": ((S.DRAFT, S.RETURNED), S.SUBMITTED, "owner"),
    "submit_for_approval": ((S.DRAFT, S.RETURNED), S.APPROVAL, "preparer"),
    "approve": ((S.APPROVAL,), S.SUBMITTED, "approver"),
    "send_back": ((S.APPROVAL,), S.DRAFT, "approver"),
    "reopen": ((S.RETURNED,), S.DRAFT, "owner"),
    "accept": ((S.SUBMITTED,), S.ACCEPTED, "reviewer"),
    "return": ((S.SUBMITTED,), S.RETURNED, "reviewer"),
}
# Actions that file the report with the board (a new version is recorded).
FILING = ("submit", "approve")
NEEDS_COMMENT = ("return", "send_back")


class WorkflowError(Exception):
    """A refused operation; the message is translated and shown to the user."""

    def __init__(self, message: str, code: str = "forbidden"):
        super().__init__(message)
        self.code = code


def input_error_text(exc: EngineError, crit) -> str:
    """An indicator engine's refusal of a typed value, in the user's language (the engine
    gives a code and parameters; its own message is English, for logs)."""
    if exc.code == "out_of_range":
        return _("%(code)s: %(value)s is outside the accepted range %(min)s–%(max)s.") % {
            "code": crit.code,
            **{k: _num(exc.params[k]) for k in ("value", "min", "max")},
        }
    return _("%(code)s: %(value)s is not a valid value for unit %(unit)s.") % {
        "code": crit.code,
        "value": exc.params.get("value"),
        "unit": crit.unit,
    }


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


def approvers(report: AnnualReport):
    """Users approving the report for the developer organisation (empty: not configured)."""
    if report.enterprise_id or not report.park.developer_id:
        return ReportApprover.objects.none()
    return ReportApprover.objects.filter(organization_id=report.park.developer_id)


def is_approver(user, report: AnnualReport) -> bool:
    return (
        user.is_authenticated
        and report_owner(user, report)
        and approvers(report).filter(user=user).exists()
    )


def _may(user, report: AnnualReport, who: str) -> bool:
    if who == "reviewer":
        return is_reviewer(user, report.park)
    if not report_owner(user, report):
        return False
    configured = approvers(report).exists()
    approver = configured and approvers(report).filter(user=user).exists()
    if who == "owner":
        return not configured or approver
    if who == "preparer":
        return configured and not approver
    return approver  # "approver"


def allowed_actions(user, report: AnnualReport) -> list[str]:
    """Transitions the user may apply to the report now (for the buttons)."""
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if report.status in sources and _may(user, report, who)
    ]


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
        justification = (justification or "").strip()
        if value in (None, ""):
            value = None
        else:
            try:
                value = check_input(crit, value)
            except EngineError as exc:
                if exc.code == "out_of_range":
                    # The range is an assessment, not an input limit (issue 13): an honest
                    # failing figure is filed with its justification and scored "not met".
                    if not justification:
                        msg = _(
                            "%(code)s: %(value)s is outside the accepted range %(min)s–%(max)s; "
                            "give a justification to report it (it will be assessed as not met)."
                        )
                        params = {k: _num(exc.params[k]) for k in ("value", "min", "max")}
                        raise WorkflowError(msg % {**params, "code": code}, "invalid")
                    value = float(exc.params["value"])
                else:
                    raise WorkflowError(input_error_text(exc, crit), "invalid") from exc
        computed = report.computed.get("criteria", {}).get(code, {}).get("value")
        before = report.values.get(code)
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


def _num(value) -> str:
    from eiphub.web.templatetags.eip import num  # the one formatter, in the active language

    return str(num(value))


def stamp(report: AnnualReport) -> str:
    """What the user saw: the report's concurrency ``version``, which every write bumps
    (values, evidence files, status, recomputation).  The confirmation page posts it back
    and a stale one is refused; generated documents are fresh while it is unchanged."""
    return str(report.version)


def snapshot(report: AnnualReport) -> dict:
    """Values, justifications and evidence file names as filed."""
    evidence: dict[str, list[str]] = {}
    for code, name in report.evidence.values_list("code", "name"):
        evidence.setdefault(code, []).append(name)
    return {
        "values": dict(report.values),
        "justifications": dict(report.overrides.values_list("code", "justification")),
        "evidence": evidence,
    }


def transition(
    user,
    report: AnnualReport,
    action: str,
    comment: str = "",
    *,
    indicator_comments: dict | None = None,
    seen_stamp: str | None = None,
    read_version=None,
) -> AnnualReport:
    """Apply a workflow action; illegal ones raise :class:`WorkflowError`.

    ``indicator_comments`` ({code: text}) go with a return; ``seen_stamp`` (from the
    confirmation page) refuses a filing when the report changed after it was shown;
    ``read_version`` (the version the page or API client read) refuses any action on a
    report changed since (issue 18)."""
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action %(action)s.") % {"action": action}, "invalid")
    sources, target, who = TRANSITIONS[action]
    comment = (comment or "").strip()
    indicator_comments = {
        c: t.strip() for c, t in (indicator_comments or {}).items() if t and t.strip()
    }
    with transaction.atomic():
        report = _locked(report.pk, read_version)
        if report.status not in sources:
            raise WorkflowError(
                _("A report in status “%(status)s” cannot be %(action)s.")
                % {"status": report.get_status_display(), "action": _action_label(action)},
                "illegal_transition",
            )
        if not _may(user, report, who):
            if who == "reviewer":
                msg = _("Only the management board of the park's province may review reports.")
            elif who == "approver":
                msg = _("Only an approver of the developer organisation may do this.")
            elif who == "owner" and report_owner(user, report):
                msg = _("Your organisation's reports are submitted by an approver.")
            else:
                msg = _("Only the developer of the park or the enterprise may do this.")
            raise WorkflowError(msg)
        if seen_stamp is not None and seen_stamp != stamp(report):
            raise WorkflowError(
                _("The report changed after you reviewed it: check what will be filed again."),
                "stale",
            )
        if action == "return" and not (comment or indicator_comments):
            raise WorkflowError(_("Returning a report needs a comment."), "invalid")
        if action == "send_back" and not comment:
            raise WorkflowError(_("Sending a report back needs a comment."), "invalid")
        before = report.status
        report.status = target
        report.version += 1
        now = timezone.now()
        if action in FILING:
            report.submitted_at = now
        if action in ("accept", "return"):
            report.reviewed_by, report.reviewed_at, report.review_comment = user, now, comment
        report.save()
        _audit(report, user, action, "status", before, target, comment)
        if action in FILING:
            snap = snapshot(report)
            last = report.revisions.order_by("-number").first()
            preparer = None
            if action == "approve":
                preparer = report.audit.filter(action="submit_for_approval").order_by("-pk").first()
            ReportRevision.objects.create(
                report=report,
                number=(last.number + 1) if last else 1,
                submitted_by=preparer.user if preparer else user,
                approved_by=user if action == "approve" else None,
                submitted_at=now,
                **snap,
            )
        if action == "return":
            number = report.revisions.order_by("-number").values_list("number", flat=True)
            rev = number.first() or 0
            codes = {r for r in report.values} | set(report.computed.get("criteria", {}))
            for code, text in sorted(indicator_comments.items()):
                if code in codes:
                    IndicatorComment.objects.create(
                        report=report, code=code, revision=rev, text=text, by=user
                    )
                    _audit(report, user, "comment", code, None, None, text)
    _notify(report, action, user, comment)
    return report


def _notify(report: AnnualReport, action: str, user, comment: str) -> None:
    """Tell the board of a filing and the filer of a return or acceptance (notices app:
    written and e-mailed from a job queued when the transition commits)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from eiphub.notices.services import notify_later

    event = {
        "submit": "report_submitted",
        "approve": "report_submitted",
        "accept": "report_accepted",
        "return": "report_returned",
    }.get(action)
    if event is None:
        return
    users = get_user_model().objects.filter(is_active=True).select_related("profile")
    if event == "report_submitted":
        users = [u for u in users.filter(profile__role=Role.BOARD) if is_reviewer(u, report.park)]
    else:
        users = [u for u in users if report_owner(u, report)]
    params = {"report": str(report), "comment": comment}
    url = reverse("reports:report_detail", args=[report.pk])
    notify_later(users, event, params, url, owner=user)


def differences(report: AnnualReport, number: int | None = None) -> list[dict]:
    """Indicators whose filed value, justification or evidence changed between version
    ``number`` (default: the latest) and the previous one."""
    revs = list(report.revisions.order_by("-number"))
    if number is not None:
        revs = [r for r in revs if r.number <= number]
    if len(revs) < 2:
        return []
    new, old = revs[0], revs[1]
    return _diff(old.values, old.justifications, old.evidence, new, old.number, new.number)


def pending_differences(report: AnnualReport) -> list[dict]:
    """What the next filing changes against the last filed version (confirmation page)."""
    last = report.revisions.order_by("-number").first()
    if last is None:
        return []
    snap = snapshot(report)
    cur = ReportRevision(number=last.number + 1, **snap)
    return _diff(last.values, last.justifications, last.evidence, cur, last.number, cur.number)


def _diff(values, justifications, evidence, new, old_n, new_n) -> list[dict]:
    out = []
    codes = sorted(set(values) | set(new.values) | set(evidence) | set(new.evidence))
    for code in codes:
        b, a = values.get(code), new.values.get(code)
        jb, ja = justifications.get(code, ""), new.justifications.get(code, "")
        eb, ea = set(evidence.get(code, [])), set(new.evidence.get(code, []))
        if b != a or jb != ja or eb != ea:
            out.append(
                {
                    "code": code,
                    "before": b,
                    "after": a,
                    "value_changed": b != a,
                    "justification_before": jb,
                    "justification_after": ja,
                    "evidence_added": sorted(ea - eb),
                    "evidence_removed": sorted(eb - ea),
                    "from": old_n,
                    "to": new_n,
                }
            )
    return out


def _action_label(action: str) -> str:
    return {
        "submit": _("submitted"),
        "submit_for_approval": _("submitted for approval"),
        "approve": _("approved"),
        "send_back": _("sent back"),
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
