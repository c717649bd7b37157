"""Evidence files of annual reports (issue 13): limits checked on the content, stored through
Django's storage API (``ReportEvidence.file``), read only through the report's scope.

The type is decided by the file's first bytes (and, for Office documents, the parts inside
the zip), never by its name or the browser's content type: a renamed executable is refused."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ReportEvidence
from .workflow import WorkflowError, _audit, _locked, report_owner

# type -> (content type, label); the label is shown in the limits hint.
TYPES = {
    "pdf": ("application/pdf", "PDF"),
    "png": ("image/png", "PNG"),
    "jpeg": ("image/jpeg", "JPEG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}


def max_bytes() -> int:
    return settings.EIPHUB_EVIDENCE_MAX_BYTES


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The accepted type of a file from its content (``core/filetypes.py``), or None."""
    from eiphub.core.filetypes import sniff as kind_of

    kind = kind_of(data if data is not None else head)
    return kind if kind in TYPES else None


def attach(user, report, code: str, upload) -> ReportEvidence:
    """Store ``upload`` (a Django UploadedFile) as evidence of indicator ``code``."""
    from .services import report_rows

    if code not in {r["code"] for r in report_rows(report)}:
        raise WorkflowError(_("This report has no indicator %(code)s.") % {"code": code})
    if upload.size > max_bytes():
        raise WorkflowError(
            _("The file is larger than the limit of %(mb)s MB.")
            % {"mb": f"{max_bytes() / 1024 / 1024:g}"},
            "invalid",
        )
    if upload.size == 0:
        raise WorkflowError(_("The file is empty."), "invalid")
    data = upload.read()
    kind = sniff(data[:16], data)
    if kind is None:
        raise WorkflowError(
            _("This file type is not accepted; accepted: %(types)s.")
            % {"types": ", ".join(label for _ct, label in TYPES.values())},
            "invalid",
        )
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        report = _locked(report.pk)
        if not report.editable:
            raise WorkflowError(_("A submitted or accepted report cannot be changed."), "locked")
        if not report_owner(user, report):
            raise WorkflowError(_("Only the owner of the report may change its values."))
        ev = ReportEvidence(
            report=report,
            code=code,
            name=name,
            size=len(data),
            content_type=TYPES[kind][0],
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=user,
        )
        from django.core.files.base import ContentFile

        ev.file.save(name, ContentFile(data), save=False)
        ev.save()
        report.version += 1  # an edit like any other (issue 18): stale forms are refused
        report.save(update_fields=["updated_at", "version"])
        _audit(report, user, "evidence_add", code, None, name)
    return ev


def remove(user, report, evidence_id: int) -> None:
    with transaction.atomic():
        report = _locked(report.pk)
        if not report.editable:
            raise WorkflowError(_("A submitted or accepted report cannot be changed."), "locked")
        if not report_owner(user, report):
            raise WorkflowError(_("Only the owner of the report may change its values."))
        ev = ReportEvidence.objects.filter(report=report, pk=evidence_id).first()
        if ev is None:
            raise WorkflowError(_("No such evidence file."), "invalid")
        storage, stored_name = ev.file.storage, ev.file.name
        ev.delete()
        report.version += 1  # an edit like any other (issue 18): stale forms are refused
        report.save(update_fields=["updated_at", "version"])
        _audit(report, user, "evidence_remove", ev.code, ev.name, None)
        transaction.on_commit(lambda: storage.delete(stored_name))


def by_code(report) -> dict[str, list[ReportEvidence]]:
    out: dict[str, list[ReportEvidence]] = {}
    for ev in report.evidence.all():
        out.setdefault(ev.code, []).append(ev)
    return out
